"""episode legal facts and the power to retake

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:30:00

An episode now records the legal position as the ward stated it when reporting,
when the patient went (leave due back), and the power to retake worked out from
those facts (answer, end moment and the whole statement), replacing the single
``s18_expires_on`` date, which was a day late for every period "beginning with" a
day and named no reason.

Existing episodes get the statement recomputed from the facts they have: their
own legal status, the section dates in the grab-pack version they used, and the
time last seen as the start of the absence. Where those facts are missing the
statement is "not known" and names what is missing. The rule is the product's
one pure function (``grabpack.domain.retake``), imported here on purpose: the
data step must say exactly what every screen says.
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leave_due_back_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('section_start_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('section_start_time', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('period_ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('cto_recalled_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('detention_ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retake_answer', sa.String(length=20), nullable=False,
                                      server_default='not_known'))
        batch_op.add_column(sa.Column('retake_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retake_statement', sa.JSON(), nullable=True))

    _restate_existing_episodes()

    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.alter_column('retake_statement', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('s18_expires_on')


def _restate_existing_episodes():
    from grabpack.domain.retake import LegalFacts, legal_facts_from_pack, power_to_retake

    bind = op.get_bind()
    episodes = sa.table(
        'missing_episodes',
        sa.column('id', sa.Uuid()),
        sa.column('patient_id', sa.Uuid()),
        sa.column('grab_pack_version_number', sa.Integer()),
        sa.column('legal_status', sa.String()),
        sa.column('last_seen_at', sa.DateTime(timezone=True)),
        sa.column('section_start_on', sa.Date()),
        sa.column('section_start_time', sa.Time()),
        sa.column('period_ends_on', sa.Date()),
        sa.column('cto_recalled_on', sa.Date()),
        sa.column('detention_ended_on', sa.Date()),
        sa.column('retake_answer', sa.String()),
        sa.column('retake_ends_at', sa.DateTime(timezone=True)),
        sa.column('retake_statement', sa.JSON()),
    )
    packs = sa.table('grab_packs', sa.column('id', sa.Integer()), sa.column('patient_id', sa.Uuid()))
    versions = sa.table(
        'grab_pack_versions',
        sa.column('grab_pack_id', sa.Integer()),
        sa.column('number', sa.Integer()),
        sa.column('data', sa.JSON()),
    )
    rows = bind.execute(
        sa.select(
            episodes.c.id,
            episodes.c.legal_status,
            episodes.c.last_seen_at,
            versions.c.data,
        )
        .select_from(episodes)
        .outerjoin(packs, packs.c.patient_id == episodes.c.patient_id)
        .outerjoin(
            versions,
            sa.and_(
                versions.c.grab_pack_id == packs.c.id,
                versions.c.number == episodes.c.grab_pack_version_number,
            ),
        )
    ).all()
    sqlite = bind.dialect.name == 'sqlite'
    for episode_id, status, last_seen, data in rows:
        from_pack = legal_facts_from_pack(data or {})
        facts = LegalFacts(
            legal_status=status or '',
            section_start_on=from_pack.section_start_on,
            section_start_time=from_pack.section_start_time,
            period_ends_on=from_pack.period_ends_on,
            cto_recalled_on=from_pack.cto_recalled_on,
            detention_ended_on=from_pack.detention_ended_on,
        )
        if last_seen is not None and last_seen.tzinfo is None:
            last_seen = last_seen.replace(tzinfo=UTC)
        power = power_to_retake(facts, last_seen)
        ends_at = power.ends_at
        if ends_at is not None and sqlite:  # stored as UTC wall time, as UTCDateTime does
            ends_at = ends_at.astimezone(UTC).replace(tzinfo=None)
        bind.execute(
            episodes.update()
            .where(episodes.c.id == episode_id)
            .values(
                section_start_on=facts.section_start_on,
                section_start_time=facts.section_start_time,
                period_ends_on=facts.period_ends_on,
                cto_recalled_on=facts.cto_recalled_on,
                detention_ended_on=facts.detention_ended_on,
                retake_answer=power.answer.value,
                retake_ends_at=ends_at,
                retake_statement=power.to_record(),
            )
        )


def downgrade():
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('s18_expires_on', sa.Date(), nullable=True))
        batch_op.drop_column('retake_statement')
        batch_op.drop_column('retake_ends_at')
        batch_op.drop_column('retake_answer')
        batch_op.drop_column('detention_ended_on')
        batch_op.drop_column('cto_recalled_on')
        batch_op.drop_column('period_ends_on')
        batch_op.drop_column('section_start_time')
        batch_op.drop_column('section_start_on')
        batch_op.drop_column('leave_due_back_at')
