"""media alt text (section 9 of the contract): the image's text alternative, "" until written

Revision ID: 0006_media_alt
Revises: 0005_security_review
Create Date: 2026-12-03 07:35:07.272713

"""
from alembic import op
import sqlalchemy as sa

import portfolio_service.database  # noqa: F401  (column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0006_media_alt'
down_revision = '0005_security_review'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alt', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_column('alt')
