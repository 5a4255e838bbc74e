"""The ``grabpack`` command: Flask's own commands (run, db, shell) plus ours."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from grabpack.extensions import db
from grabpack.models import Role


def _create_app() -> Flask:
    from grabpack import create_app
    from grabpack.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(
    cls=FlaskGroup, create_app=_create_app, help="grabpack: grab packs and missing episodes."
)
def main() -> None:
    """Entry point of the ``grabpack`` console script."""


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(retention)
    app.cli.add_command(export)


users = AppGroup("users", help="Manage user accounts.")


def _read_password() -> str:
    """From a prompt at a terminal, else the first line of standard input; never argv."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


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
@click.option("--name", "full_name", default="", help="The user's full name.")
def create_user_command(
    email: str, role: str, wards: tuple[str, ...], areas: tuple[str, ...], full_name: str
) -> None:
    """Create a user. The password is asked for, or read from standard input."""
    from grabpack.services.users import UserError, create_user

    password = _read_password()
    try:
        user = create_user(
            email, role, password, ward_codes=wards, area_codes=areas, full_name=full_name
        )
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.role} {user.email}")


export = AppGroup("export", help="Export data for review.")


@export.command("episodes")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day (YYYY-MM-DD) an episode was noticed, inclusive.",
)
@click.option(
    "--to",
    "end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Last day (YYYY-MM-DD), inclusive.",
)
@click.option("--format", "fmt", type=click.Choice(["csv"]), required=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write; standard output by default.",
)
def export_episodes_command(start, end, fmt: str, output: str) -> None:
    """One row per missing episode, with opaque patient ids and reporting quality."""
    from grabpack.policies import reporting_policy
    from grabpack.services.exports import EPISODE_COLUMNS, csv_lines, episode_rows

    if start and end and end < start:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    rows = episode_rows(
        start.date() if start else None,
        end.date() if end else None,
        policy=reporting_policy(),
    )
    with click.open_file(output, "w", encoding="utf-8") as stream:
        for chunk in csv_lines(EPISODE_COLUMNS, rows):
            stream.write(chunk)


def _change_user(email: str, change) -> None:
    """Apply ``change`` to the user with this email, or exit 1 with one line."""
    from grabpack.services.users import UserError, find_user

    try:
        user = find_user(email)
        change(user)
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc


@users.command("set-password")
@click.argument("email")
def set_password_command(email: str) -> None:
    """Set a new password (asked for, or read from standard input); ends their sessions."""
    from grabpack.services.users import set_password

    password = _read_password()
    _change_user(email, lambda user: set_password(user, password))
    click.echo(f"Password changed for {email.strip().lower()}; their sessions are ended.")


@users.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Lift a lockout after too many failed sign-ins."""
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
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option(
    "--years",
    type=click.IntRange(min=1),
    default=None,
    help="Override GRABPACK_RETENTION_YEARS for this run.",
)
def purge_command(dry_run: bool, years: int | None) -> None:
    """Delete patients discharged longer ago than the retention period."""
    from flask import current_app

    from grabpack.services.patients import purge_expired

    years = years or current_app.config["RETENTION_YEARS"]
    result = purge_expired(years, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {result.patients} patients discharged over {years} years ago: "
        f"{result.versions} grab-pack versions, {result.photos} photos, "
        f"{result.episodes} missing episodes."
    )


@click.command(help="Fill an empty database with a synthetic London dataset.")
@with_appcontext
@click.option("--seed", default=2021, show_default=True, help="Random seed: same seed, same data.")
def demo(seed: int) -> None:
    from grabpack.demo import DemoRefused, load_demo

    try:
        logins = load_demo(seed=seed)
    except DemoRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    if logins is None:
        click.echo("The database already holds the demo dataset; nothing to do.")
        return
    click.echo("Demo data loaded. Sign in at http://127.0.0.1:5000/login as:")
    for login in logins:
        click.echo(f"  {login.role:<13} {login.email:<36} {login.password}   {login.scope}")


if __name__ == "__main__":
    main()
