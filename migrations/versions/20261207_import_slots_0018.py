"""Import slots: a cluster-wide bound on how many uploaded files are read at once.

A row of import_slots is a file being read (tracker/imports/slots.py): its
number is the slot (primary key, so two workers cannot take the same one) and
its user is unique (one file at a time per user).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_slots',
        sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('holder', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_slots_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('number', name=op.f('pk_import_slots')),
        sa.UniqueConstraint('user_id', name=op.f('uq_import_slots_user_id')),
    )


def downgrade():
    op.drop_table('import_slots')
