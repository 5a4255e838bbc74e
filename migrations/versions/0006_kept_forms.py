"""kept forms

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:30:00

A form sent after the idle sign-out is no longer lost: its entries are kept,
encrypted, for a short time, and put back after the sender signs in again.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_forms_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_forms')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kept_forms_token_hash'))
    )
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_forms_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kept_forms_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('kept_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_forms_expires_at'))
        batch_op.drop_index(batch_op.f('ix_kept_forms_user_id'))
    op.drop_table('kept_forms')
