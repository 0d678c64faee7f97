"""Actions: the list, overdue ones standing out, owners, progress updates, conflicts, scope."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    ContactFactory,
    EngagementFactory,
    InsightFactory,
    ReferralFactory,
    UserFactory,
)
from tracker.actions.services import add_action_update, change_action, local_today
from tracker.extensions import db
from tracker.models import Action, ActionState, ActionUpdate, Role


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def row(html: str, action_id: int) -> str:
    """The table row (or section) of one action."""
    start = html.index(f'id="action-{action_id}"')
    start = html.rindex("<", 0, start)
    end = html.find("</tr>", start)
    return html[start:end]


def form(**overrides) -> dict:
    data = {"title": "若手による新事業検討チームを立ち上げる", "description": "月に一度、社長も同席する。",
            "owner": "", "due_on": "", "state": "planned"}
    data.update(overrides)
    return data


@pytest.fixture
def engagement(world):
    return world.engagement_team


@pytest.fixture
def today(app_context):
    return local_today()


def test_overdue_actions_stand_out_on_the_list(client, consultant, engagement, today):
    english(consultant)
    late = ActionFactory(engagement=engagement, due_on=today - timedelta(days=1), title="遅れている")
    on_time = ActionFactory(engagement=engagement, due_on=today, title="今日まで")
    done_late = ActionFactory(engagement=engagement, due_on=today - timedelta(days=9), state=ActionState.DONE)
    login(client, consultant)
    page = client.get(f"/engagements/{engagement.id}/actions?show=all").text
    late_row = row(page, late.id)
    assert 'class="is-overdue"' in late_row and "badge-overdue" in late_row and "Overdue" in late_row
    assert "Overdue" not in row(page, on_time.id) and "Overdue" not in row(page, done_late.id)
    assert page.index(f'id="action-{late.id}"') < page.index(f'id="action-{on_time.id}"')


def test_overdue_stands_out_on_the_action_page(client, consultant, engagement, today):
    english(consultant)
    late = ActionFactory(engagement=engagement, due_on=today - timedelta(days=3))
    login(client, consultant)
    page = client.get(f"/actions/{late.id}").text
    assert "badge-overdue" in page and "Overdue" in page and "is-overdue" in page
    assert "badge-overdue" not in client.get(f"/actions/{ActionFactory(engagement=engagement).id}").text


def test_list_shows_open_actions_unless_all_are_asked_for(client, consultant, engagement, world):
    done = ActionFactory(engagement=engagement, state=ActionState.DONE, title="終わったこと")
    add_action_update(world.action_team, consultant, local_today(), "社長と打合せ、候補者3名を選んだ。")
    db.session.commit()
    login(client, consultant)
    open_page = client.get(f"/engagements/{engagement.id}/actions").text
    assert f'id="action-{world.action_team.id}"' in open_page and f'id="action-{done.id}"' not in open_page
    assert "候補者3名" in row(open_page, world.action_team.id)  # the last update
    assert world.contact_team.name in row(open_page, world.action_team.id)  # the owner
    assert f'id="action-{done.id}"' in client.get(f"/engagements/{engagement.id}/actions?show=all").text


def test_new_action_owned_by_a_contact_with_its_links(client, consultant, engagement, world):
    insight = world.insight_team
    referral = world.referral_team
    login(client, consultant)
    assert client.get(f"/engagements/{engagement.id}/actions/new?insight={insight.id}").status_code == 200
    due = (local_today() + timedelta(days=30)).isoformat()
    response = post(client, f"/engagements/{engagement.id}/actions/new", form(
        owner=f"contact-{world.contact_team.id}", due_on=due, insight_ids=[str(insight.id)],
        referral_ids=[str(referral.id)],
    ))
    assert response.status_code == 302
    action = db.session.scalar(sa.select(Action).order_by(Action.id.desc()))
    assert response.headers["Location"] == f"/actions/{action.id}"
    assert action.owner_contact_id == world.contact_team.id and action.owner_user_id is None
    assert action.due_on.isoformat() == due and action.created_by_id == consultant.id
    assert [i.id for i in action.insights] == [insight.id]
    assert [r.id for r in action.referrals] == [referral.id]
    page = client.get(f"/actions/{action.id}").text
    assert f'href="/insights/{insight.id}"' in page and referral.measure.name in page


def test_a_team_member_can_own_a_support_action(client, consultant, manager, engagement):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/actions/new", form(owner=f"user-{manager.id}"))
    assert response.status_code == 302
    action = db.session.scalar(sa.select(Action).order_by(Action.id.desc()))
    assert action.owner_user_id == manager.id and action.owner_contact_id is None


@pytest.mark.parametrize("forged", ["contact-{contact_region}", "user-{admin_id}", "user-{official_id}",
                                    "contact-999999", "user-abc", "nobody"])
def test_owner_must_be_a_contact_of_the_company_or_on_the_team(client, consultant, engagement, world, forged):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/actions/new",
                    form(owner=forged.format(**world.ids), title="入力した題名"))
    assert response.status_code == 422
    assert 'id="owner-error"' in response.text and "入力した題名" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 3  # the world's only


def test_links_must_be_of_the_same_engagement(client, consultant, engagement, world):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/actions/new", form(
        insight_ids=[str(world.insight_region.id)], referral_ids=[str(world.referral_out.id)]))
    assert response.status_code == 422
    assert 'id="insight_ids-error"' in response.text and 'id="referral_ids-error"' in response.text


def test_bad_input_is_explained_beside_the_field_and_kept(client, consultant, engagement):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/actions/new",
                    form(title="  ", description="消えてほしくない説明", due_on="2025-02-30", state="finished"))
    assert response.status_code == 422
    for name in ("title", "due_on", "state"):
        assert f'id="{name}-error"' in response.text, name
    assert "消えてほしくない説明" in response.text and 'value="2025-02-30"' in response.text


def test_edit_keeps_a_former_member_as_owner_and_sets_done_on(client, consultant, engagement, today):
    former = UserFactory(role=Role.CONSULTANT)
    action = ActionFactory(engagement=engagement, owner_user=former)
    login(client, consultant)
    page = client.get(f"/actions/{action.id}/edit").text
    assert f'<option selected value="user-{former.id}">' in page
    response = post(client, f"/actions/{action.id}/edit",
                    form(owner=f"user-{former.id}", state="done", version=str(action.version)))
    assert response.status_code == 302
    action = db.session.get(Action, action.id)
    assert action.state == ActionState.DONE and action.done_on == today and action.owner_user_id == former.id
    again = post(client, f"/actions/{action.id}/edit",
                 form(owner=f"user-{former.id}", state="in_progress", version=str(action.version)))
    assert again.status_code == 302
    assert db.session.get(Action, action.id).done_on is None


def test_a_stale_edit_is_refused_and_the_text_kept(client, consultant, manager, world):
    action = world.action_team
    login(client, consultant)
    page = client.get(f"/actions/{action.id}/edit").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    change_action(action, manager, title="別の人が変えた題名")
    db.session.commit()
    response = post(client, f"/actions/{action.id}/edit", form(title="私の題名", version=version))
    assert response.status_code == 409
    assert 'value="私の題名"' in response.text and "別の人が変えた題名" in response.text
    assert db.session.get(Action, action.id).title == "別の人が変えた題名"


def test_updates_move_the_state_and_done_sets_done_on(client, consultant, world, today):
    action = world.action_team
    login(client, consultant)
    assert client.get(f"/actions/{action.id}/updates/new").status_code == 200
    assert f'value="{today.isoformat()}"' in client.get(f"/actions/{action.id}/updates/new").text
    started = post(client, f"/actions/{action.id}/updates/new",
                   {"noted_on": (today - timedelta(days=5)).isoformat(), "text": "着手した",
                    "state": "in_progress"})
    assert started.status_code == 302 and started.headers["Location"] == f"/actions/{action.id}#updates"
    assert db.session.get(Action, action.id).state == ActionState.IN_PROGRESS
    note = post(client, f"/actions/{action.id}/updates/new", {"noted_on": today.isoformat(), "text": "順調"})
    assert note.status_code == 302 and db.session.get(Action, action.id).state == ActionState.IN_PROGRESS
    finished_on = today - timedelta(days=1)
    done = post(client, f"/actions/{action.id}/updates/new",
                {"noted_on": finished_on.isoformat(), "text": "完了した", "state": "done"})
    assert done.status_code == 302
    action = db.session.get(Action, action.id)
    assert action.state == ActionState.DONE and action.done_on == finished_on
    updates = db.session.scalars(sa.select(ActionUpdate).order_by(ActionUpdate.id)).all()
    assert [(u.text, u.state, u.author_id) for u in updates] == [
        ("着手した", ActionState.IN_PROGRESS, consultant.id), ("順調", None, consultant.id),
        ("完了した", ActionState.DONE, consultant.id)]
    page = client.get(f"/actions/{action.id}").text
    assert page.index("順調") < page.index("完了した") < page.index("着手した")  # latest date first


def test_an_update_cannot_be_dated_in_the_future(client, consultant, world, today):
    action = world.action_team
    login(client, consultant)
    response = post(client, f"/actions/{action.id}/updates/new",
                    {"noted_on": (today + timedelta(days=1)).isoformat(), "text": "明日の予定を書いた",
                     "state": "done"})
    assert response.status_code == 422
    assert 'id="noted_on-error"' in response.text and "明日の予定を書いた" in response.text
    assert db.session.get(Action, action.id).state == ActionState.PLANNED
    assert not db.session.scalars(sa.select(ActionUpdate)).all()
    empty = post(client, f"/actions/{action.id}/updates/new", {"noted_on": today.isoformat(), "text": " "})
    assert empty.status_code == 422 and 'id="text-error"' in empty.text


def test_the_action_page_offers_the_update_form_to_writers_only(client, consultant, admin, world):
    action = world.action_team
    writer = client.application.test_client()
    login(writer, consultant)
    assert f'action="/actions/{action.id}/updates/new"' in writer.get(f"/actions/{action.id}").text
    login(client, admin)
    page = client.get(f"/actions/{action.id}")
    assert page.status_code == 200 and "/updates/new" not in page.text and "/edit" not in page.text
    assert post(client, f"/actions/{action.id}/updates/new",
                {"noted_on": local_today().isoformat(), "text": "管理者"}).status_code == 403
    assert post(client, f"/engagements/{action.engagement_id}/actions/new", form()).status_code == 403


def test_officials_and_outsiders_get_404(client, official, consultant, world):
    login(client, official)
    assert client.get(f"/engagements/{world.engagement_team.id}/actions").status_code == 404
    assert client.get(f"/actions/{world.action_team.id}").status_code == 404
    outsider = client.application.test_client()
    login(outsider, consultant)
    assert outsider.get(f"/actions/{world.action_region.id}").status_code == 404
    assert post(outsider, f"/actions/{world.action_out.id}/updates/new", {"text": "x"}).status_code == 404


@pytest.mark.parametrize("page", ["index", "show", "edit"])
def test_pages_take_a_bounded_number_of_queries(client, consultant, count_queries, region, page):
    counts = []
    for size in (3, 20):
        engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(consultant, True)])
        contacts = [ContactFactory(company=engagement.company) for _ in range(size)]
        insights = [InsightFactory(engagement=engagement) for _ in range(size)]
        referrals = [ReferralFactory(engagement=engagement) for _ in range(size)]
        actions = [
            ActionFactory(engagement=engagement, owner_contact=contacts[i] if i % 2 else None,
                          owner_user=None if i % 2 else consultant, insights=insights[: i + 1],
                          referrals=referrals[: i + 1], due_on=local_today() + timedelta(days=i - 5))
            for i in range(size)
        ]
        for i in range(size):
            add_action_update(actions[0], consultant, local_today(), f"進捗 {i}")
            add_action_update(actions[i], consultant, local_today(), "一言")
        db.session.commit()
        login(client, consultant)
        path = {"index": f"/engagements/{engagement.id}/actions", "show": f"/actions/{actions[0].id}",
                "edit": f"/actions/{actions[0].id}/edit"}[page]
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1] <= 12, counts  # the same whatever the records, and within the budget
