"""The episode export cuts at London midnight, as the wards count days, whether it is
asked for by the CLI or a ward manager's CSV download."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from grabpack.extensions import db
from grabpack.services.exports import day_range
from tests.factories import FULL_LEGAL, open_for, patient_on

# The two ends of 1 to 24 October 2026 (BST, UTC+1) as the ward lives them.
JUST_BEFORE = datetime(2026, 9, 30, 22, 59, tzinfo=UTC)  # 23:59 BST on 30 September
FIRST_THING = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)  # 00:30 BST on 1 October
LAST_THING = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 23:30 BST on 24 October
JUST_AFTER = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 00:30 BST on 25 October


@pytest.fixture
def around_october(app, world) -> dict[datetime, str]:
    """One episode at each edge, each its own patient; their ids by noticed time."""
    ids = {}
    with app.app_context():
        for n, noticed in enumerate((JUST_BEFORE, FIRST_THING, LAST_THING, JUST_AFTER)):
            patient = patient_on("WA1", f"Edge {n}", FULL_LEGAL, world.nurse_a)
            episode = open_for(
                patient,
                world.nurse_a,
                noticed_at=noticed,
                last_seen_at=noticed - timedelta(minutes=20),
                reported_at=noticed + timedelta(minutes=15),
            )
            ids[noticed] = str(episode.id)
        db.session.commit()
    return ids


def exported_ids(text: str) -> set[str]:
    return {row["episode_id"] for row in csv.DictReader(io.StringIO(text))}


def test_cli_export_takes_whole_london_days(app, runner, around_october, tmp_path):
    output = tmp_path / "october.csv"
    result = runner.invoke(
        args=[
            "export",
            "episodes",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-24",
            "--format",
            "csv",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    assert exported_ids(output.read_text()) == {
        around_october[FIRST_THING],
        around_october[LAST_THING],
    }


def test_ward_csv_download_takes_whole_london_days(client, auth, world, around_october):
    auth.login(world.manager_a)
    response = client.get("/wards/WA1/episodes.csv?from=2026-10-01&to=2026-10-24")
    assert response.status_code == 200
    assert exported_ids(response.text) == {
        around_october[FIRST_THING],
        around_october[LAST_THING],
    }


def test_admin_csv_download_takes_whole_london_days(client, auth, world, around_october):
    auth.login(world.admin)
    response = client.get("/admin/episodes.csv?from=2026-10-25&to=2026-12-31")
    assert response.status_code == 200
    assert exported_ids(response.text) == {around_october[JUST_AFTER]}


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 10, 25), 25),  # clocks go back: a 25-hour London day
        (date(2026, 3, 29), 23),  # clocks go forward: a 23-hour London day
        (date(2026, 7, 1), 24),
        (date(2026, 12, 1), 24),
    ],
)
def test_a_london_day_is_as_long_as_the_clocks_make_it(day, hours):
    since, until = day_range(day, day)
    assert until - since == timedelta(hours=hours)


def test_an_export_to_the_last_day_there_is_has_no_end():
    assert day_range(None, date.max) == (None, None)


# --- The monthly review's thresholds come from the settings, like the export's policy ---


def test_review_thresholds_come_from_the_settings(app_factory):
    from grabpack.domain.monthly_review import PoorReportingRule, VolumeRule
    from grabpack.policies import poor_reporting_rule, volume_rule

    with app_factory().app_context():
        assert volume_rule() == VolumeRule(episodes=5, rise_percent=50)
        assert poor_reporting_rule() == PoorReportingRule(share_percent=25)
    trust = app_factory(
        HIGH_VOLUME_EPISODES=8, HIGH_VOLUME_RISE_PERCENT=30, POOR_REPORTING_PERCENT=40
    )
    with trust.app_context():
        assert volume_rule() == VolumeRule(episodes=8, rise_percent=30)
        assert poor_reporting_rule() == PoorReportingRule(share_percent=40)


@pytest.mark.parametrize(
    "overrides",
    [
        {"HIGH_VOLUME_EPISODES": 0},
        {"HIGH_VOLUME_RISE_PERCENT": -1},
        {"POOR_REPORTING_PERCENT": 101},
    ],
)
def test_review_thresholds_out_of_range_stop_start_up(app_factory, overrides):
    from grabpack.config import ConfigError

    with pytest.raises(ConfigError):
        app_factory(**overrides)
