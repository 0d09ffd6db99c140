"""content_version counts changes to the webhooks too

Revision ID: 0012_webhooks_version
Revises: 0011_revision_etag
Create Date: 2026-12-03 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_webhooks_version'
down_revision = '0011_revision_etag'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhooks_version', sa.BigInteger(), server_default='0', nullable=False))
    # Past what running workers may remember (as 0004 did): a restored archive made before this
    # migration has had its version moved past every live one (backup/database.py).
    op.execute("UPDATE content_version SET webhooks_version = version")


def downgrade():
    with op.batch_alter_table('content_version', schema=None) as batch_op:
        batch_op.drop_column('webhooks_version')
