"""Soft delete: companies, engagements, sessions, insights and actions are marked
deleted (when, by whom) instead of removed, so an admin can restore them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:45:12.595116

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_actions_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_companies_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dialogue_sessions_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_engagements_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('insights', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_insights_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('insights', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_insights_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_engagements_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dialogue_sessions_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_companies_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_actions_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
