"""Routes commit a service's work, or roll it back and say why: never half of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grabpack.extensions import db
from grabpack.models import Trust
from grabpack.transactions import saving


class Refused(ValueError):
    pass


class FakeForm:
    def __init__(self):
        self.form_errors: list[str] = []


def trusts() -> int:
    return db.session.scalar(select(func.count(Trust.id)))


def test_accepted_work_is_committed(app):
    with app.app_context():
        with saving(FakeForm(), Refused) as outcome:
            db.session.add(Trust(code="T9", name="Kept"))
        assert outcome.saved
        db.session.remove()
        assert trusts() == 1


def test_a_refusal_is_rolled_back_and_shown_on_the_form(app):
    with app.app_context():
        form = FakeForm()
        with saving(form, Refused) as outcome:
            db.session.add(Trust(code="T9", name="Half done"))
            db.session.flush()
            raise Refused("Not like that")
        assert not outcome.saved and outcome.refusal == "Not like that"
        assert form.form_errors == ["Not like that"]
        assert trusts() == 0


def test_anything_else_is_rolled_back_and_raised(app):
    with app.app_context():
        with pytest.raises(KeyError), saving(FakeForm(), Refused):
            db.session.add(Trust(code="T9", name="Half done"))
            db.session.flush()
            raise KeyError("bug")
        assert trusts() == 0


def test_a_database_locked_at_the_commit_keeps_the_form_and_saves_nothing(app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    with app.app_context():
        form = FakeForm()

        def locked():
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

        with saving(form, Refused) as outcome:
            db.session.add(Trust(code="T9", name="Not yet"))
            db.session.flush()
            monkeypatch.setattr(db.session, "commit", locked)
        monkeypatch.undo()
        assert outcome.busy and not outcome.saved
        assert form.form_errors == [outcome.refusal]
        assert "Everything you entered is still here" in outcome.refusal
        assert trusts() == 0


def test_a_busy_database_behind_a_button_says_nothing_was_changed(app):
    from sqlalchemy.exc import OperationalError

    with app.app_context():
        with saving(None) as outcome:
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        assert outcome.busy and "nothing was changed" in outcome.refusal
