"""Demo case records: every pilot region and phase has something real to show, and
the records hang together the way the app's own operations would leave them."""

from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.demo import load_demo_data
from tracker.demo.casebook import CASES
from tracker.demo.cases import MEASURES, corporate_number
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    Barrier,
    Company,
    DialogueSession,
    Engagement,
    EngagementMember,
    Industry,
    Insight,
    InsightState,
    MeasureKind,
    Phase,
    Referral,
    ReferralOutcome,
    Region,
    Role,
    SessionFormat,
    SessionKind,
    SessionState,
    SupportMeasure,
    User,
)


def nta_check_digit(base: str) -> int:
    """The National Tax Agency's rule, written out on its own: 9 − (Σ Pn × Qn mod 9),
    Pn the n-th digit from the right of the 12 base digits, Qn = 2 for even n, else 1."""
    weighted = [int(base[12 - n]) * (2 if n % 2 == 0 else 1) for n in range(1, 13)]
    return 9 - sum(weighted) % 9


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def demo(app_context):
    load_demo_data()
    return app_context


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def engagements() -> list[Engagement]:
    return list(db.session.scalars(sa.select(Engagement).options(
        selectinload(Engagement.company).selectinload(Company.contacts),
        selectinload(Engagement.members).selectinload(EngagementMember.user),
        selectinload(Engagement.phase_changes),
    )))


def test_load_adds_the_casebook_once(app_context):
    first = load_demo_data()
    assert first["measures"] == len(MEASURES)
    assert first["companies"] == len(CASES) == count(Company)
    assert first["engagements"] == sum("engagement" in case for case in CASES) == count(Engagement)
    assert first["sessions"] == count(DialogueSession) > 0
    assert first["insights"] == count(Insight) > 0
    assert first["actions"] == count(Action) > 0
    assert first["referrals"] == count(Referral) > 0
    again = load_demo_data()
    assert set(again.values()) == {0}
    assert (count(Company), count(DialogueSession), count(SupportMeasure)) == (
        first["companies"], first["sessions"], len(MEASURES))


def test_case_records_are_not_added_beside_existing_companies(app_context):
    load_demo_data()
    db.session.execute(sa.delete(SupportMeasure).where(~SupportMeasure.id.in_(sa.select(Referral.measure_id))))
    db.session.commit()
    again = load_demo_data()
    assert again["measures"] > 0  # the catalogue is filled up by name
    assert again["companies"] == again["sessions"] == 0


def test_every_pilot_region_has_at_least_three_companies(demo):
    per_region = Counter(db.session.scalars(sa.select(Region.code).join(Company, Company.region_id == Region.id)))
    assert len(per_region) == count(Region) == 9
    assert min(per_region.values()) >= 3


def test_every_phase_occurs(demo):
    assert {engagement.phase for engagement in engagements()} == set(Phase)


def test_the_check_digit_rule_matches_the_national_tax_agency_example():
    # The worked example of the rule (財務省令第七十号 第二条): base 123456789012 → 7.
    assert nta_check_digit("123456789012") == 7
    assert corporate_number("123456789012") == "7123456789012"


def test_corporate_numbers_are_valid_and_unique(demo):
    numbers = list(db.session.scalars(sa.select(Company.corporate_number)))
    assert len(numbers) == len(set(numbers)) == len(CASES)
    for number in numbers:
        assert len(number) == 13 and number.isdigit(), number
        assert int(number[0]) == nta_check_digit(number[1:]), number


def test_companies_have_their_industry_address_and_representative(demo):
    industries = set(db.session.scalars(sa.select(Industry.code)))
    for company in db.session.scalars(sa.select(Company).options(selectinload(Company.contacts),
                                                                  selectinload(Company.region))):
        assert company.address.startswith(company.region.prefecture + company.region.municipality)
        assert company.industry_code in industries if industries else company.industry_code is None
        assert company.contacts[0].name == company.representative
        assert company.contacts[0].side == "president"


def test_phase_histories_are_consistent(demo):
    for engagement in engagements():
        changes = engagement.phase_changes
        assert changes[0].from_phase is None
        assert [change.from_phase for change in changes[1:]] == [change.to_phase for change in changes[:-1]]
        assert [change.changed_on for change in changes] == sorted({change.changed_on for change in changes})
        assert engagement.phase == changes[-1].to_phase
        assert engagement.phase_since == changes[-1].changed_on
        assert engagement.started_on == changes[0].changed_on
        assert changes[-1].changed_on <= date.today()
        assert all(change.changed_by.role == Role.MANAGER and change.reason for change in changes)
        assert all(engagement.company.region in change.changed_by.regions for change in changes)
        assert (engagement.closing_reason is not None) == (engagement.phase == Phase.CLOSED)
        assert sum(member.is_lead for member in engagement.members) == 1


def test_team_members_may_work_in_the_engagements_region(demo):
    for engagement in engagements():
        for member in engagement.members:
            assert engagement.company.region in member.user.regions, (engagement.company.name, member.user.email)


def test_sessions_are_dated_within_their_engagement_and_not_in_the_future(demo):
    sessions = db.session.scalars(sa.select(DialogueSession).options(
        selectinload(DialogueSession.engagement).selectinload(Engagement.members),
        selectinload(DialogueSession.company_attendees), selectinload(DialogueSession.team_attendees),
        selectinload(DialogueSession.statements),
    ))
    for session in sessions:
        engagement = session.engagement
        assert engagement.started_on <= session.held_on <= date.today()
        team = {member.user_id for member in engagement.members}
        assert session.author_id in team
        assert {person.id for person in session.team_attendees} <= team
        assert all(contact.company_id == engagement.company_id for contact in session.company_attendees)
        assert all(statement.speaker.company_id == engagement.company_id for statement in session.statements)
        assert session.notes
        assert (session.submitted_at is None) == (session.state == SessionState.DRAFT)
        if session.state in (SessionState.REVIEWED, SessionState.RETURNED):
            assert session.reviewed_by.role == Role.MANAGER
        if session.state == SessionState.RETURNED:
            assert session.review_comment


def test_sessions_come_in_every_kind_format_and_state(demo):
    sessions = list(db.session.scalars(sa.select(DialogueSession)))
    assert {session.kind for session in sessions} == set(SessionKind)
    assert {session.format for session in sessions} == set(SessionFormat)
    assert {session.state for session in sessions} == set(SessionState)
    states = Counter(session.state for session in sessions)
    assert states[SessionState.REVIEWED] + states[SessionState.SUBMITTED] > 0.8 * len(sessions)


def test_insights_move_through_their_states_in_the_sessions_where_they_surfaced(demo):
    insights = list(db.session.scalars(sa.select(Insight).options(
        selectinload(Insight.state_changes), selectinload(Insight.sessions))))
    for insight in insights:
        changes = insight.state_changes
        assert changes[0].from_state is None
        assert [change.from_state for change in changes[1:]] == [change.to_state for change in changes[:-1]]
        assert insight.state == changes[-1].to_state
        assert all(session.engagement_id == insight.engagement_id for session in insight.sessions)
        linked = {change.session_id for change in changes} - {None}
        assert linked <= {session.id for session in insight.sessions}
    assert {insight.state for insight in insights} == set(InsightState)
    assert {insight.barrier for insight in insights} - {None} == set(Barrier)
    per_engagement = Counter(insight.engagement_id for insight in insights)
    with_sessions = set(db.session.scalars(sa.select(DialogueSession.engagement_id)))
    assert all(3 <= per_engagement[engagement_id] <= 6 for engagement_id in with_sessions)
    assert sum(insight.is_essential for insight in insights) >= 10


def test_accompanied_engagements_have_actions_owned_mostly_by_the_company(demo):
    actions = list(db.session.scalars(sa.select(Action).options(
        selectinload(Action.engagement).selectinload(Engagement.members), selectinload(Action.owner_contact),
        selectinload(Action.updates))))
    per_engagement = Counter(action.engagement_id for action in actions)
    for engagement in engagements():
        if engagement.phase in (Phase.ACCOMPANY, Phase.SELF_RUNNING):
            assert 2 <= per_engagement[engagement.id] <= 5, engagement.company.name
    for action in actions:
        if action.owner_contact is not None:
            assert action.owner_contact.company_id == action.engagement.company_id
        else:
            assert action.owner_user_id in {member.user_id for member in action.engagement.members}
        assert (action.done_on is not None) == (action.state == ActionState.DONE)
        assert all(update.noted_on <= date.today() for update in action.updates)
    assert sum(action.owner_contact is not None for action in actions) > 0.7 * len(actions)
    assert {action.state for action in actions} >= {ActionState.PLANNED, ActionState.IN_PROGRESS, ActionState.DONE}


def test_the_demo_consultant_has_engagements_overdue_actions_a_draft_and_a_returned_report(demo):
    consultant, manager = user("consultant@example.com"), user("manager@example.com")
    mine = [e for e in engagements() if consultant.id in {member.user_id for member in e.members}]
    assert {e.company.region.municipality for e in mine} == {"燕市", "長岡市"}
    assert any(e.lead == manager for e in mine) and any(e.lead == consultant for e in mine)
    mine_ids = {e.id for e in mine}
    overdue = [action for action in db.session.scalars(sa.select(Action).where(Action.engagement_id.in_(mine_ids)))
               if action.is_overdue(date.today())]
    assert len(overdue) >= 3
    assert any(action.owner_user_id == consultant.id for action in overdue)
    written = Counter(db.session.scalars(sa.select(DialogueSession.state).where(
        DialogueSession.author_id == consultant.id)))
    assert written[SessionState.DRAFT] >= 1 and written[SessionState.RETURNED] >= 1


def test_managers_have_reports_to_review(demo):
    for email in ("manager@example.com", "manager2@example.com"):
        manager = user(email)
        waiting = db.session.scalars(sa.select(DialogueSession).join(DialogueSession.engagement)
                                     .join(Engagement.company)
                                     .where(DialogueSession.state == SessionState.SUBMITTED)).all()
        assert any(session.engagement.company.region in manager.regions for session in waiting), email


def test_the_catalogue_has_every_kind_of_measure_in_both_languages(demo):
    measures = list(db.session.scalars(sa.select(SupportMeasure)))
    assert {measure.kind for measure in measures} == set(MeasureKind)
    assert all(measure.name.endswith("（架空）") and measure.name_en.endswith("(fictional)") for measure in measures)
    names = {measure.name for measure in measures}
    assert {"DX推進伴走支援（架空）", "オープンイノベーション・マッチング（架空）", "専門家派遣事業（架空）",
            "北関東工科大学 産学連携窓口（架空）", "越後中央銀行 事業性評価融資（架空）"} <= names
    referrals = list(db.session.scalars(sa.select(Referral).options(selectinload(Referral.engagement))))
    assert {referral.outcome for referral in referrals} == set(ReferralOutcome)
    assert all(referral.engagement.started_on <= referral.referred_on <= date.today() for referral in referrals)
