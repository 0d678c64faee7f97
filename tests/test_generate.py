"""`flask demo generate`: synthetic data at scale, consistent, repeatable, and never
mixed with real records."""

import random
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import empty_database, login
from tracker.demo.generate import DEFAULT_PASSWORD, generate
from tracker.demo.generate_plan import choose_regions
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Company,
    DialogueSession,
    Engagement,
    EngagementMember,
    Insight,
    InsightStateChange,
    OutcomeSnapshot,
    Phase,
    PhaseChange,
    Role,
    SessionState,
    Statement,
    User,
)
from tracker.models.accounts import user_regions
from tracker.reference.municipalities import PREFECTURES


def rows(statement):
    return db.session.execute(statement.execution_options(include_deleted=True)).all()


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model.__table__))


@pytest.fixture
def generated(app_context):
    """A small generated data set: 30 companies, 500 sessions."""
    return generate(30, 500, seed=3)


def test_counts_match_the_options(generated):
    assert (count(Company), count(DialogueSession)) == (30, 500)
    assert count(Engagement) >= 20  # about 88 % of the companies are engaged
    assert count(Statement) > 0 and count(Insight) > 0 and count(Action) > 0 and count(OutcomeSnapshot) > 0
    assert generated.rows["dialogue_sessions"] == 500
    # The application's own inserts go on after the generated ids (PostgreSQL: sequences moved on).
    assert factories.DialogueSessionFactory(engagement=db.session.scalar(sa.select(Engagement).limit(1))).id > 500


def test_engagements_have_consistent_phase_histories(generated):
    changes = {}
    for change in db.session.scalars(sa.select(PhaseChange).order_by(PhaseChange.engagement_id, PhaseChange.id)):
        changes.setdefault(change.engagement_id, []).append(change)
    engagements = db.session.scalars(sa.select(Engagement)).all()
    assert {engagement.phase for engagement in engagements} >= {Phase.ACCOMPANY}
    for engagement in engagements:
        history = changes[engagement.id]
        assert history[0].from_phase is None and history[0].changed_on == engagement.started_on
        assert [c.from_phase for c in history[1:]] == [c.to_phase for c in history[:-1]]
        assert [c.changed_on for c in history] == sorted(c.changed_on for c in history)
        assert (history[-1].to_phase, history[-1].changed_on) == (engagement.phase, engagement.phase_since)
        assert (engagement.closing_reason is not None) == (engagement.phase == Phase.CLOSED)
        assert engagement.phase_since <= date.today()


def test_sessions_follow_the_review_rules(generated):
    managers = {user.id: user for user in db.session.scalars(sa.select(User).where(User.role == Role.MANAGER))}
    members = set(rows(sa.select(EngagementMember.engagement_id, EngagementMember.user_id)))
    scope = set(rows(sa.select(user_regions.c.user_id, user_regions.c.region_id)))
    sessions = db.session.scalars(sa.select(DialogueSession).join(Engagement)).all()
    assert {session.state for session in sessions} >= {SessionState.REVIEWED, SessionState.SUBMITTED}
    for session in sessions:
        assert (session.engagement_id, session.author_id) in members
        assert session.held_on >= session.engagement.started_on and session.held_on <= date.today()
        assert (session.submitted_at is None) == (session.state == SessionState.DRAFT)
        reviewed = session.state in (SessionState.REVIEWED, SessionState.RETURNED)
        assert (session.reviewed_by_id is not None) == reviewed
        if reviewed:
            assert session.review_comment and session.reviewed_at >= session.submitted_at
            assert session.reviewed_by_id in managers
            assert (session.reviewed_by_id, session.engagement.company.region_id) in scope


def test_insights_and_actions_are_consistent(generated):
    last_change = dict(rows(
        sa.select(InsightStateChange.insight_id, InsightStateChange.to_state).order_by(InsightStateChange.id)))
    for insight in db.session.scalars(sa.select(Insight)):
        assert last_change[insight.id] == insight.state
    contacts_of = dict(rows(sa.select(Company.id, Company.id)))
    assert contacts_of
    for action in db.session.scalars(sa.select(Action)):
        assert (action.owner_contact_id is None) != (action.owner_user_id is None)
        assert (action.done_on is not None) == (action.state == ActionState.DONE)
        if action.owner_contact_id:
            assert action.owner_contact.company_id == action.engagement.company_id
        for update in action.updates:
            assert update.noted_on <= date.today()
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []


def test_outcome_snapshots_chain_their_previous_sales(generated):
    snapshots = db.session.scalars(sa.select(OutcomeSnapshot).order_by(OutcomeSnapshot.company_id,
                                                                       OutcomeSnapshot.fiscal_year)).all()
    for before, after in zip(snapshots, snapshots[1:], strict=False):
        if before.company_id == after.company_id:
            assert after.fiscal_year == before.fiscal_year + 1
            assert after.previous_sales in (None, before.sales)
        assert after.net_assets <= after.total_assets


def test_regions_cover_every_prefecture_at_scale(app_context):
    regions = choose_regions(random.Random(1), 250)
    assert {region.prefecture for region in regions} == {name for name, _ in PREFECTURES}
    assert {"152137", "202053"} <= {region.code for region in regions}  # the pilot regions 燕市, 飯田市
    assert max(Counter(region.prefecture for region in regions).values()) <= 20


@pytest.mark.parametrize("role", ["admin", "manager-1", "consultant-1", "official-1"])
def test_bench_accounts_sign_in_and_see_their_pages(client, role):
    generate(20, 200, seed=5)
    user = db.session.scalar(sa.select(User).where(User.email == f"bench-{role}@example.jp"))
    assert login(client, user, DEFAULT_PASSWORD).status_code == 302
    if user.role == Role.OFFICIAL:
        pages = ["/companies/", "/summaries/"]
    else:
        engagement_id = db.session.scalar(
            sa.select(EngagementMember.engagement_id).where(EngagementMember.user_id == user.id).limit(1)
        ) if user.role != Role.ADMIN else db.session.scalar(sa.select(Engagement.id).limit(1))
        pages = ["/", "/companies/", "/pipeline/", f"/engagements/{engagement_id}",
                 f"/engagements/{engagement_id}/timeline"]
        if user.role != Role.CONSULTANT:
            pages.append("/summaries/")
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_refuses_a_database_with_real_records(app):
    runner = app.test_cli_runner()
    with app.app_context():
        factories.CompanyFactory()
        users = count(User)
        result = runner.invoke(args=["demo", "generate", "--companies", "5", "--sessions", "10"])
        assert result.exit_code != 0
        assert "holds 1 companies" in result.output
        assert (count(Company), count(User)) == (1, users)
        _wipe()


def test_refuses_in_production_unless_allowed(app):
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        refused = app.test_cli_runner().invoke(args=["demo", "generate", "--companies", "3", "--sessions", "5"])
        allowed = app.test_cli_runner().invoke(
            args=["demo", "generate", "--companies", "3", "--sessions", "5", "--allow-production"])
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
        with app.app_context():
            _wipe()
    assert refused.exit_code != 0 and "never generated in production" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "bench-manager-1@example.jp" in allowed.output


def test_cli_refuses_a_second_run(app):
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(args=["demo", "generate", "--companies", "4", "--sessions", "20"])
        second = runner.invoke(args=["demo", "generate", "--companies", "4", "--sessions", "20"])
    finally:
        with app.app_context():
            _wipe()
    assert first.exit_code == 0, first.output
    assert "4 companies" in first.output and "bench-consultant-1@example.jp" in first.output
    assert second.exit_code != 0 and "holds 4 companies" in second.output


def test_same_seed_gives_the_same_data(app_context):
    def fingerprint():
        return (
            rows(sa.select(Company.name, Company.kana, Company.corporate_number, Company.employees)
                 .order_by(Company.id)),
            rows(sa.select(DialogueSession.held_on, DialogueSession.kind, DialogueSession.notes,
                           DialogueSession.state, DialogueSession.author_id).order_by(DialogueSession.id)),
            rows(sa.select(Insight.text, Insight.state).order_by(Insight.id)),
            rows(sa.select(User.email, User.name).order_by(User.id)),
        )

    generate(12, 150, seed=11)
    first = fingerprint()
    _wipe()
    generate(12, 150, seed=11)
    assert fingerprint() == first
    _wipe()
    generate(12, 150, seed=12)
    assert fingerprint() != first


def _wipe() -> None:
    """Empty the database as the app_context fixture does, so a test can generate again."""
    db.session.rollback()
    empty_database()


def test_search_indexes_cover_the_generated_text(generated):
    """The note search finds generated words (SQLite: the full-text tables are rebuilt
    after the load and their triggers are back, so later writes are indexed too)."""
    word = "事業承継"
    expected = db.session.scalar(sa.select(sa.func.count()).where(DialogueSession.notes.contains(word)))
    assert expected > 0
    if db.engine.dialect.name == "postgresql":  # the trigram indexes, dropped for the load, are back
        indexes = db.session.scalars(sa.text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin%'")).all()
        assert {"trgm_dialogue_sessions_notes", "trgm_statements_text", "trgm_insights_text"} <= set(indexes)
        return
    match = sa.text("SELECT count(*) FROM session_fts WHERE session_fts MATCH :q")
    found = db.session.scalar(match, {"q": f'"{word}"'})
    assert found >= expected
    triggers = db.session.scalars(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
    assert {"session_fts_ai", "statement_fts_ai", "insight_fts_ai"} <= set(triggers)
