"""How each kind of ward behaves, and the clinical tables a pack's health section draws on.

The numbers are invented but shaped like the real ones: acute wards and PICUs admit on
short sections and lose patients more often; forensic wards hold restricted
patients for years and rarely do.
"""

from __future__ import annotations

from dataclasses import dataclass

from grabpack.demo.data.tables import rows, weights, words


@dataclass(frozen=True)
class Kind:
    """One kind of ward (acute, PICU, older people, forensic, rehab) and its patients."""

    size: int  # relative share of patients
    ages: tuple[int, int]
    stays: tuple[tuple[float, int, int], ...]  # (share, min days, max days) so far
    legal: dict[str, float]  # legal status on admission
    risk: dict[str, float]  # the trust's missing-risk category
    episodes: dict[str, float]  # over a whole year: none, one, two, or a repeat cluster
    diagnoses: tuple[str, ...]


KINDS = {
    "acute": Kind(
        size=20,
        ages=(18, 64),
        stays=((0.3, 2, 45), (0.35, 45, 200), (0.35, 200, 700)),
        legal=weights("s2 50, s3 24, informal 12, cto_17e 5, s5_2 3, s4 2, s5_4 1, s35 1, s37 2"),
        risk={"low": 38, "medium": 47, "high": 15},
        episodes={"none": 34, "one": 33, "two": 18, "repeat": 15},
        diagnoses=words("schizophrenia, schizoaffective, bipolar, psychotic_depression, eupd")
        + ("fep", "drug_psychosis"),
    ),
    "picu": Kind(
        size=10,
        ages=(18, 55),
        stays=((0.7, 2, 40), (0.3, 40, 150)),
        legal={"s2": 35, "s3": 50, "s37": 5, "cto_17e": 5, "s5_2": 5},
        risk={"low": 20, "medium": 45, "high": 35},
        episodes={"none": 52, "one": 28, "two": 12, "repeat": 8},
        diagnoses=("schizophrenia", "bipolar", "fep", "drug_psychosis"),
    ),
    "older": Kind(
        size=14,
        ages=(66, 92),
        stays=((0.5, 10, 90), (0.5, 90, 300)),
        legal={"s2": 45, "s3": 35, "informal": 20},
        risk={"low": 55, "medium": 35, "high": 10},
        episodes={"none": 58, "one": 26, "two": 10, "repeat": 6},
        diagnoses=("alzheimers", "mixed_dementia", "late_psychosis", "psychotic_depression"),
    ),
    "forensic": Kind(
        size=15,
        ages=(21, 60),
        stays=((0.3, 60, 365), (0.7, 365, 2500)),
        legal=weights("s37_41 34, s37 18, s3 14, s47_49 12, s48_49 4, s38 8, s35 4, s36 4, s2 2"),
        risk={"low": 50, "medium": 40, "high": 10},
        episodes={"none": 64, "one": 21, "two": 8, "repeat": 7},
        diagnoses=("forensic_schizophrenia", "resistant", "schizoaffective", "delusional"),
    ),
    "rehab": Kind(
        size=12,
        ages=(20, 60),
        stays=((0.4, 60, 365), (0.6, 365, 1100)),
        legal={"s3": 70, "informal": 16, "s37": 14},
        risk={"low": 60, "medium": 35, "high": 5},
        episodes={"none": 50, "one": 28, "two": 12, "repeat": 10},
        diagnoses=("resistant", "schizophrenia", "schizoaffective"),
    ),
}

# key | diagnosis | medicines class
DIAGNOSES = {
    row[0]: row[1:]
    for row in rows("""
    schizophrenia | Paranoid schizophrenia | antipsychotic
    schizoaffective | Schizoaffective disorder, bipolar type | mood
    bipolar | Bipolar affective disorder, manic with psychotic symptoms | mood
    psychotic_depression | Severe depressive episode with psychotic symptoms | antidepressant
    eupd | Emotionally unstable personality disorder; recurrent self-harm | eupd
    fep | First episode psychosis | antipsychotic
    drug_psychosis | Drug-induced psychosis (cannabis and synthetic cannabinoids) | antipsychotic
    alzheimers | Alzheimer's disease with behavioural and psychological symptoms | dementia
    mixed_dementia | Mixed Alzheimer's and vascular dementia | dementia
    late_psychosis | Late-onset schizophrenia-like psychosis | antipsychotic
    forensic_schizophrenia | Paranoid schizophrenia; antisocial personality traits | antipsychotic
    resistant | Treatment-resistant schizophrenia | clozapine
    delusional | Delusional disorder | antipsychotic
""")
}
# class | medicine | dose | when (the first of each class is the main one)
REGIMENS = rows("""
    antipsychotic | Olanzapine | 15 mg | At night
    antipsychotic | Aripiprazole | 15 mg | Morning
    antipsychotic | Paliperidone palmitate depot | 100 mg | Monthly injection
    clozapine | Clozapine | 350 mg | 150 mg morning, 200 mg night
    mood | Lithium carbonate | 800 mg | At night
    mood | Sodium valproate | 1 g | 500 mg twice daily
    antidepressant | Sertraline | 100 mg | Morning
    antidepressant | Quetiapine | 150 mg | At night
    eupd | Sertraline | 50 mg | Morning
    eupd | Promethazine | 25 mg | As needed at night
    dementia | Donepezil | 10 mg | At night
    dementia | Memantine | 20 mg | Morning
    extra | Procyclidine | 5 mg | As needed for stiffness
    extra | Lorazepam | 1 mg | As needed, up to twice daily
    extra | Zopiclone | 7.5 mg | At night for up to two weeks
    extra | Hyoscine hydrobromide | 300 micrograms | At night for hypersalivation
""")
MISSED_DOSES = {
    "antipsychotic": "Missing more than two or three days usually brings back paranoid thinking "
    "and poor sleep; when untreated has become guarded and hostile.",
    "clozapine": "Clozapine: after 48 hours or more of missed doses it must be restarted at a low "
    "dose under medical supervision; the full dose risks collapse. Tell the ward at once.",
    "mood": "Missed doses risk a rapid return of manic symptoms. On lithium, vomiting, shaking "
    "or confusion suggest toxicity and need A&E.",
    "antidepressant": "Missed doses cause dizziness and low mood within two days; suicide risk "
    "rises as mood drops.",
    "eupd": "Missed doses are not dangerous in themselves; the main risk while missing is "
    "impulsive self-harm, often with alcohol.",
    "dementia": "Missed doses are not dangerous in themselves, but alone is at risk from "
    "confusion, falls, cold and not eating or drinking.",
}
# weight | physical condition | medicine | dose | when | if missed
PHYSICAL = rows("""
    60 | - | - | - | - | -
    12 | Type 2 diabetes | Metformin | 500 mg | Twice daily with meals | High sugars if missed
    5 | Epilepsy, tonic-clonic | Levetiracetam | 750 mg | Twice daily | Seizure risk within a day
    12 | Asthma | Salbutamol inhaler | 100 micrograms | Two puffs as needed | -
    8 | High blood pressure | Amlodipine | 5 mg | Morning | -
    3 | Hepatitis C, untreated | - | - | - | -
""")
