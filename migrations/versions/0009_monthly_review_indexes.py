"""monthly review indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:00:00

Two indexes for the monthly review (``grabpack.services.monthly_report``), measured
with ``benchmarks/report.py`` (1,000,000 episodes; see benchmarks/RESULTS.md):

* ``(noticed_at, ward_id)``: every figure of a month starts from the episodes
  noticed in it. PostgreSQL cannot skip through ``(ward_id, noticed_at)``, so it
  read the whole table for each of the review's statements (70-150 ms each at that
  size); with this it reads the month's range, and counts episodes per ward per
  month (the trend) from the index alone.
* ``(patient_id, noticed_at, police_risk_grade)`` in place of
  ``(patient_id, noticed_at)``: the repeat rule counts a patient's episodes in the
  window ending at each episode, and the review also takes the highest police risk
  grade in those windows; with the grade in the index both are read from the index
  alone, never the table. It serves every query the narrower index served.

Index changes only: no data is rewritten. ``CREATE INDEX`` holds writes to
``missing_episodes`` while it runs (seconds at a London trust's volume).
"""

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.create_index('ix_missing_episodes_noticed_ward', ['noticed_at', 'ward_id'],
                              unique=False)
        batch_op.create_index('ix_missing_episodes_patient_noticed_grade',
                              ['patient_id', 'noticed_at', 'police_risk_grade'], unique=False)
        batch_op.drop_index('ix_missing_episodes_patient_noticed')


def downgrade():
    with op.batch_alter_table('missing_episodes', schema=None) as batch_op:
        batch_op.create_index('ix_missing_episodes_patient_noticed', ['patient_id', 'noticed_at'],
                              unique=False)
        batch_op.drop_index('ix_missing_episodes_patient_noticed_grade')
        batch_op.drop_index('ix_missing_episodes_noticed_ward')
