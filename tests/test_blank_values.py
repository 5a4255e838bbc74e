"""Blank values in one shape: a blank field is absent, never ``""`` or ``None``; an empty
section or list is absent; an entry with every field blank is dropped. Two versions
that differ only in how a blank was written show no change."""

from __future__ import annotations

import copy

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, update

from grabpack.domain.diff import diff_versions
from grabpack.domain.pack_data import in_one_shape
from grabpack.extensions import db
from grabpack.models import GrabPackVersion
from grabpack.services.grab_packs import save_version
from tests.factories import patient_on, staff

# Written as the demo and imports wrote packs before: blanks as "" and None.
OLD_SHAPE = {
    "identity": {"full_name": "Ewa Kowalska", "nhs_number": "", "aliases": None},
    "phone": {"mobile_number": "", "email": "  "},
    "contacts": {
        "contacts": [
            {"name": "Anna Kowalska", "relationship": "Sister", "email": "", "phone": None},
            {"name": "", "relationship": "", "phone": ""},
        ]
    },
    "places": {"places": []},
    "risk": {"missing_risk": "high", "considered_dangerous": False},
    "description": {"height_cm": 0},
}
ONE_SHAPE = {
    "identity": {"full_name": "Ewa Kowalska"},
    "contacts": {"contacts": [{"name": "Anna Kowalska", "relationship": "Sister"}]},
    "risk": {"missing_risk": "high", "considered_dangerous": False},
    "description": {"height_cm": 0},
}


def test_blanks_are_left_out_and_everything_else_is_kept():
    sent = copy.deepcopy(OLD_SHAPE)
    assert in_one_shape(sent) == ONE_SHAPE
    assert sent == OLD_SHAPE  # the argument is not changed
    assert in_one_shape(ONE_SHAPE) == ONE_SHAPE
    assert in_one_shape(None) == {}


def test_a_diff_shows_no_change_where_only_the_shape_of_a_blank_differs():
    assert diff_versions(OLD_SHAPE, ONE_SHAPE) == []
    assert diff_versions(ONE_SHAPE, OLD_SHAPE) == []


def test_a_real_change_still_shows_beside_blanks_in_the_old_shape():
    newer = copy.deepcopy(ONE_SHAPE)
    newer["contacts"]["contacts"][0]["relationship"] = "Mother"
    (section,) = diff_versions(OLD_SHAPE, newer)
    (item,) = section.items
    assert (item.status, item.title) == ("changed", "Contact 1")
    assert [(c.old, c.new) for c in item.changes] == [("Sister", "Mother")]


def test_every_saved_version_is_stored_in_the_one_shape(app, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Ewa Kowalska")
        saved = save_version(patient, copy.deepcopy(OLD_SHAPE), staff(world.nurse_a), based_on=0)
        db.session.commit()
        assert db.session.get(GrabPackVersion, saved.id).data == ONE_SHAPE


def test_the_migration_puts_old_versions_in_the_one_shape_and_changes_nothing_else(app, world):
    with app.app_context():
        patient = patient_on(world.ward_a, "Ewa Kowalska")
        nurse = staff(world.nurse_a)
        first = save_version(patient, ONE_SHAPE, nurse, based_on=0)
        second = save_version(patient, {**ONE_SHAPE, "places": {}}, nurse, based_on=1)
        db.session.commit()
        first_id, second_id = first.id, second.id
        # Versions written before the one shape: blanks as "" and None.
        db.session.execute(
            update(GrabPackVersion).where(GrabPackVersion.id == first_id).values(data=OLD_SHAPE)
        )
        db.session.commit()
        columns = (
            GrabPackVersion.id,
            GrabPackVersion.number,
            GrabPackVersion.is_complete,
            GrabPackVersion.created_at,
            GrabPackVersion.reviewed_on,
            GrabPackVersion.review_due_on,
            GrabPackVersion.missing_risk,
            GrabPackVersion.change_note,
        )
        before = db.session.execute(select(*columns).order_by(GrabPackVersion.id)).all()
        db.session.remove()

        downgrade(revision="0006")
        upgrade()

        after = db.session.execute(select(*columns).order_by(GrabPackVersion.id)).all()
        assert after == before
        data = dict(db.session.execute(select(GrabPackVersion.id, GrabPackVersion.data)).all())
        assert data == {first_id: ONE_SHAPE, second_id: ONE_SHAPE}
