"""media version: rendered media outlive portfolio edits

Revision ID: 0004_media_version
Revises: 0003_content_version
Create Date: 2026-11-28 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portfolio_service.database  # noqa: F401  (column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0004_media_version'
down_revision = '0003_content_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_version', sa.BigInteger(), server_default='0', nullable=False))
    # Start at the content version, which every media write has moved too: it is
    # past any media version a worker can hold, also after restoring an older archive.
    op.execute("UPDATE content_version SET media_version = version")


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('media_version')
