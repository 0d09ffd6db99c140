"""content_version counts changes to the drafts too

Revision ID: 0013_drafts_version
Revises: 0012_webhooks_version
Create Date: 2026-12-03 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_drafts_version'
down_revision = '0012_webhooks_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafts_version', sa.BigInteger(), server_default='0', nullable=False))
    # Past what running workers may remember, as 0012 did (see backup/database.py).
    op.execute("UPDATE content_version SET drafts_version = version")


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('drafts_version')
