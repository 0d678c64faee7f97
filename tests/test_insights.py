"""Insights: the board by state, the form, state history, conflicts and scope."""

import re
import time
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
)
from tracker.extensions import db
from tracker.insights.services import change_insight
from tracker.models import Barrier, Insight, InsightCategory, InsightState, InsightStateChange


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def column(html: str, state: str) -> str:
    """The part of the board page that is the column of `state`."""
    start = html.index(f'id="state-{state}"')
    following = html.find('class="board-column"', start)
    return html[start: following if following != -1 else len(html)]


def form(**overrides) -> dict:
    data = {"text": "社長自身が、後継者に任せきれていないと口にした。", "holder": "president",
            "category": "organisation", "barrier": "unfaced", "state": "voiced"}
    data.update(overrides)
    return data


@pytest.fixture
def engagement(world):
    return world.engagement_team


def test_board_groups_insights_by_state_and_flags_the_essential_issue(client, world, consultant, engagement):
    english(consultant)
    owned = InsightFactory(engagement=engagement, state=InsightState.OWNED, is_essential=True, text="本質はここ")
    dropped = InsightFactory(engagement=engagement, state=InsightState.DROPPED, text="見当違いだった")
    login(client, consultant)
    page = client.get(f"/engagements/{engagement.id}/insights")
    assert page.status_code == 200
    assert f'id="insight-{owned.id}"' in column(page.text, "owned")
    assert f'id="insight-{dropped.id}"' in column(page.text, "dropped")
    assert f'id="insight-{world.insight_team.id}"' in column(page.text, "voiced")
    assert "insight-" not in column(page.text, "hypothesis")
    owned_card = column(page.text, "owned")
    assert "badge-essential" in owned_card and "Essential issue" in owned_card
    assert "badge-essential" not in column(page.text, "dropped")
    # Every state has its column, in the order of the method.
    order = [page.text.index(f'id="state-{state.value}"') for state in InsightState]
    assert order == sorted(order)


def test_board_filters_by_category_and_barrier(client, consultant, engagement):
    vision = InsightFactory(engagement=engagement, category=InsightCategory.VISION, barrier=Barrier.LACKING)
    finance = InsightFactory(engagement=engagement, category=InsightCategory.FINANCE, barrier=Barrier.UNSEEN)
    login(client, consultant)
    by_category = client.get(f"/engagements/{engagement.id}/insights?category=vision").text
    assert f'id="insight-{vision.id}"' in by_category and f'id="insight-{finance.id}"' not in by_category
    by_barrier = client.get(f"/engagements/{engagement.id}/insights?barrier=unseen").text
    assert f'id="insight-{finance.id}"' in by_barrier and f'id="insight-{vision.id}"' not in by_barrier
    nonsense = client.get(f"/engagements/{engagement.id}/insights?category=nonsense&barrier=%00")
    assert nonsense.status_code == 200


def test_board_shows_the_sessions_where_an_insight_surfaced(client, consultant, engagement):
    session = DialogueSessionFactory(engagement=engagement, held_on=date(2025, 3, 14))
    insight = InsightFactory(engagement=engagement, sessions=[session])
    login(client, consultant)
    page = client.get(f"/engagements/{engagement.id}/insights").text
    assert '<time datetime="2025-03-14">' in page
    if "sessions.show" in client.application.view_functions:
        assert f'href="/sessions/{session.id}"' in page
    assert f'id="insight-{insight.id}"' in page


def test_new_insight_is_recorded_with_its_sessions_and_first_state(client, consultant, engagement):
    first = DialogueSessionFactory(engagement=engagement)
    second = DialogueSessionFactory(engagement=engagement)
    login(client, consultant)
    assert client.get(f"/engagements/{engagement.id}/insights/new?session={first.id}").status_code == 200
    response = post(client, f"/engagements/{engagement.id}/insights/new",
                    form(session_ids=[str(first.id), str(second.id)], is_essential="y"))
    assert response.status_code == 302
    insight = db.session.scalar(sa.select(Insight).order_by(Insight.id.desc()))
    assert response.headers["Location"] == f"/insights/{insight.id}"
    assert insight.text.startswith("社長自身が") and insight.state == InsightState.VOICED and insight.is_essential
    assert insight.barrier == Barrier.UNFACED and insight.created_by_id == consultant.id
    assert {s.id for s in insight.sessions} == {first.id, second.id}
    [change] = insight.state_changes
    assert change.from_state is None and change.to_state == InsightState.VOICED
    assert change.changed_by_id == consultant.id


def test_a_state_change_is_recorded_with_who_and_when(client, manager, world):
    english(manager)
    insight = world.insight_team
    login(client, manager)
    response = post(client, f"/insights/{insight.id}/edit",
                    form(text=insight.text, state="owned", version=str(insight.version)))
    assert response.status_code == 302
    changes = db.session.scalars(
        sa.select(InsightStateChange).where(InsightStateChange.insight_id == insight.id)
    ).all()
    [change] = changes
    assert (change.from_state, change.to_state) == (InsightState.VOICED, InsightState.OWNED)
    assert change.changed_by_id == manager.id
    assert abs(change.changed_at.timestamp() - time.time()) < 60
    page = client.get(f"/insights/{insight.id}").text
    history = page[page.index('id="state-history"'):]
    assert "Voiced by the client → Owned" in history and manager.name in history


def test_saving_without_a_new_state_records_no_change(client, consultant, world):
    insight = world.insight_team
    login(client, consultant)
    response = post(client, f"/insights/{insight.id}/edit",
                    form(text="言い換えた", state="voiced", version=str(insight.version)))
    assert response.status_code == 302
    assert db.session.get(Insight, insight.id).text == "言い換えた"
    assert not db.session.scalars(sa.select(InsightStateChange)).all()


def test_bad_input_is_explained_beside_the_field_and_kept(client, consultant, engagement, world):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/insights/new",
                    form(text="残してほしい言葉", holder="emperor", barrier="bogus"))
    assert response.status_code == 422
    assert 'id="holder-error"' in response.text and 'id="barrier-error"' in response.text
    assert "残してほしい言葉" in response.text
    empty = post(client, f"/engagements/{engagement.id}/insights/new", form(text="   "))
    assert empty.status_code == 422 and 'id="text-error"' in empty.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Insight)) == 3  # the world's only


def test_sessions_of_another_engagement_cannot_be_linked(client, consultant, engagement, world):
    login(client, consultant)
    response = post(client, f"/engagements/{engagement.id}/insights/new",
                    form(session_ids=[str(world.session_region.id)]))
    assert response.status_code == 422 and 'id="session_ids-error"' in response.text
    assert post(client, f"/engagements/{engagement.id}/insights/new",
                form(session_ids=["abc"])).status_code == 422


def test_a_stale_edit_is_refused_and_the_text_kept(client, consultant, manager, world):
    english(consultant)
    insight = world.insight_team
    login(client, consultant)
    page = client.get(f"/insights/{insight.id}/edit").text
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    change_insight(insight, manager, text="同時に別の人が直した", state=InsightState.OWNED)
    db.session.commit()
    response = post(client, f"/insights/{insight.id}/edit", form(text="私の書いた文章", version=version))
    assert response.status_code == 409
    assert "私の書いた文章" in response.text and "同時に別の人が直した" in response.text
    assert 'id="stale"' in response.text
    assert db.session.get(Insight, insight.id).text == "同時に別の人が直した"
    # Saving again, having seen the other version, replaces it.
    fresh = re.search(r'name="version" type="hidden" value="(\d+)"', response.text).group(1)
    again = post(client, f"/insights/{insight.id}/edit", form(text="私の書いた文章", version=fresh))
    assert again.status_code == 302
    assert db.session.get(Insight, insight.id).text == "私の書いた文章"


def test_show_lists_history_sessions_and_linked_actions(client, consultant, world, engagement):
    insight = world.insight_team
    action = ActionFactory(engagement=engagement, insights=[insight], title="幹部合宿を開く")
    ActionFactory(engagement=engagement, title="関係のないアクション")
    login(client, consultant)
    page = client.get(f"/insights/{insight.id}").text
    assert "幹部合宿を開く" in page and f'href="/actions/{action.id}"' in page
    assert "関係のないアクション" not in page
    assert f'href="/insights/{insight.id}/edit"' in page


def test_admin_reads_but_does_not_write(client, admin, world):
    insight = world.insight_team
    login(client, admin)
    board = client.get(f"/engagements/{insight.engagement_id}/insights")
    assert board.status_code == 200
    assert f"/engagements/{insight.engagement_id}/insights/new" not in board.text
    assert f"/insights/{insight.id}/edit" not in client.get(f"/insights/{insight.id}").text
    assert post(client, f"/insights/{insight.id}/edit", form(version="1")).status_code == 403
    assert post(client, f"/engagements/{insight.engagement_id}/insights/new", form()).status_code == 403


def test_officials_never_see_insights(client, official, world):
    login(client, official)
    assert client.get(f"/engagements/{world.engagement_team.id}/insights").status_code == 404
    assert client.get(f"/insights/{world.insight_team.id}").status_code == 404


def test_consultant_off_the_team_gets_404(client, consultant, world):
    login(client, consultant)
    assert client.get(f"/insights/{world.insight_region.id}").status_code == 404
    assert post(client, f"/insights/{world.insight_region.id}/edit", form(version="1")).status_code == 404


@pytest.mark.parametrize("page", ["board", "show"])
def test_pages_take_a_bounded_number_of_queries(client, consultant, count_queries, region, page):
    counts = []
    for size in (3, 20):
        engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(consultant, True)])
        sessions = [DialogueSessionFactory(engagement=engagement) for _ in range(size)]
        insights = [InsightFactory(engagement=engagement, sessions=sessions[: i % 4 + 1])
                    for i in range(size)]
        target = insights[0]
        for i in range(size):
            change_insight(target, consultant, state=list(InsightState)[i % 5])
            ActionFactory(engagement=engagement, insights=[target], owner_user=consultant)
        db.session.commit()
        login(client, consultant)
        path = f"/engagements/{engagement.id}/insights" if page == "board" else f"/insights/{target.id}"
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1] <= 12, counts  # the same whatever the records, and within the budget

