"""blank values in one shape

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:40:00

Grab-pack versions stored blanks in two shapes: the form left a blank field out,
the demo and imports wrote it as ``""`` (and an empty list entry as a dict of
``""``), so versions that say the same thing compared unequal and the diff showed
"Contact 1: changed" with nothing before or after. Every version's ``data`` is
rewritten in the one shape (``grabpack.domain.pack_data.in_one_shape``, imported
on purpose, as 0004 does: the data step must say exactly what every save now
does): a blank field is absent, an empty section or list is absent, an entry
whose every field is blank is dropped.

Only ``data`` changes, and only its blanks: a version keeps its number, author,
times, photo, completeness and review dates. Versions already in the shape are
not written. Rows are read and written a page at a time (one executemany per
page), on SQLite and PostgreSQL alike. The downgrade has nothing to undo: the
blanks carried no meaning.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PAGE = 500


def upgrade():
    from grabpack.domain.pack_data import in_one_shape

    bind = op.get_bind()
    versions = sa.table(
        'grab_pack_versions', sa.column('id', sa.Integer()), sa.column('data', sa.JSON())
    )
    write = (
        sa.update(versions)
        .where(versions.c.id == sa.bindparam('version_id'))
        .values(data=sa.bindparam('new_data'))
    )
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(versions.c.id, versions.c.data)
            .where(versions.c.id > last_id)
            .order_by(versions.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        changed = [
            {'version_id': row.id, 'new_data': shaped}
            for row in rows
            if (shaped := in_one_shape(row.data)) != row.data
        ]
        if changed:
            bind.execute(write, changed)


def downgrade():
    pass  # the old shapes of a blank said nothing: there is nothing to put back
