"""Legal status: how a patient's section moves over the stay, and the pack's legal section.

The service works out the s18 retake limit from the dates the pack records, so
the pack must record a section's current end: sections here end no later than
the period DOMAIN.md tabulates, and a treatment order's end has its renewals applied.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from grabpack.demo.chance import pick
from grabpack.demo.context import Demo
from grabpack.demo.plans import Plan
from grabpack.domain.mental_health_act import legal_status

HOLDING_POWERS = ("s5_4", "s5_2", "s4")
# Days a fixed-length section lasts, as the pack records its end (a CTO recall: 72 hours).
FIXED_DAYS = {
    "s5_4": 0,
    "s5_2": 3,
    "s4": 3,
    "s2": 28,
    "s35": 28,
    "s36": 28,
    "s38": 84,
    "cto_17e": 3,
}
S17_CONDITIONS = {
    "none": "",
    "escorted": "Escorted by two staff in the grounds, up to 1 hour.",
    "unescorted": "Unescorted to local shops, 1 hour twice daily; back by 8pm; no alcohol.",
}


def legal_timeline(demo: Demo, plan: Plan) -> list[tuple[datetime, str]]:
    """How the patient's legal status moved since admission: s2 to s3, remand to order..."""
    weights = dict(plan.kind.legal)
    if demo.now - plan.admitted > timedelta(days=3):  # holding powers last hours, not days
        for key in HOLDING_POWERS:
            weights.pop(key, None)
    key, at = pick(demo.rng, weights), plan.admitted
    timeline = [(at, key)]
    while (step := _next_status(demo, key)) is not None:
        at, key = (at + step[0]).replace(microsecond=0), step[1]
        if at >= min(demo.now, plan.end):
            break
        timeline.append((at, key))
    return timeline


def _next_status(demo: Demo, key: str) -> tuple[timedelta, str] | None:
    """How long ``key`` lasts and what follows it; None when it is where the stay settles.

    Remand sections end within their first period (28 days, 12 weeks for s38), so the
    expiry the pack records is never in the past while they last.
    """
    rng = demo.rng
    if key == "s5_4":
        return timedelta(hours=rng.randint(3, 5)), "s5_2"
    if key in ("s5_2", "s4"):
        return timedelta(hours=rng.randint(20, 70)), pick(rng, {"s2": 75, "s3": 15, "informal": 10})
    if key == "s2":
        return timedelta(days=rng.randint(14, 26)), pick(rng, {"s3": 82, "informal": 18})
    if key == "cto_17e":  # recall lasts 72 hours, then the CTO is revoked
        return timedelta(hours=rng.randint(24, 70)), "s3"
    if key in ("s35", "s36", "s38"):
        days = rng.randint(14, 27) if key != "s38" else rng.randint(28, 83)
        return timedelta(days=days), pick(rng, {"s37": 55, "s37_41": 45})
    if key == "s3" and rng.random() < 0.05:
        return timedelta(days=rng.randint(60, 200)), "informal"
    return None


def section_expiry(key: str, start: date, on: date) -> date | None:
    """When the section in force on ``on`` ends (renewals applied); None when it has no limit."""
    status = legal_status(key)
    if status is None or not status.detained or status.restricted:
        return None
    if key in FIXED_DAYS:
        return start + timedelta(days=FIXED_DAYS[key])
    end = start + timedelta(days=182)
    if end < on:
        end += timedelta(days=182)
    while end < on:
        end += timedelta(days=365)
    return end


def legal_section(plan: Plan, at: datetime) -> dict:
    """The pack's legal section as it should read at ``at``."""
    start, key = plan.legal_at(at)
    status = legal_status(key)
    if status is None or not status.detained:
        return {"legal_status": key}
    expiry = section_expiry(key, start.date(), at.date())
    leave = "escorted" if status.restricted else plan.s17_leave
    moj = f"MOJ/SYN/{plan.patient.id.int % 90_000 + 10_000}" if status.restricted else ""
    return {
        "legal_status": key,
        "section_start_on": start.date().isoformat(),
        "section_expires_on": expiry.isoformat() if expiry else "",
        "moj_reference": moj,
        "s17_leave": leave,
        "s17_conditions": S17_CONDITIONS[leave],
    }
