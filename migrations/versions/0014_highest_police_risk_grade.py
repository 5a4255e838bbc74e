"""The highest police risk grade each episode has had (issue 11, the review)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:10:00

The monthly review's high-risk repeat is "a repeat patient graded high risk by
police in the window". It read each episode's grade as it stands now, so a grade
police lowered later (high at the report, medium once the patient was seen) no
longer counted. ``highest_police_risk_grade`` keeps the highest grade given, set
whenever a grade is (``MissingEpisode._kept_highest``); filled here from the grade
history (``risk_grade_changes``) and the current grade, then every episode's kept
highest grade in its repeat window is worked out again from it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Lowest first: each update raises the grade of the episodes given it, so the last
# one that applies is the highest.
GRADES = ("very_low", "low", "medium", "high")


def _episodes(*extra: sa.Column) -> sa.TableClause:
    return sa.table(
        "missing_episodes",
        *(
            sa.column(name, sa.DateTime(timezone=True))
            for name in ("noticed_at", "reported_at", "returned_at", "leave_due_back_at", "last_seen_at")
        ),
        sa.column("id", sa.Uuid()),
        sa.column("patient_id", sa.Uuid()),
        sa.column("police_risk_grade", sa.String()),
        sa.column("minutes_to_report", sa.Integer()),
        sa.column("minutes_missing", sa.Integer()),
        sa.column("window_episodes", sa.Integer()),
        sa.column("window_top_grade", sa.SmallInteger()),
        *extra,
    )


def _refigure(episodes: sa.TableClause) -> None:
    """Every episode's highest grade in its repeat window, for the window the kept
    figures are for (as ``grabpack report refigure`` would)."""
    from grabpack.models.episode_figures import (
        DEFAULT_WINDOW_DAYS,
        REPEAT_WINDOW_DAYS,
        refigure_all,
    )

    kept = sa.table(
        "kept_figures", sa.column("name", sa.String()), sa.column("value", sa.Integer())
    )
    bind = op.get_bind()
    window_days = bind.execute(
        sa.select(kept.c.value).where(kept.c.name == REPEAT_WINDOW_DAYS)
    ).scalar()
    refigure_all(
        bind, window_days or DEFAULT_WINDOW_DAYS, kept_table=kept, episodes_table=episodes
    )


def upgrade() -> None:
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("highest_police_risk_grade", sa.String(length=10)))
    episodes = _episodes(sa.column("highest_police_risk_grade", sa.String()))
    changes = sa.table("risk_grade_changes", sa.column("episode_id", sa.Uuid()), sa.column("grade", sa.String()))
    for grade in GRADES:
        given = sa.select(changes.c.episode_id).where(changes.c.grade == grade)
        op.execute(
            episodes.update()
            .where(sa.or_(episodes.c.police_risk_grade == grade, episodes.c.id.in_(given)))
            .values(highest_police_risk_grade=grade)
        )
    _refigure(episodes)


def downgrade() -> None:
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.drop_column("highest_police_risk_grade")
    _refigure(_episodes())
