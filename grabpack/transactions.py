"""One way for a route to commit a service's work or show the form again.

A route calls one service inside ``saving``: the work is committed if the
service accepts it; if it refuses (a domain error the caller names), everything
is rolled back and the refusal is shown on the form, with what was typed kept.
A database that stays locked or unreachable past its time-out, in the service or
at the commit, is a refusal of the same kind (``outcome.busy``): nothing is
saved, the form is shown again with everything typed, and Save works again once
the database is free. Any other exception is rolled back too, and propagates.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from grabpack.extensions import db

BUSY_MESSAGE = (
    "The database was busy, so your changes were not saved yet. Everything you "
    "entered is still here: select Save again."
)
BUSY_ACTION_MESSAGE = "The database was busy, so nothing was changed. Try again in a moment."


@dataclass
class Outcome:
    saved: bool = False
    refusal: str = ""  # the service's reason, when it refused
    busy: bool = False  # the database was locked or unreachable: try again (HTTP 503)


@contextmanager
def saving(form, *refusals: type[Exception]) -> Iterator[Outcome]:
    """``with saving(form, EpisodeError) as outcome: service(...)``, then
    ``if outcome.saved: redirect``; else render the form, which now holds the reason.
    With ``form=None`` the reason is only on ``outcome.refusal`` (for a button whose
    page flashes it). Work that must be committed or fail (an audit row before a
    download) calls ``db.session.commit()`` itself instead: there is no form to
    show again."""
    outcome = Outcome()
    try:
        yield outcome
        db.session.commit()
        outcome.saved = True
    except OperationalError:
        db.session.rollback()
        outcome.busy = True
        _refuse(outcome, form, BUSY_MESSAGE if form is not None else BUSY_ACTION_MESSAGE)
    except refusals as refusal:
        db.session.rollback()
        _refuse(outcome, form, str(refusal))
    except BaseException:
        db.session.rollback()  # nothing half-done, whatever the caller does next
        raise


def _refuse(outcome: Outcome, form, reason: str) -> None:
    outcome.refusal = reason
    if form is not None:
        form.form_errors.append(reason)
