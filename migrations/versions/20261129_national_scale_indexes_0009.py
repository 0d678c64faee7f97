"""Indexes for national scale: the per-engagement figures and the summary's
sessions, over live (not soft-deleted) rows only.

Every ORM select adds `deleted_at IS NULL` (tracker/models/common.py), so these
are partial indexes with that very condition; deleted_at is also their last
column, which lets SQLite answer from the index alone (it does not infer that
the partial index's condition already holds).

- dialogue_sessions (engagement_id, held_on, duration_minutes): the last session
  and "a session since ..." of an engagement (pipeline cards, attention flags),
  one look-up each; the sessions and minutes of a period (summary, workload);
- actions (engagement_id, due_on, state, done_on): open and overdue actions of an
  engagement; the actions due in a period and whether they were done on time (summary);
- insights (engagement_id, created_at, category, barrier): the insights recorded in
  a period, by category and barrier (summary).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 07:35:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
INDEXES = (
    ("ix_dialogue_sessions_live_engagement_id_held_on", "dialogue_sessions",
     ["engagement_id", "held_on", "duration_minutes", "deleted_at"]),
    ("ix_actions_live_engagement_id_due_on", "actions", ["engagement_id", "due_on", "state", "done_on", "deleted_at"]),
    ("ix_insights_live_engagement_id_created_at", "insights",
     ["engagement_id", "created_at", "category", "barrier", "deleted_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
