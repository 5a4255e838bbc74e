"""Public appeal posters (issue 16)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 18:40:00

The record of each public appeal poster police made: the patient, the episode,
the grab-pack version used, who made it, who authorised the appeal, the choices
and when.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeal_posters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=False),
        sa.Column("grab_pack_version_number", sa.Integer(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=False),
        sa.Column("authorised_by", sa.String(length=100), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_appeal_posters_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["missing_episodes.id"],
            name=op.f("fk_appeal_posters_episode_id_missing_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["users.id"], name=op.f("fk_appeal_posters_made_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_posters")),
    )
    with op.batch_alter_table("appeal_posters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_posters_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appeal_posters_episode_id"), ["episode_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("appeal_posters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_posters_episode_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_posters_patient_id"))
    op.drop_table("appeal_posters")
