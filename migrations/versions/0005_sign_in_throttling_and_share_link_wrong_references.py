"""sign-in throttling and share-link wrong references

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:00:00

Failed sign-ins no longer lock an account (anyone who knew a nurse's email could
keep her out and end her session); they throttle the account-and-address pair,
counted in the database so that every worker and server agrees. Share links
count wrong police references in the database and are disabled at a limit.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('account_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttles')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_sign_in_throttles_key_hash'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_account_hash'), ['account_hash'], unique=False)

    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wrong_references', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))

    # Plain ALTER TABLE (SQLite 3.35+ drops columns itself): recreating `users` on
    # SQLite would trip every foreign key that points at it.
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('wrong_references')

    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_account_hash'))

    op.drop_table('sign_in_throttles')
