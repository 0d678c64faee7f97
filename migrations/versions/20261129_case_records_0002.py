"""Case records: companies and contacts, JSIC industries, engagements with teams and
phase history, dialogue sessions, insights, actions, support measures and referrals;
forms kept across an expired sign-in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:55:33.429169

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('industries',
    sa.Column('code', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=150), nullable=False),
    sa.Column('major_code', sa.String(length=4), nullable=True),
    sa.ForeignKeyConstraint(['major_code'], ['industries.code'], name=op.f('fk_industries_major_code_industries')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_industries'))
    )
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_industries_major_code'), ['major_code'], unique=False)

    op.create_table('support_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.Enum('subsidy', 'digitalisation', 'open_innovation', 'expert_dispatch', 'university', 'financial_institution', 'partner_company', 'other', name='measure_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_measures')),
    sa.UniqueConstraint('name', name=op.f('uq_support_measures_name'))
    )
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kana', sa.String(length=200), nullable=False),
    sa.Column('corporate_number', sa.String(length=13), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('industry_code', sa.String(length=4), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('capital', sa.BigInteger(), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('leader_selection_year', sa.Integer(), nullable=True),
    sa.Column('representative', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capital >= 0', name=op.f('ck_companies_capital_non_negative')),
    sa.CheckConstraint('employees >= 0', name=op.f('ck_companies_employees_non_negative')),
    sa.ForeignKeyConstraint(['industry_code'], ['industries.code'], name=op.f('fk_companies_industry_code_industries')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_companies_region_id_regions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies')),
    sa.UniqueConstraint('corporate_number', name=op.f('uq_companies_corporate_number'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_industry_code'), ['industry_code'], unique=False)
        batch_op.create_index('ix_companies_region_id_name', ['region_id', 'name'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('side', sa.Enum('president', 'executive', 'employee', name='contact_side', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_contacts_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_company_id'), ['company_id'], unique=False)

    op.create_table('engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.Text(), nullable=False),
    sa.Column('referral_source', sa.Enum('municipality', 'bureau', 'support_organisation', 'financial_institution', 'company', 'other', name='referral_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('referral_note', sa.String(length=200), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('phase', sa.Enum('candidate', 'review', 'framing', 'accompany', 'self_running', 'closed', name='phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('phase_since', sa.Date(), nullable=False),
    sa.Column('closing_reason', sa.Enum('graduated', 'withdrawn', 'paused', 'merged', 'other', name='closing_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_engagements_company_id_companies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_engagements_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagements'))
    )
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagements_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_engagements_phase_phase_since', ['phase', 'phase_since'], unique=False)

    op.create_table('pending_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_forms_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_forms')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_forms_token_hash'))
    )
    with op.batch_alter_table('pending_forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_forms_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_forms_user_id'), ['user_id'], unique=False)

    op.create_table('dialogue_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('visit', 'online', 'our_office', 'phone', name='session_format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('kind', sa.Enum('president_dialogue', 'staff_interview', 'findings_feedback', 'project_meeting', 'team_reflection', name='session_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'returned', 'reviewed', name='session_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_minutes >= 0 AND duration_minutes <= 1440', name=op.f('ck_dialogue_sessions_duration_range')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_dialogue_sessions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_dialogue_sessions_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_dialogue_sessions_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dialogue_sessions'))
    )
    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_dialogue_sessions_author_id_state', ['author_id', 'state'], unique=False)
        batch_op.create_index('ix_dialogue_sessions_engagement_id_held_on', ['engagement_id', 'held_on'], unique=False)
        batch_op.create_index('ix_dialogue_sessions_state_held_on', ['state', 'held_on'], unique=False)

    op.create_table('engagement_members',
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_engagement_members_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_engagement_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('engagement_id', 'user_id', name=op.f('pk_engagement_members'))
    )
    with op.batch_alter_table('engagement_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_members_user_id'), ['user_id'], unique=False)

    op.create_table('insights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('holder', sa.Enum('president', 'executive', 'employee', 'team_hypothesis', name='insight_holder', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('category', sa.Enum('vision', 'organisation', 'business', 'technology', 'finance', 'digital', 'partnerships', 'other', name='insight_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('barrier', sa.Enum('unseen', 'unfaced', 'unexecuted', 'unfollowed', 'lacking', name='barrier', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('state', sa.Enum('hypothesis', 'voiced', 'owned', 'acted_on', 'dropped', name='insight_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_essential', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_insights_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_insights_engagement_id_engagements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insights'))
    )
    with op.batch_alter_table('insights', schema=None) as batch_op:
        batch_op.create_index('ix_insights_engagement_id_state', ['engagement_id', 'state'], unique=False)

    op.create_table('phase_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('from_phase', sa.Enum('candidate', 'review', 'framing', 'accompany', 'self_running', 'closed', name='from_phase', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_phase', sa.Enum('candidate', 'review', 'framing', 'accompany', 'self_running', 'closed', name='to_phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_phase_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_phase_changes_engagement_id_engagements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phase_changes'))
    )
    with op.batch_alter_table('phase_changes', schema=None) as batch_op:
        batch_op.create_index('ix_phase_changes_engagement_id_changed_on', ['engagement_id', 'changed_on'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Enum('pending', 'in_use', 'completed', 'not_pursued', name='referral_outcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_referrals_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['support_measures.id'], name=op.f('fk_referrals_measure_id_support_measures'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_measure_id'), ['measure_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('state', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='action_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('owner_contact_id IS NULL OR owner_user_id IS NULL', name=op.f('ck_actions_one_owner')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_actions_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_contact_id'], ['contacts.id'], name=op.f('fk_actions_owner_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_actions_owner_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_actions_session_id_dialogue_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index('ix_actions_engagement_id_state_due_on', ['engagement_id', 'state', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_owner_user_id'), ['owner_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_actions_state_due_on', ['state', 'due_on'], unique=False)

    op.create_table('insight_sessions',
    sa.Column('insight_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['insight_id'], ['insights.id'], name=op.f('fk_insight_sessions_insight_id_insights'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_insight_sessions_session_id_dialogue_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('insight_id', 'session_id', name=op.f('pk_insight_sessions'))
    )
    with op.batch_alter_table('insight_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_sessions_session_id'), ['session_id'], unique=False)

    op.create_table('insight_state_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insight_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('hypothesis', 'voiced', 'owned', 'acted_on', 'dropped', name='from_state', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_state', sa.Enum('hypothesis', 'voiced', 'owned', 'acted_on', 'dropped', name='to_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_insight_state_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['insight_id'], ['insights.id'], name=op.f('fk_insight_state_changes_insight_id_insights'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_insight_state_changes_session_id_dialogue_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_state_changes'))
    )
    with op.batch_alter_table('insight_state_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_state_changes_insight_id'), ['insight_id'], unique=False)

    op.create_table('session_contacts',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_session_contacts_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_session_contacts_session_id_dialogue_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'contact_id', name=op.f('pk_session_contacts'))
    )
    op.create_table('session_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_session_revisions_session_id_dialogue_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_revisions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_revisions'))
    )
    with op.batch_alter_table('session_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_revisions_session_id'), ['session_id'], unique=False)

    op.create_table('session_team',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_session_team_session_id_dialogue_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_team_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_team'))
    )
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'], name=op.f('fk_statements_session_id_dialogue_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['contacts.id'], name=op.f('fk_statements_speaker_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statements_session_id'), ['session_id'], unique=False)

    op.create_table('action_insights',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('insight_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_insights_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['insight_id'], ['insights.id'], name=op.f('fk_action_insights_insight_id_insights'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'insight_id', name=op.f('pk_action_insights'))
    )
    with op.batch_alter_table('action_insights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_insights_insight_id'), ['insight_id'], unique=False)

    op.create_table('action_referrals',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_referrals_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_action_referrals_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'referral_id', name=op.f('pk_action_referrals'))
    )
    with op.batch_alter_table('action_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_referrals_referral_id'), ['referral_id'], unique=False)

    op.create_table('action_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='update_state', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_updates_action_id_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_action_updates_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_updates'))
    )
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_updates_action_id'), ['action_id'], unique=False)



def downgrade():
    with op.batch_alter_table('action_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_updates_action_id'))

    op.drop_table('action_updates')
    with op.batch_alter_table('action_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_referrals_referral_id'))

    op.drop_table('action_referrals')
    with op.batch_alter_table('action_insights', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_insights_insight_id'))

    op.drop_table('action_insights')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_session_id'))

    op.drop_table('statements')
    op.drop_table('session_team')
    with op.batch_alter_table('session_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_revisions_session_id'))

    op.drop_table('session_revisions')
    op.drop_table('session_contacts')
    with op.batch_alter_table('insight_state_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insight_state_changes_insight_id'))

    op.drop_table('insight_state_changes')
    with op.batch_alter_table('insight_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insight_sessions_session_id'))

    op.drop_table('insight_sessions')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index('ix_actions_state_due_on')
        batch_op.drop_index(batch_op.f('ix_actions_session_id'))
        batch_op.drop_index(batch_op.f('ix_actions_owner_user_id'))
        batch_op.drop_index('ix_actions_engagement_id_state_due_on')

    op.drop_table('actions')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_measure_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_engagement_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('phase_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_phase_changes_engagement_id_changed_on')

    op.drop_table('phase_changes')
    with op.batch_alter_table('insights', schema=None) as batch_op:
        batch_op.drop_index('ix_insights_engagement_id_state')

    op.drop_table('insights')
    with op.batch_alter_table('engagement_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_members_user_id'))

    op.drop_table('engagement_members')
    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_dialogue_sessions_state_held_on')
        batch_op.drop_index('ix_dialogue_sessions_engagement_id_held_on')
        batch_op.drop_index('ix_dialogue_sessions_author_id_state')

    op.drop_table('dialogue_sessions')
    with op.batch_alter_table('pending_forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_forms_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_forms_created_at'))

    op.drop_table('pending_forms')
    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_index('ix_engagements_phase_phase_since')
        batch_op.drop_index(batch_op.f('ix_engagements_company_id'))

    op.drop_table('engagements')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_company_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_region_id_name')
        batch_op.drop_index(batch_op.f('ix_companies_industry_code'))

    op.drop_table('companies')
    op.drop_table('support_measures')
    with op.batch_alter_table('industries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_industries_major_code'))

    op.drop_table('industries')
