"""Sign-in identities from OpenID Connect providers (issue 13)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 18:40:00

A user who signs in through an identity provider (NHS identity, a force's
directory) is matched on the provider's subject id after the first sign-in:
one row per user and provider. No tokens are stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_oidc_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_identities")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_oidc_identities_provider")),
        sa.UniqueConstraint("user_id", "provider", name=op.f("uq_oidc_identities_user_id")),
    )


def downgrade() -> None:
    op.drop_table("oidc_identities")
