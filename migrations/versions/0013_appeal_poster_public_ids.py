"""Appeal posters get opaque public ids

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:40:00

A poster's URL and file name carried its integer id, which counts the posters
made trust-wide; they now carry ``public_id``, a random UUID, as patients' and
episodes' do. Posters already made get one each here; the integer id stays the
key (audit rows written before this name it).
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appeal_posters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.Uuid(), nullable=True))
    posters = sa.table("appeal_posters", sa.column("id", sa.Integer), sa.column("public_id", sa.Uuid))
    connection = op.get_bind()
    for (poster_id,) in connection.execute(sa.select(posters.c.id)).all():
        connection.execute(
            posters.update().where(posters.c.id == poster_id).values(public_id=uuid.uuid4())
        )
    with op.batch_alter_table("appeal_posters", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_appeal_posters_public_id"), ["public_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("appeal_posters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_appeal_posters_public_id"), type_="unique")
        batch_op.drop_column("public_id")
