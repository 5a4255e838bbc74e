"""The ``grabpack`` command: Flask's own commands (run, db, shell) plus ours.

Commands fail closed. An expected operational failure (the database unreachable,
locked or not migrated; an output folder missing or not writable; a bad setting)
prints one line saying what is wrong and what to do, exits 1 and leaves nothing
half-done. ``grabpack --debug COMMAND`` shows the traceback instead, and with
``GRABPACK_LOG_LEVEL=DEBUG`` the log has it too.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext
from flask.helpers import get_debug_flag
from flask_migrate.cli import db as migration_commands

from grabpack.config import LEGAL_MINIMUM_RETENTION_YEARS, MAXIMUM_RETENTION_YEARS
from grabpack.extensions import db
from grabpack.models import NotificationTarget, Role, User

if TYPE_CHECKING:
    from grabpack.services.monthly_report import MonthlyReport

log = logging.getLogger(__name__)

UPGRADE = "run `grabpack db upgrade` (migrations never run by themselves)"
LOCK_SQLSTATES = {"55P03", "40P01"}  # PostgreSQL: lock not available, deadlock
MISSING_SCHEMA_SQLSTATES = {"42P01", "42703"}  # PostgreSQL: no such table, column


def _create_app() -> Flask:
    from grabpack import create_app
    from grabpack.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


class GrabpackGroup(FlaskGroup):
    """Flask's command group, made to fail closed.

    Help needs no settings: our commands are registered on the group itself, and
    when the app cannot be built the list comes from an empty app instead of a
    traceback (running any command then names the bad setting). An expected
    operational failure becomes one line, unless ``--debug`` asks for the traceback.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except click.ClickException:
            ctx.obj = ScriptInfo(create_app=lambda: Flask(__name__))
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _explain(exc)
            if message is None:
                raise
            log.debug("grabpack command failed: %s", message, exc_info=exc)
            if get_debug_flag():
                raise
            raise click.ClickException(message) from exc


def _explain(exc: Exception) -> str | None:
    """One line for a database failure that operators meet now and then, or ``None``
    for anything else (a bug keeps its traceback). Never repeats the URL."""
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        return "The database did not answer in time: check it is running, then try again."
    if not isinstance(exc, DBAPIError):
        return None
    detail = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    text = detail.lower()
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if "locked" in text or sqlstate in LOCK_SQLSTATES:
        return (
            "The database is busy: another process holds a lock on it. Nothing was "
            "changed; try again when it has finished."
        )
    if "no such table" in text or "no such column" in text or sqlstate in MISSING_SCHEMA_SQLSTATES:
        return f"The database is not migrated: {UPGRADE}."
    if "unable to open" in text or "connect" in text or sqlstate.startswith("08"):
        return (
            f"Cannot reach the database ({detail}): check GRABPACK_DATABASE_URL and that "
            "the database is running."
        )
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return f"The database failed ({detail}); nothing was changed."
    return None


@click.group(
    cls=GrabpackGroup,
    create_app=_create_app,
    help="grabpack: grab packs and missing episodes.\n\n"
    "A command that fails says what is wrong in one line and changes nothing; "
    "put --debug before the command to see the whole traceback.",
)
def main() -> None:
    """Entry point of the ``grabpack`` console script."""


def init_app(app: Flask) -> None:
    for command in OUR_COMMANDS:
        app.cli.add_command(command)


def _require_migrated() -> None:
    """Refuse a database whose schema is not this code's: the tables a command reads
    may be missing or different, and a write could stop half-way. The heads are the
    ones ``/healthz`` compares with (``database.migration_heads``); a failure to
    connect is left to raise, so that it is explained in one line (or, with
    ``--debug``, shown whole)."""
    from sqlalchemy import inspect, text

    from grabpack.database import migration_heads

    wanted = migration_heads()
    with db.engine.connect() as connection:
        current = set()
        if inspect(connection).has_table("alembic_version"):
            current = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    if current != wanted:
        raise click.ClickException(
            f"The database is not migrated (schema {', '.join(sorted(current)) or 'empty'}; "
            f"this grabpack needs {', '.join(sorted(wanted))}): {UPGRADE}."
        )


def _refuse(exc: Exception) -> click.ClickException:
    """A service's refusal, as the one line the command prints; nothing is kept."""
    db.session.rollback()
    return click.ClickException(str(exc))


users = AppGroup("users", help="Manage user accounts.")


NO_PASSWORD_GIVEN = "No password given: type it when asked, or pipe it in"  # noqa: S105


def _read_password() -> str:
    """From a prompt at a terminal, else the first line of standard input; never argv.
    Nothing there (``</dev/null``, an empty line) is said to be nothing, not judged
    as a password too short."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException(NO_PASSWORD_GIVEN)
    return line


@users.command("create")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What the user does."
)
@click.option(
    "--ward",
    "wards",
    multiple=True,
    metavar="CODE",
    help="A ward the user works on (staff); repeat for several.",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    metavar="CODE",
    help="A policing area the user covers (police); repeat for several.",
)
@click.option(
    "--name",
    "full_name",
    default=None,
    help="The user's full name (one line, up to 200 characters).",
)
def create_user_command(
    email: str, role: str, wards: tuple[str, ...], areas: tuple[str, ...], full_name: str | None
) -> None:
    """Create a user. The password is asked for, or read from standard input, once
    everything else has been checked; none for an email an identity provider serves
    (they sign in there)."""
    from grabpack.auth.oidc import provider_for_email
    from grabpack.services.users import UserError, check_new_user, create_user

    _require_migrated()
    try:
        check_new_user(email, role, wards, areas, full_name)
        served = provider_for_email(email)
        password = None if served else _read_password()
        user = create_user(
            email, role, password, ward_codes=wards, area_codes=areas, full_name=full_name
        )
        db.session.commit()
    except UserError as exc:
        raise _refuse(exc) from exc
    how = f"; they sign in with {served.label}, not a grabpack password" if served else ""
    click.echo(f"Created {user.role} {user.email}{how}")


export = AppGroup("export", help="Export data for review.")


@contextmanager
def _written_when_complete(path: str, binary: bool = False) -> Iterator[IO[Any]]:
    """A stream for ``path`` (``-`` is standard output), of text unless ``binary``.

    A file is written under a temporary name beside it, readable by its owner
    only (special-category data), and renamed over ``path`` only when complete:
    a failure part-way leaves any earlier file exactly as it was.
    """
    mode, encoding = ("wb", None) if binary else ("w", "utf-8")
    if path == "-" or _is_a_stream(path):
        with _opened(path, mode, encoding) as stream:
            yield stream
        return
    target = Path(os.path.realpath(path))  # through a link: replace the file it names
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
    except OSError as exc:
        raise click.ClickException(_cannot_write(target, exc)) from exc
    try:
        with _sigterm_as_exit(), open(handle, mode, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise click.ClickException(_cannot_write(target, exc)) from exc
        raise


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM (cron's ``timeout``, systemd stopping a job) ends the command as Ctrl-C
    does, through the clean-up above, so no half-written copy of episode data is left
    beside the file. Only the main thread can take signals; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _counted(number: int, thing: str) -> str:
    """``1 patient``, ``2 patients``: a count as a sentence says it."""
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _is_a_stream(path: str) -> bool:
    """A pipe, a device or ``/dev/stdout``: something to write into, which renaming a
    file over it would destroy (a pipe's reader would get nothing)."""
    try:
        mode = os.stat(path).st_mode  # through any link
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def _opened(path: str, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    try:
        with click.open_file(path, mode, encoding=encoding) as stream:
            yield stream
    except OSError as exc:
        raise click.ClickException(_cannot_write(Path(path), exc)) from exc


def _cannot_write(target: Path, exc: OSError) -> str:
    folder = target.parent
    if isinstance(exc, FileNotFoundError):
        return f"Cannot write {target}: the folder {folder} does not exist; create it first"
    if isinstance(exc, PermissionError):
        return f"Cannot write {target}: no permission to create files in {folder}"
    return f"Cannot write {target}: {exc.strerror or exc}; nothing was written"


@export.command("episodes")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First London day (YYYY-MM-DD) an episode was noticed, inclusive.",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last London day (YYYY-MM-DD), inclusive.",
)
@click.option("--format", "fmt", type=click.Choice(["csv"]), required=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write (replaced only once complete); standard output by default.",
)
def export_episodes_command(start, end, fmt: str, output: str) -> None:
    """One row per missing episode, with opaque patient ids and reporting quality."""
    from grabpack.policies import reporting_policy
    from grabpack.services.exports import EPISODE_COLUMNS, csv_lines, episode_rows

    if start and end and end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    _require_migrated()
    with _written_when_complete(output) as stream:
        rows = episode_rows(
            start.date() if start else None,
            end.date() if end else None,
            policy=reporting_policy(),
        )
        for chunk in csv_lines(EPISODE_COLUMNS, rows):
            stream.write(chunk)


report = AppGroup("report", help="Reports for the Affinity review.")
REPORT_STEPS = ("Computing the figures", "Rendering", "Writing")


@contextmanager
def _steps(steps: tuple[str, ...]) -> Iterator[Callable[[str], None]]:
    """A function to call as each step begins. At a terminal it moves a progress
    bar on standard error; a scheduled job's log gets nothing from it."""
    stream = sys.stderr
    if not _is_terminal(stream):
        yield lambda step: None
        return
    with click.progressbar(
        length=len(steps),
        label="Monthly review",
        file=stream,
        show_eta=False,
        item_show_func=lambda step: step,
    ) as bar:
        begun = False

        def begin(step: str) -> None:
            nonlocal begun
            if begun:
                bar.update(1, step)  # the step before is done
            else:
                bar.current_item = step
                bar.render_progress()
                begun = True

        yield begin
        bar.update(1, "Done")


def _is_terminal(stream: Any) -> bool:
    return stream.isatty()


@report.command("monthly")
@click.argument("month", metavar="YYYY-MM")
@click.option(
    "--area",
    metavar="CODE",
    default=None,
    help="One policing area by its code; every area by default.",
)
@click.option("--format", "fmt", type=click.Choice(["pdf", "csv"]), required=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    help="File to write (replaced only once complete); - for standard output.",
)
def report_monthly_command(month: str, area: str | None, fmt: str, output: str) -> None:
    """The monthly recurrence review of a London month, for a scheduled job: every
    ward (of the area), opaque patient references, no names."""
    from grabpack.models.base import utcnow
    from grabpack.policies import review_rules
    from grabpack.reports.months import NoSuchReview, reviewable_month
    from grabpack.services.monthly_report import (
        ReportScope,
        UnknownArea,
        area_by_code,
        monthly_report,
    )

    try:
        wanted = reviewable_month(month, utcnow())  # the months the page reviews
    except NoSuchReview as exc:
        raise click.ClickException(exc.line) from exc
    _require_migrated()
    try:
        scope = ReportScope.everything(area_by_code(area) if area else None)
    except UnknownArea as exc:
        raise _refuse(exc) from exc
    with _steps(REPORT_STEPS) as begin:
        begin(REPORT_STEPS[0])
        review = monthly_report(wanted, scope, review_rules())
        db.session.rollback()  # end the read transaction: nothing was written
        begin(REPORT_STEPS[1])
        content = _rendered(review, fmt)
        begin(REPORT_STEPS[2])
        with _written_when_complete(output, binary=fmt == "pdf") as stream:
            for chunk in content:
                stream.write(chunk)
    so_far = "" if review.month_is_over else f"; {review.month.label} is not over: figures so far"
    if output != "-":
        click.echo(
            f"Wrote the monthly review of {review.month.label} "
            f"({review.area_name or 'all policing areas'}) to {output}: "
            f"{len(review.flags)} flag{'' if len(review.flags) == 1 else 's'}{so_far}."
        )
    elif so_far:
        click.echo(f"{review.month.label} is not over: figures so far.", err=True)


@report.command("refigure")
def report_refigure_command() -> None:
    """Work out again the figures the monthly review keeps for every episode (minutes
    to report, time missing, episodes in the repeat window), for the window set now:
    after changing GRABPACK_REPEAT_WINDOW_DAYS, or after loading episodes in bulk.
    One transaction: a failure leaves the figures as they were."""
    from flask import current_app

    from grabpack.models.episode_figures import refigure_all

    _require_migrated()
    window_days = current_app.config["REPEAT_WINDOW_DAYS"]
    refigure_all(db.session.connection(), window_days)
    db.session.commit()
    click.echo(f"Worked out the monthly review's figures for a {window_days}-day repeat window.")


def _rendered(review: MonthlyReport, fmt: str) -> list[str] | list[bytes]:
    """The whole file's content, made before the file is opened: a failure here
    leaves the earlier file alone without a temporary one beside it."""
    if fmt == "pdf":
        from grabpack.pdf.fonts import FontsMissing
        from grabpack.pdf.monthly_report import render_monthly_report

        try:
            return [render_monthly_report(review)]
        except FontsMissing as exc:
            raise click.ClickException(str(exc)) from exc
    from grabpack.services.monthly_report_csv import report_csv_lines

    return list(report_csv_lines(review))


def _find(email: str) -> User:
    """The user with this email, or exit 1 with one line: before any password is asked."""
    from grabpack.services.users import UserError, find_user

    _require_migrated()
    try:
        return find_user(email)
    except UserError as exc:
        raise _refuse(exc) from exc


def _apply(user: User, change: Callable[[User], None]) -> None:
    """Apply ``change`` to ``user`` and commit, or exit 1 with one line."""
    from grabpack.services.users import UserError

    try:
        change(user)
        db.session.commit()
    except UserError as exc:
        raise _refuse(exc) from exc


def _change_user(email: str, change: Callable[[User], None]) -> None:
    _apply(_find(email), change)


@users.command("update")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="A new role.")
@click.option(
    "--ward",
    "wards",
    multiple=True,
    metavar="CODE",
    help="The wards the user works on now (replace the old ones); repeat for several.",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    metavar="CODE",
    help="The policing areas the user covers now (replace the old ones); repeat for several.",
)
@click.option("--name", "full_name", default=None, help="The user's full name, corrected.")
def update_user_command(
    email: str,
    role: str | None,
    wards: tuple[str, ...],
    areas: tuple[str, ...],
    full_name: str | None,
) -> None:
    """Change an account's role, wards, areas or name: a nurse moving ward, a name
    spelt wrong. A change of role or scope ends their sessions."""
    from grabpack.services.users import update_user

    user = _find(email)
    changed: list[str] = []

    def change(user: User) -> None:
        changed.extend(
            update_user(user, role=role, ward_codes=wards, area_codes=areas, full_name=full_name)
        )

    _apply(user, change)
    if not changed:
        click.echo(f"Nothing to change for {user.email}")
        return
    scope = ", ".join(w.code for w in user.wards) or ", ".join(a.code for a in user.policing_areas)
    ended = "; their sessions are ended" if set(changed) - {"name"} else ""
    click.echo(
        f"Updated {user.email} ({', '.join(changed)}): {user.role}"
        f"{f' for {scope}' if scope else ''}{ended}"
    )


@users.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Set a new password (asked for, or read from standard input); ends their sessions.
    Refused for an email an identity provider serves: no password would ever work."""
    from grabpack.auth.oidc import provider_for_email
    from grabpack.services.users import set_password

    user = _find(email)
    if served := provider_for_email(user.email):
        raise click.ClickException(
            f"{user.email} signs in with {served.label}: grabpack keeps no password for it"
        )
    password = _read_password()
    _apply(user, lambda user: set_password(user, password))
    click.echo(f"Password changed for {user.email}; their sessions are ended.")


@users.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Lift the sign-in throttle on an account, from every address."""
    from grabpack.services.users import unlock

    _change_user(email, unlock)
    click.echo(f"Unlocked {email.strip().lower()}")


@users.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop an account signing in, and end its sessions (a leaver, a lost device)."""
    from grabpack.services.users import set_active

    _change_user(email, lambda user: set_active(user, False))
    click.echo(f"Disabled {email.strip().lower()}")


@users.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Let a disabled account sign in again."""
    from grabpack.services.users import set_active

    _change_user(email, lambda user: set_active(user, True))
    click.echo(f"Enabled {email.strip().lower()}")


retention = AppGroup("retention", help="Records retention.")


@retention.command("purge")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would be deleted, patient by patient; delete nothing.",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=MAXIMUM_RETENTION_YEARS),
    default=None,
    help=f"Override GRABPACK_RETENTION_YEARS for this run; below "
    f"{LEGAL_MINIMUM_RETENTION_YEARS} only with GRABPACK_RETENTION_BELOW_LEGAL_MINIMUM=yes.",
)
def purge_command(dry_run: bool, years: int | None) -> None:
    """Delete patients discharged longer ago than the retention period."""
    from grabpack.services.patients import PatientError, purge_expired

    config = current_app.config
    years = config["RETENTION_YEARS"] if years is None else years
    _require_migrated()
    try:
        result = purge_expired(
            years, dry_run=dry_run, below_legal_minimum=config["RETENTION_BELOW_LEGAL_MINIMUM"]
        )
    except PatientError as exc:
        raise _refuse(exc) from exc
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {_counted(result.patients, 'patient')} discharged over "
        f"{_counted(years, 'year')} ago: {_counted(result.versions, 'grab-pack version')}, "
        f"{_counted(result.photos, 'photo')}, {_counted(result.episodes, 'missing episode')}."
    )
    for patient_id, discharged_at in result.discharged:
        click.echo(f"  patient {patient_id}, discharged {discharged_at:%Y-%m-%d}")
    plural = "" if result.unsaved_photos == 1 else "s"
    click.echo(
        f"{verb} {result.unsaved_photos} photo{plural} never saved with a grab pack "
        "(chosen on a form that was not saved, over a week ago)."
    )


notify = AppGroup("notify", help="Tell policing areas of missing episodes.")


@notify.command("work")
@click.option("--once", is_flag=True, help="One pass over the due messages, then exit (cron).")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.5, max=300),
    default=5.0,
    show_default=True,
    help="How long to wait for new messages when none is due.",
)
def notify_work_command(once: bool, poll_seconds: float) -> None:
    """Send the outbox's messages by email and webhook, trying failures again with a
    growing wait; runs until SIGTERM or SIGINT (which end it after the current
    message), or one pass with --once."""
    from grabpack.services.notify_worker import NoMailServer, check_can_send, work, work_once

    _require_migrated()
    try:
        check_can_send()
    except NoMailServer as exc:
        raise click.ClickException(str(exc)) from exc
    if once:
        result = work_once()
        db.session.remove()
        click.echo(f"Notifications: {result}.")
        if result.failed or result.dead:  # cron mails a failing job: someone hears of it
            raise SystemExit(1)
        return
    work(_stop_on_signals(), poll_seconds)


def _stop_on_signals() -> threading.Event:
    """An event that SIGTERM (systemd, a container) and SIGINT (Ctrl-C) set, so that the
    message being sent is finished and recorded before the worker exits."""
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        log.info("Notification worker stopping (%s)", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop


areas = AppGroup("areas", help="Policing areas: where each is told of its missing episodes.")


def _read_secret() -> str:
    """The webhook's shared secret: from a prompt at a terminal, else the first line
    of standard input; never argv, never echoed."""
    if sys.stdin.isatty():
        return click.prompt("Shared secret", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@areas.command("notify")
@click.argument("code")
@click.option(
    "--email", metavar="ADDRESS", help="Tell this inbox (e.g. the area's missing persons unit)."
)
@click.option(
    "--webhook",
    metavar="URL",
    help="POST signed JSON to this https:// URL; the shared secret is asked for, or read "
    "from standard input.",
)
@click.option(
    "--remove", "remove_id", type=int, metavar="TARGET_ID", help="Stop telling this target."
)
def areas_notify_command(
    code: str, email: str | None, webhook: str | None, remove_id: int | None
) -> None:
    """Add an email or webhook target to a policing area, or remove one (see
    `grabpack areas targets CODE` for the ids)."""
    from grabpack.services import notifications
    from grabpack.services.notifications import TargetError

    if sum(option is not None for option in (email, webhook, remove_id)) != 1:
        raise click.UsageError("Give one of --email ADDRESS, --webhook URL or --remove TARGET_ID.")
    _require_migrated()
    try:
        if remove_id is not None:
            target = _target_of(code, remove_id)
            notifications.remove(target.id)
            done = f"Removed {target.channel} target {target.id} ({target.address})"
        elif email is not None:
            target = notifications.add_email(code, email)
            done = f"Added email target {target.id} ({target.address})"
        else:
            notifications.targets_of(code)  # an unknown area is refused before the secret is asked
            target = notifications.add_webhook(code, webhook or "", _read_secret())
            done = (
                f"Added webhook target {target.id} ({target.address}); the shared secret is "
                "saved and will not be shown again"
            )
        db.session.commit()
    except TargetError as exc:
        raise _refuse(exc) from exc
    click.echo(f"{done} for policing area {code.strip().upper()}.")


def _target_of(code: str, target_id: int) -> NotificationTarget:
    """The area's active target with this id: an id from another area is refused."""
    from grabpack.services.notifications import TargetError, targets_of

    for target in targets_of(code):
        if target.id == target_id:
            return target
    raise TargetError(f"Policing area {code.strip().upper()} has no target {target_id}")


@areas.command("targets")
@click.argument("code")
def areas_targets_command(code: str) -> None:
    """List where a policing area is told: id, channel and address (never a secret)."""
    from grabpack.services.notifications import TargetError, shown_address, targets_of

    _require_migrated()
    try:
        targets = targets_of(code)
    except TargetError as exc:
        raise _refuse(exc) from exc
    db.session.rollback()
    if not targets:
        click.echo(f"Policing area {code.strip().upper()} is told of nothing yet.")
        return
    for target in targets:
        click.echo(f"{target.id}\t{target.channel}\t{shown_address(target)}")


@click.command(help="Fill an empty database with a synthetic London dataset.")
@with_appcontext
@click.option("--seed", default=2021, show_default=True, help="Random seed: same seed, same data.")
def demo(seed: int) -> None:
    from grabpack.demo import DemoRefused, load_demo

    if current_app.config["GRABPACK_ENV"] == "production":
        # Its accounts' password is printed for anyone to use: never on a real site.
        raise click.ClickException(
            "grabpack demo makes accounts whose password is public, so it does not run in "
            "production: set GRABPACK_ENV=development, on a database of its own"
        )
    _require_migrated()
    try:
        logins = load_demo(seed=seed)
    except DemoRefused as exc:
        raise _refuse(exc) from exc
    if logins is None:
        click.echo("The database already holds the demo dataset; nothing to do.")
        return
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000/login as:")
    for login in logins:
        click.echo(f"  {login.role:<13} {login.email:<36} {login.password}   {login.scope}")


OUR_COMMANDS = (users, demo, retention, export, report, notify, areas)
for _command in (*OUR_COMMANDS, migration_commands):
    main.add_command(_command)


if __name__ == "__main__":
    main()
