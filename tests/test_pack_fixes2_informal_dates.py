"""Report missing: a patient the ward states is informal has no section dates.

Found: changing the status to Informal on the report form left the dates filled in
from the pack, and page 1 of the PDF printed "Informal / Current period ends ..."."""

from __future__ import annotations

from grabpack.extensions import db
from grabpack.services.pdf_documents import _open_facts
from tests.factories import FULL_LEGAL, open_for, patient_on


def test_an_informal_report_stores_and_prints_no_section_dates(app, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Ruth Adeyemi", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a, legal_status="informal", kind="missing")
        db.session.commit()
        assert episode.legal_status == "informal"
        printed = dict(_open_facts(episode).legal_rows)
        assert "Current period ends" not in printed and "Section start date" not in printed
        assert episode.period_ends_on is None and episode.section_start_on is None


def test_a_status_corrected_to_informal_later_clears_the_section_dates(app, world):
    from grabpack.services.episodes import update_episode
    from tests.factories import staff

    with app.app_context():
        patient = patient_on(world.ward_a, "Ruth Adeyemi", FULL_LEGAL, world.nurse_a)
        episode = open_for(patient, world.nurse_a)
        assert episode.period_ends_on is not None
        # The kind put right with it: AWOL beside "Informal" would need confirming.
        update_episode(
            episode, staff(world.nurse_a), {"legal_status": "informal", "kind": "missing"}
        )
        db.session.commit()
        assert (episode.section_start_on, episode.period_ends_on) == (None, None)
        assert episode.retake_power.headline == "No power to take back"
