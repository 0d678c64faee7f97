"""Company imports: an uploaded file of companies kept between its preview and its import.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 06:45:12.595116

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('company_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.Enum('ready', 'importing', 'done', 'failed', name='import_state', native_enum=False,
                               create_constraint=True, length=32), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('created_count', sa.Integer(), nullable=True),
    sa.Column('updated_count', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_company_imports_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_imports'))
    )
    with op.batch_alter_table('company_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_company_imports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('company_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_imports_user_id'))
        batch_op.drop_index(batch_op.f('ix_company_imports_created_at'))

    op.drop_table('company_imports')
