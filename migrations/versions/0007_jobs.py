"""jobs: the workers' heartbeats, and the jobs that failed their last try

Revision ID: 0007_jobs
Revises: 0006_media_alt
Create Date: 2026-12-03 08:17:35.618396

"""
from alembic import op
import sqlalchemy as sa

import portfolio_service.database  # noqa: F401  (column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision = '0007_jobs'
down_revision = '0006_media_alt'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=200), nullable=False),
    sa.Column('error', sa.String(length=1000), nullable=False),
    sa.Column('failed_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failure'))
    )
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_failure_failed_at'), ['failed_at'], unique=False)

    op.create_table('job_worker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('started_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('job', sa.String(length=200), nullable=True),
    sa.Column('job_started_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_worker')),
    sa.UniqueConstraint('name', name=op.f('uq_job_worker_name'))
    )
    with op.batch_alter_table('job_worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_worker_seen_at'), ['seen_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_worker_seen_at'))

    op.drop_table('job_worker')
    with op.batch_alter_table('job_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_failure_failed_at'))

    op.drop_table('job_failure')