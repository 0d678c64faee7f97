"""My work: the consultant's home across all their engagements."""

from datetime import timedelta

import pytest

from tests.conftest import login
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    ContactFactory,
    DialogueSessionFactory,
    EngagementFactory,
    UserFactory,
)
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import ActionState, Role, SessionState


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def item(html: str, record_id: str) -> str:
    """The list item of one record on the page."""
    start = html.rindex("<li", 0, html.index(f'id="{record_id}"'))
    return html[start: html.index("</li>", start)]


@pytest.fixture
def today(app_context):
    return local_today()


@pytest.fixture
def cases(consultant, manager, region):
    """Two engagements the consultant is on, and one they are not."""
    colleague = UserFactory(role=Role.CONSULTANT, regions=[region])
    mine = [
        EngagementFactory(company=CompanyFactory(region=region), team=team)
        for team in ([(consultant, True), (manager, False)], [(consultant, False), (manager, True)])
    ]
    other = EngagementFactory(company=CompanyFactory(region=region), team=[(colleague, True)])
    return mine, other, colleague


def test_actions_due_soon_and_overdue_across_engagements(client, consultant, manager, cases, today):
    english(consultant)
    (first, second), other, _ = cases
    overdue = ActionFactory(engagement=second, due_on=today - timedelta(days=3), owner_user=consultant)
    soon = ActionFactory(engagement=first, due_on=today + timedelta(days=14), owner_user=manager, title="近い")
    contact = ContactFactory(company=first.company)
    due_today = ActionFactory(engagement=first, due_on=today, owner_contact=contact)
    later = ActionFactory(engagement=first, due_on=today + timedelta(days=15), title="まだ先")
    done = ActionFactory(engagement=first, due_on=today - timedelta(days=3), state=ActionState.DONE)
    undated = ActionFactory(engagement=first, due_on=None)
    elsewhere = ActionFactory(engagement=other, due_on=today - timedelta(days=1))
    login(client, consultant)
    page = client.get("/").text
    assert "My work" in page
    for shown in (overdue, soon, due_today):
        assert f'id="action-{shown.id}"' in page
    for hidden in (later, done, undated, elsewhere):
        assert f'id="action-{hidden.id}"' not in page
    # Overdue first, in its own section, standing out with a word and a class.
    assert page.index('id="overdue"') < page.index('id="due-soon"')
    late = item(page, f"action-{overdue.id}")
    assert "is-overdue" in late and "badge-overdue" in late and "Overdue" in late
    assert "Overdue" not in item(page, f"action-{due_today.id}")
    # Mine is marked; someone else's is not.
    assert "badge-mine" in late and "badge-mine" not in item(page, f"action-{soon.id}")
    assert second.company.name in late


def test_draft_and_returned_sessions_of_mine_with_returned_highlighted(client, consultant, manager, cases):
    english(consultant)
    (first, second), _, colleague = cases
    draft = DialogueSessionFactory(engagement=first, author=consultant, state=SessionState.DRAFT)
    returned = DialogueSessionFactory(engagement=second, author=consultant, state=SessionState.RETURNED,
                                      review_comment="発言の引用をもう少し増やしてください。")
    submitted = DialogueSessionFactory(engagement=first, author=consultant, state=SessionState.SUBMITTED)
    theirs = DialogueSessionFactory(engagement=first, author=manager, state=SessionState.DRAFT)
    login(client, consultant)
    page = client.get("/").text
    assert f'id="session-{draft.id}"' in page and f'id="session-{returned.id}"' in page
    assert f'id="session-{submitted.id}"' not in page and f'id="session-{theirs.id}"' not in page
    highlighted = item(page, f"session-{returned.id}")
    assert "is-returned" in highlighted and "badge-returned" in highlighted
    assert "Returned for changes" in highlighted and "発言の引用" in highlighted
    assert "is-returned" not in item(page, f"session-{draft.id}")
    assert page.index(f'id="session-{returned.id}"') < page.index(f'id="session-{draft.id}"')
    if "sessions.edit" in client.application.view_functions:
        assert f'href="/sessions/{draft.id}/edit"' in page


def test_empty_states(client, consultant, cases):
    english(consultant)
    login(client, consultant)
    page = client.get("/").text
    assert 'id="nothing-due"' in page and 'id="overdue"' not in page and 'id="drafts"' not in page
    (first, _), _, _ = cases
    assert f'href="/engagements/{first.id}/insights"' in page
    assert f'href="/engagements/{first.id}/actions"' in page


def test_a_consultant_on_no_team_is_told_so(client, region):
    lonely = UserFactory(role=Role.CONSULTANT, regions=[region], language="en")
    login(client, lonely)
    page = client.get("/")
    assert page.status_code == 200 and "not on any engagement team" in page.text


def test_other_roles_keep_their_home_pages(client, users):
    headings = {"manager": "Pipeline", "official": "Regional summary", "admin": "Administration"}
    for role, heading in headings.items():
        user = users[role]
        english(user)
        browser = client.application.test_client()
        login(browser, user)
        page = browser.get("/")
        assert page.status_code == 200 and f"<h1>{heading}</h1>" in page.text, role


def test_my_work_takes_a_bounded_number_of_queries(client, consultant, manager, region, count_queries, today):
    counts = []
    for size in (3, 30):
        for i in range(size):
            engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(consultant, i == 0),
                                                                                        (manager, i != 0)])
            contact = ContactFactory(company=engagement.company)
            ActionFactory(engagement=engagement, due_on=today - timedelta(days=i % 3), owner_contact=contact)
            ActionFactory(engagement=engagement, due_on=today + timedelta(days=i % 10), owner_user=manager)
            DialogueSessionFactory(engagement=engagement, author=consultant,
                                   state=SessionState.RETURNED if i % 2 else SessionState.DRAFT)
        login(client, consultant)
        with count_queries() as counted:
            page = client.get("/")
        assert page.status_code == 200 and page.text.count('class="badge badge-overdue"') >= size // 3
        counts.append(counted.n)
    assert counts[0] == counts[1], counts


def test_long_lists_show_the_most_urgent_and_count_the_rest(client, consultant, manager, cases, today, monkeypatch):
    monkeypatch.setattr("tracker.home.routes.MY_WORK_LISTED", 2)
    mine = cases[0][0]
    late = [ActionFactory(engagement=mine, due_on=today - timedelta(days=days)) for days in (3, 9, 1)]
    for _ in range(3):
        DialogueSessionFactory(engagement=mine, author=consultant, state=SessionState.DRAFT)
    english(consultant)
    login(client, consultant)
    page = client.get("/").text
    overdue = page[page.index('id="overdue"'):page.index("</section>", page.index('id="overdue"'))]
    assert f'id="action-{late[1].id}"' in overdue and f'id="action-{late[0].id}"' in overdue
    assert f'id="action-{late[2].id}"' not in overdue  # the least overdue waits
    assert '<span class="count">(3)</span>' in overdue and "The first 2 of 3 are shown" in overdue
    drafts = page[page.index('id="drafts"'):page.index("</section>", page.index('id="drafts"'))]
    assert drafts.count('class="work-item') == 2 and "The first 2 of 3 are shown" in drafts
