"""Partial indexes of the deleted rows, for the admin's list of deleted records.

Found by timing every page as each role at 1,000,000 sessions: the list of
deleted records (tracker/admin/deletions.py) read every company, engagement,
session, insight and action of the country to find the few deleted ones
(0.65 s on SQLite). Each index holds only the rows whose deleted_at is set.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

DELETED = sa.text("deleted_at IS NOT NULL")
TABLES = ("companies", "engagements", "dialogue_sessions", "insights", "actions")


def upgrade():
    for table in TABLES:
        op.create_index(f"ix_{table}_deleted_at", table, ["deleted_at"], sqlite_where=DELETED,
                        postgresql_where=DELETED)


def downgrade():
    for table in TABLES:
        op.drop_index(f"ix_{table}_deleted_at", table_name=table)
