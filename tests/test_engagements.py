"""Engagements: opening one with its team, the engagement page, editing, the team, phase changes."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DialogueSessionFactory,
    InsightFactory,
    ReferralFactory,
    SupportMeasureFactory,
    UserFactory,
)
from tracker.engagements.services import change_phase, local_today
from tracker.extensions import db
from tracker.models import (
    ActionState,
    ClosingReason,
    Engagement,
    InsightState,
    Phase,
    PhaseChange,
    ReferralSource,
    Role,
)


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def section(html: str, section_id: str) -> str:
    """The <section id="..."> of a page, up to the next section."""
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return html[start: end if end != -1 else len(html)]


def new_form(lead_user, members=(), **overrides) -> dict:
    data = {
        "theme": "次の柱となる事業を社長と考える",
        "referral_source": "municipality",
        "referral_note": "燕市産業振興課からの推薦",
        "started_on": local_today().isoformat(),
        "phase": "candidate",
        "lead": str(lead_user.id),
        "members": [str(user.id) for user in members],
    }
    data.update(overrides)
    return data


def move(engagement, user, to_phase, days_ago, reason="理由", closing_reason=None):
    """Record a phase change directly through the operation, for page tests."""
    change_phase(engagement, user, to_phase, local_today() - timedelta(days=days_ago), reason, closing_reason)
    db.session.commit()


@pytest.fixture
def company(region):
    return CompanyFactory(region=region)


# ---- opening ----------------------------------------------------------------------


def test_manager_opens_an_engagement_with_its_team_and_first_phase(client, manager, consultant, company):
    login(client, manager)
    response = post(client, f"/companies/{company.id}/engagements/new", new_form(manager, [consultant]))
    assert response.status_code == 302
    engagement = db.session.scalar(sa.select(Engagement).where(Engagement.company_id == company.id))
    assert response.headers["Location"] == f"/engagements/{engagement.id}"
    assert engagement.phase == Phase.CANDIDATE and engagement.phase_since == local_today()
    assert engagement.referral_source == ReferralSource.MUNICIPALITY
    team = {(member.user_id, member.is_lead) for member in engagement.members}
    assert team == {(manager.id, True), (consultant.id, False)}
    [first] = engagement.phase_changes
    assert first.from_phase is None and first.to_phase == Phase.CANDIDATE
    assert first.changed_by_id == manager.id and first.changed_on == local_today()


def test_the_lead_is_on_the_team_even_if_not_ticked(client, manager, consultant, company):
    login(client, manager)
    post(client, f"/companies/{company.id}/engagements/new", new_form(consultant, [manager]))
    engagement = db.session.scalar(sa.select(Engagement).where(Engagement.company_id == company.id))
    assert engagement.lead.id == consultant.id
    assert sorted(m.user_id for m in engagement.members) == sorted([manager.id, consultant.id])


def test_team_choices_are_active_managers_and_consultants_of_the_region(
    client, manager, consultant, official, company, other_region
):
    elsewhere = UserFactory(role=Role.CONSULTANT, regions=[other_region])
    inactive = UserFactory(role=Role.CONSULTANT, regions=[company.region], active=False)
    nationwide = UserFactory(role=Role.CONSULTANT, all_regions=True)
    login(client, manager)
    page = client.get(f"/companies/{company.id}/engagements/new").text
    offered = set(map(int, re.findall(r'name="members"[^>]*value="(\d+)"', page)))
    assert offered == {manager.id, consultant.id, nationwide.id}
    response = post(client, f"/companies/{company.id}/engagements/new", new_form(manager, [elsewhere]))
    assert response.status_code == 422 and 'id="members-error"' in response.text
    assert inactive.id not in offered and official.id not in offered
    assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == 0


def test_bad_input_is_explained_beside_the_field_and_kept(client, manager, company):
    login(client, manager)
    future = (local_today() + timedelta(days=3)).isoformat()
    response = post(
        client, f"/companies/{company.id}/engagements/new",
        new_form(manager, lead="0", started_on=future, theme="残してほしいテーマ"),
    )
    assert response.status_code == 422
    assert 'id="lead-error"' in response.text
    assert "残してほしいテーマ" in response.text
    # The lead error is found first; with a lead, the future start date is refused too.
    response = post(client, f"/companies/{company.id}/engagements/new", new_form(manager, started_on=future))
    assert response.status_code == 422 and 'id="started_on-error"' in response.text
    response = post(client, f"/companies/{company.id}/engagements/new", new_form(manager, started_on="昨日"))
    assert response.status_code == 422 and 'id="started_on-error"' in response.text and "昨日" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == 0


def test_an_engagement_cannot_open_closed(client, manager, company):
    login(client, manager)
    response = post(client, f"/companies/{company.id}/engagements/new", new_form(manager, phase="closed"))
    assert response.status_code == 422 and 'id="phase-error"' in response.text


# ---- the engagement page ----------------------------------------------------------


def test_page_shows_the_case_phase_history_and_time_in_phase(client, world, manager):
    english(manager)
    engagement = world.engagement_team
    move(engagement, manager, Phase.FRAMING, days_ago=12, reason="社長が課題を自分の言葉で語った")
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}")
    assert page.status_code == 200
    assert "12 days in this phase" in page.text
    history = section(page.text, "phase-history")
    assert "Review → Framing" in history and "社長が課題を自分の言葉で語った" in history and manager.name in history
    assert engagement.theme in page.text
    team = section(page.text, "case-heading")
    assert manager.name in team and world.users["consultant"].name in team and "Lead" in team


def test_closed_engagement_shows_its_closing_reason(client, world, manager):
    english(manager)
    engagement = world.engagement_team
    move(engagement, manager, Phase.CLOSED, 0, reason="自走に移った", closing_reason=ClosingReason.GRADUATED)
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}").text
    assert 'id="closing-reason">Graduated' in page
    assert "0 days in this phase" in page


def test_overdue_actions_stand_out(client, world, consultant):
    english(consultant)
    engagement = world.engagement_team
    late = ActionFactory(engagement=engagement, title="遅れている行動", due_on=local_today() - timedelta(days=3))
    done = ActionFactory(
        engagement=engagement, title="済んだ行動", due_on=local_today() - timedelta(days=9), state=ActionState.DONE
    )
    login(client, consultant)
    actions = section(client.get(f"/engagements/{engagement.id}").text, "actions")
    late_item = actions[actions.index(f'id="action-{late.id}"'):]
    late_item = late_item[: late_item.index("</li>")]
    assert "badge-overdue" in late_item and "Overdue" in late_item and "3 days late" in late_item
    on_time = actions[actions.index(f'id="action-{world.action_team.id}"'):]
    assert "Overdue" not in on_time[: on_time.index("</li>")]
    assert done.title not in actions  # only open actions
    assert "1 action is overdue." in actions


def test_page_lists_sessions_insights_by_state_and_referrals(client, world, manager):
    english(manager)
    engagement = world.engagement_team
    InsightFactory(engagement=engagement, state=InsightState.OWNED, text="腹落ちした気づき", is_essential=True)
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}").text
    sessions = section(page, "sessions")
    assert "Dialogue with the president" in sessions and "Draft" in sessions and "(1)" in sessions
    insights = section(page, "insights")
    assert 'id="insights-owned"' in insights and "腹落ちした気づき" in insights and "Essential issue" in insights
    assert 'id="insights-voiced"' in insights and 'id="insights-hypothesis"' not in insights
    referrals = section(page, "referrals")
    assert world.measure.name_en in referrals and "Pending" in referrals
    assert f"/referrals/{world.referral_team.id}/edit" in referrals


def test_manage_buttons_only_for_those_who_may(client, world, consultant, manager):
    engagement = world.engagement_team
    login(client, consultant)
    page = client.get(f"/engagements/{engagement.id}").text
    assert f"/engagements/{engagement.id}/phase" not in page
    assert f"/engagements/{engagement.id}/referrals/new" in page
    other = client.application.test_client()
    login(other, manager)
    assert f"/engagements/{engagement.id}/phase" in other.get(f"/engagements/{engagement.id}").text


def test_admin_reads_but_is_not_offered_writes(client, world, admin):
    engagement = world.engagement_out
    login(client, admin)
    page = client.get(f"/engagements/{engagement.id}").text
    assert f"/engagements/{engagement.id}/phase" in page
    assert f"/engagements/{engagement.id}/referrals/new" not in page


def _fill(engagement, contact, author, n):
    for i in range(n):
        day = local_today() - timedelta(days=i)
        DialogueSessionFactory(engagement=engagement, author=author, held_on=day)
        InsightFactory(engagement=engagement, state=list(InsightState)[i % 5])
        ActionFactory(
            engagement=engagement, owner_contact=contact if i % 2 else None,
            owner_user=None if i % 2 else author, due_on=day + timedelta(days=2),
        )
        ReferralFactory(engagement=engagement, measure=SupportMeasureFactory())


def test_page_runs_a_bounded_number_of_queries(client, world, manager, count_queries):
    few, many = world.engagement_team, world.engagement_region
    _fill(few, world.contact_team, manager, 2)
    _fill(many, world.contact_region, manager, 25)
    login(client, manager)
    client.get(f"/engagements/{few.id}")
    with count_queries() as with_few:
        assert client.get(f"/engagements/{few.id}").status_code == 200
    with count_queries() as with_many:
        assert client.get(f"/engagements/{many.id}").status_code == 200
    assert with_few.n == with_many.n
    assert with_many.n <= 20


# ---- editing ----------------------------------------------------------------------


def test_manager_edits_theme_and_referral(client, world, manager):
    engagement = world.engagement_region
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}/edit").text
    assert 'name="version"' in page and engagement.theme in page
    response = post(client, f"/engagements/{engagement.id}/edit", {
        "theme": "新しいテーマ", "referral_source": "financial_institution", "referral_note": "地銀から",
        "version": str(engagement.version),
    })
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert engagement.theme == "新しいテーマ" and engagement.referral_source == ReferralSource.FINANCIAL_INSTITUTION


def test_stale_edit_answers_409_and_keeps_the_text(client, world, manager):
    english(manager)
    engagement = world.engagement_team
    seen = engagement.version
    engagement.theme = "他の人が保存したテーマ"
    db.session.commit()
    login(client, manager)
    response = post(client, f"/engagements/{engagement.id}/edit", {
        "theme": "私が書いたテーマ", "referral_source": "bureau", "referral_note": "", "version": str(seen),
    })
    assert response.status_code == 409
    assert "私が書いたテーマ" in response.text and "他の人が保存したテーマ" in response.text
    assert f'value="{engagement.version}"' in response.text
    db.session.refresh(engagement)
    assert engagement.theme == "他の人が保存したテーマ"


def test_team_sets_members_and_one_lead(client, world, manager, consultant):
    engagement = world.engagement_region
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}/team").text
    assert re.search(rf'<option selected value="{manager.id}">|<option value="{manager.id}" selected>', page)
    response = post(client, f"/engagements/{engagement.id}/team", {
        "members": [str(manager.id)], "lead": str(consultant.id), "version": str(engagement.version),
    })
    assert response.status_code == 302
    db.session.refresh(engagement)
    team = {(member.user_id, member.is_lead) for member in engagement.members}
    assert team == {(manager.id, False), (consultant.id, True)}
    response = post(client, f"/engagements/{engagement.id}/team", {
        "members": [str(manager.id)], "lead": "0", "version": str(engagement.version),
    })
    assert response.status_code == 422 and 'id="lead-error"' in response.text


def test_stale_team_change_answers_409(client, world, manager, consultant):
    engagement = world.engagement_region
    seen = str(engagement.version)
    login(client, manager)
    response = post(client, f"/engagements/{engagement.id}/team", {
        "members": [str(manager.id)], "lead": str(manager.id), "version": seen,
    })
    assert response.status_code == 302
    response = post(client, f"/engagements/{engagement.id}/team", {
        "members": [str(consultant.id)], "lead": str(consultant.id), "version": seen,
    })
    assert response.status_code == 409
    db.session.refresh(engagement)
    assert [(m.user_id, m.is_lead) for m in engagement.members] == [(manager.id, True)]


# ---- phase changes ----------------------------------------------------------------


def phase_form(engagement, **overrides):
    data = {"to_phase": "framing", "changed_on": local_today().isoformat(), "reason": "社長が課題を自分の言葉で語った",
            "closing_reason": "", "version": str(engagement.version)}
    data.update(overrides)
    return data


def test_manager_changes_the_phase(client, world, manager):
    engagement = world.engagement_team
    login(client, manager)
    page = client.get(f"/engagements/{engagement.id}/phase").text
    assert '<option selected value="framing">' in page or '<option value="framing" selected>' in page
    response = post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement))
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert engagement.phase == Phase.FRAMING and engagement.phase_since == local_today()
    [change] = engagement.phase_changes
    assert (change.from_phase, change.to_phase) == (Phase.REVIEW, Phase.FRAMING)
    assert change.changed_by_id == manager.id
    assert change.reason == "社長が課題を自分の言葉で語った"


def test_closing_needs_a_reason_and_reopening_clears_it(client, world, manager):
    engagement = world.engagement_team
    login(client, manager)
    response = post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement, to_phase="closed"))
    assert response.status_code == 422 and 'id="closing_reason-error"' in response.text
    assert "社長が課題を自分の言葉で語った" in response.text
    response = post(client, f"/engagements/{engagement.id}/phase",
                    phase_form(engagement, to_phase="closed", closing_reason="withdrawn"))
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert engagement.phase == Phase.CLOSED and engagement.closing_reason == ClosingReason.WITHDRAWN
    response = post(client, f"/engagements/{engagement.id}/phase",
                    phase_form(engagement, to_phase="accompany", reason="再開の申し出"))
    assert response.status_code == 302
    db.session.refresh(engagement)
    assert engagement.phase == Phase.ACCOMPANY and engagement.closing_reason is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to_phase": "review"}, "to_phase"),  # the phase it is already in
        ({"changed_on": "FUTURE"}, "changed_on"),
        ({"changed_on": "BEFORE"}, "changed_on"),
        ({"changed_on": "2024-13-40"}, "changed_on"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_bad_phase_changes_are_refused_beside_the_field(client, world, manager, overrides, field):
    engagement = world.engagement_team
    move(engagement, manager, Phase.FRAMING, days_ago=5)
    move(engagement, manager, Phase.REVIEW, days_ago=2)
    dates = {"FUTURE": (local_today() + timedelta(days=2)).isoformat(),
             "BEFORE": (local_today() - timedelta(days=3)).isoformat()}
    overrides = {key: dates.get(value, value) for key, value in overrides.items()}
    login(client, manager)
    response = post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement, **overrides))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(PhaseChange.id))) == 2


def test_every_problem_of_a_phase_change_is_shown_at_once(client, world, manager):
    english(manager)
    engagement = world.engagement_team
    login(client, manager)
    future = (local_today() + timedelta(days=1)).isoformat()
    response = post(client, f"/engagements/{engagement.id}/phase",
                    phase_form(engagement, to_phase="closed", changed_on=future, reason=""))
    assert response.status_code == 422
    for field in ("changed_on", "reason", "closing_reason"):
        assert f'id="{field}-error"' in response.text
    assert "Closing needs a closing reason" in response.text


def test_stale_phase_change_answers_409(client, world, manager):
    engagement = world.engagement_team
    seen = engagement.version
    move(engagement, manager, Phase.FRAMING, days_ago=1)
    login(client, manager)
    response = post(client, f"/engagements/{engagement.id}/phase",
                    phase_form(engagement, to_phase="accompany", version=str(seen), reason="私の理由"))
    assert response.status_code == 409 and "私の理由" in response.text
    db.session.refresh(engagement)
    assert engagement.phase == Phase.FRAMING


def test_consultant_on_the_team_may_not_change_the_phase(client, world, consultant):
    engagement = world.engagement_team
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement))
    assert response.status_code == 403
    db.session.refresh(engagement)
    assert engagement.phase == Phase.REVIEW
