"""notifications

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00

Where each policing area is told of a new, re-graded or closed missing episode,
and the outbox of messages waiting to be sent by ``grabpack notify work``.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policing_area_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=False),
    sa.Column('secret_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['policing_area_id'], ['policing_areas.id'],
                            name=op.f('fk_notification_targets_policing_area_id_policing_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_notification_targets_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_targets'))
    )
    with op.batch_alter_table('notification_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_targets_policing_area_id'),
                              ['policing_area_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Uuid(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['target_id'], ['notification_targets.id'],
                            name=op.f('fk_outbox_messages_target_id_notification_targets')),
    sa.ForeignKeyConstraint(['episode_id'], ['missing_episodes.id'],
                            name=op.f('fk_outbox_messages_episode_id_missing_episodes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_messages_idempotency_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_target_id'), ['target_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_episode_id'), ['episode_id'],
                              unique=False)
        batch_op.create_index('ix_outbox_messages_status_next', ['status', 'next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_episode_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_target_id'))
    op.drop_table('outbox_messages')
    with op.batch_alter_table('notification_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_targets_policing_area_id'))
    op.drop_table('notification_targets')
