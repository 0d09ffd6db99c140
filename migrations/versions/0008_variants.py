"""responsive images (section 9): focal point, placeholder, variants and their state

Revision ID: 0008_variants
Revises: 0007_jobs
Create Date: 2026-12-03 08:26:01.146754

"""
from alembic import op
import sqlalchemy as sa

import portfolio_service.database  # noqa: F401  (column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0008_variants'
down_revision = '0007_jobs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('focal_x', sa.Float(), server_default='0.5', nullable=False))
        batch_op.add_column(sa.Column('focal_y', sa.Float(), server_default='0.5', nullable=False))
        batch_op.add_column(sa.Column('placeholder_color', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('placeholder_thumbhash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('variants_status', sa.String(length=16), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('variants_requested_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('variants', sa.JSON(), server_default='[]', nullable=False))
        batch_op.create_index(batch_op.f('ix_media_variants_status'), ['variants_status'], unique=False)

    # Images stored before this have no variants yet: pending, so the workers' sweep makes them.
    op.execute("UPDATE media SET variants_status = 'pending' WHERE width IS NOT NULL")


def downgrade():
    with op.batch_alter_table('media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_variants_status'))
        batch_op.drop_column('variants')
        batch_op.drop_column('variants_requested_at')
        batch_op.drop_column('variants_status')
        batch_op.drop_column('placeholder_thumbhash')
        batch_op.drop_column('placeholder_color')
        batch_op.drop_column('focal_y')
        batch_op.drop_column('focal_x')
