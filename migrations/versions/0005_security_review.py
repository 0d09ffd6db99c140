"""security review: login attempts, login-made keys, case-insensitive usernames

Revision ID: 0005_security_review
Revises: 0004_media_version
Create Date: 2026-12-02 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import portfolio_service.database


# revision identifiers, used by Alembic.
revision = '0005_security_review'
down_revision = '0004_media_version'
branch_labels = None
depends_on = None


def upgrade():
    # Throttle rows live 15 minutes: the old failures need not be carried over
    # (dropping the table drops its indexes).
    op.drop_table('login_failure')
    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_address_created_at', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempt_username_created_at', ['username', 'created_at'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_login', sa.Boolean(), server_default='0', nullable=False))
    # Keys made by login were all named "login" until now.
    op.execute("UPDATE api_token SET from_login = (name = 'login')")

    clashes = op.get_bind().execute(sa.text(
        "SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1"
    )).scalars().all()
    if clashes:
        raise RuntimeError(
            "Usernames must be unique whatever their case; rename or delete one of each before "
            f"upgrading: {', '.join(clashes)}"
        )
    op.create_index('uq_users_username_lower', 'users', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('uq_users_username_lower', table_name='users')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('from_login')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_username_created_at')
        batch_op.drop_index('ix_login_attempt_address_created_at')
    op.drop_table('login_attempt')
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', portfolio_service.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_address_created_at', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_login_failure_username_created_at', ['username', 'created_at'], unique=False)
