"""Stored figures behind the pipeline board's attention flags and the workload
report (tracker/models/tallies.py: PipelineTally, WorkloadTally).

Found by timing every page as an admin at 1,000,000 sessions:

- the national board asked, for each of ~9,000 engagements on every request,
  whether it had a recent session and an overdue action (two index look-ups
  each, ~35 ms of its ~100 ms on SQLite). pipeline_tallies holds each
  engagement's last session day and the earliest due date of its open actions,
  so the flags are column comparisons;
- the national workload of a quarter looked up the team of each of ~70,000
  sessions (0.2 s on PostgreSQL). workload_tallies holds, per engagement, day
  and person, the sessions they wrote or attended and their minutes.

Every flush keeps both up to date (tracker/summaries/tallies.py). The upgrade
fills them from the records with statements of this revision's own (not the
application's code, which may change later).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 17:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

FILL = """
INSERT INTO pipeline_tallies (engagement_id, last_session_on, first_open_due_on)
SELECT id, last_session_on, first_open_due_on FROM (
    SELECT engagements.id,
        (SELECT max(held_on) FROM dialogue_sessions
         WHERE engagement_id = engagements.id AND deleted_at IS NULL) AS last_session_on,
        (SELECT min(due_on) FROM actions
         WHERE engagement_id = engagements.id AND deleted_at IS NULL AND due_on IS NOT NULL
           AND state IN ('planned', 'in_progress')) AS first_open_due_on
    FROM engagements
) AS figures
WHERE last_session_on IS NOT NULL OR first_open_due_on IS NOT NULL
"""
# Each session once per person: for its author, and for each team attendee who is not the author.
FILL_WORKLOAD = """
INSERT INTO workload_tallies (engagement_id, held_on, user_id, sessions, minutes)
SELECT engagement_id, held_on, user_id, count(*), sum(duration_minutes) FROM (
    SELECT engagement_id, held_on, author_id AS user_id, duration_minutes FROM dialogue_sessions
    WHERE deleted_at IS NULL AND author_id IS NOT NULL
    UNION ALL
    SELECT dialogue_sessions.engagement_id, dialogue_sessions.held_on, session_team.user_id,
        dialogue_sessions.duration_minutes
    FROM dialogue_sessions JOIN session_team ON session_team.session_id = dialogue_sessions.id
    WHERE dialogue_sessions.deleted_at IS NULL
      AND (dialogue_sessions.author_id IS NULL OR session_team.user_id <> dialogue_sessions.author_id)
) AS present
GROUP BY engagement_id, held_on, user_id
"""


def upgrade():
    op.create_table(
        'pipeline_tallies',
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('last_session_on', sa.Date(), nullable=True),
        sa.Column('first_open_due_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'],
                                name=op.f('fk_pipeline_tallies_engagement_id_engagements'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('engagement_id', name=op.f('pk_pipeline_tallies')),
    )
    op.create_table(
        'workload_tallies',
        sa.Column('engagement_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sessions', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'],
                                name=op.f('fk_workload_tallies_engagement_id_engagements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_workload_tallies_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('engagement_id', 'held_on', 'user_id', name=op.f('pk_workload_tallies')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_workload_tallies_held_on', 'workload_tallies',
                    ['held_on', 'engagement_id', 'user_id', 'sessions', 'minutes'])
    op.execute(FILL)
    op.execute(FILL_WORKLOAD)


def downgrade():
    op.drop_index('ix_workload_tallies_held_on', table_name='workload_tallies')
    op.drop_table('workload_tallies')
    op.drop_table('pipeline_tallies')
