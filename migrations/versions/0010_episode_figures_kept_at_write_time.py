"""Monthly review figures kept when an episode is written (issue 11)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:40:00

The monthly review worked out, for every episode of a month, its minutes to
report, its time missing, and a correlated count of the patient's episodes in the
repeat window: most of its cost at a trust's volume (benchmarks/RESULTS.md). These
become columns of ``missing_episodes``, kept by ``grabpack.models.episode_figures``
whenever an episode is written, and filled here for every existing episode with
the same SQL. ``kept_figures`` records the window length they were counted for
(the default, 90 days); a deployment with another ``GRABPACK_REPEAT_WINDOW_DAYS``
runs ``grabpack report refigure`` (until then the review counts live).

The month's two indexes, ``(ward_id, noticed_at)`` and ``(noticed_at, ward_id)``,
become covering ones carrying these columns (and the patient), so the review reads
a month from the index alone: SQLite walks the wards, PostgreSQL the month's range
(benchmarks/RESULTS.md, the plans).

At a trust's volume (tens of thousands of episodes) the fill takes seconds. The
wide indexes are made after it, so the fill does not keep them up row by row:
``benchmarks/report.py``, which recounts a million loaded episodes with every index
already in place, takes about 30 s on SQLite and 5 minutes on PostgreSQL (which
rewrites each row and its index entries).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The columns the month's covering indexes carry after the time and ward.
KEPT = ["patient_id", "minutes_to_report", "minutes_missing", "window_episodes", "window_top_grade"]


def upgrade() -> None:
    from grabpack.models.episode_figures import DEFAULT_WINDOW_DAYS, refigure_all

    kept = op.create_table(
        "kept_figures",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kept_figures")),
    )
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("minutes_to_report", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("minutes_missing", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("window_episodes", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(
            sa.Column("window_top_grade", sa.SmallInteger(), server_default="0", nullable=False)
        )
    episodes = sa.table(
        "missing_episodes",
        *(
            sa.column(name, sa.DateTime(timezone=True))
            for name in (
                "noticed_at",
                "reported_at",
                "returned_at",
                "leave_due_back_at",
                "last_seen_at",
            )
        ),
        sa.column("id", sa.Uuid()),
        sa.column("patient_id", sa.Uuid()),
        sa.column("police_risk_grade", sa.String()),
        sa.column("minutes_to_report", sa.Integer()),
        sa.column("minutes_missing", sa.Integer()),
        sa.column("window_episodes", sa.Integer()),
        sa.column("window_top_grade", sa.SmallInteger()),
    )
    refigure_all(op.get_bind(), DEFAULT_WINDOW_DAYS, kept_table=kept, episodes_table=episodes)
    # The month's figures from the index alone (made after the fill: built once, not
    # kept up row by row). The narrower indexes they replace serve nothing these do not.
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_missing_episodes_ward_noticed")
        batch_op.drop_index("ix_missing_episodes_noticed_ward")
        batch_op.create_index(
            "ix_missing_episodes_ward_noticed_kept", ["ward_id", "noticed_at", *KEPT], unique=False
        )
        batch_op.create_index(
            "ix_missing_episodes_noticed_ward_kept",
            ["noticed_at", "ward_id", *KEPT, "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("missing_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_missing_episodes_noticed_ward_kept")
        batch_op.drop_index("ix_missing_episodes_ward_noticed_kept")
        batch_op.create_index("ix_missing_episodes_noticed_ward", ["noticed_at", "ward_id"])
        batch_op.create_index("ix_missing_episodes_ward_noticed", ["ward_id", "noticed_at"])
        batch_op.drop_column("window_top_grade")
        batch_op.drop_column("window_episodes")
        batch_op.drop_column("minutes_missing")
        batch_op.drop_column("minutes_to_report")
    op.drop_table("kept_figures")
