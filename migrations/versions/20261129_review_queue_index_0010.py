"""The review queue's index: sessions of one state within the cases in scope.

Found by `make bench` at 1,000,000 sessions: with sampled statistics SQLite
walked every submitted session of the country (ix_dialogue_sessions_state_held_on)
to find the few of one manager's regions, 0.2-4 s for the review queue and the
manager's home page. (state, engagement_id) seeks exactly those, whatever the
statistics say. Partial and ending in deleted_at, like the indexes of 0009.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 08:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade():
    op.create_index(
        "ix_dialogue_sessions_live_state_engagement_id", "dialogue_sessions", ["state", "engagement_id", "deleted_at"],
        sqlite_where=LIVE, postgresql_where=LIVE,
    )


def downgrade():
    op.drop_index("ix_dialogue_sessions_live_state_engagement_id", table_name="dialogue_sessions")
