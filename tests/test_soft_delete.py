"""Soft delete: a deleted company, engagement, session, insight or action is gone
from every page and count a user would notice, answers 404 to everyone, and
is listed on the admin's deleted-records page, from where it can be restored."""

import re
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    ContactFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
)
from tests.test_companies import VALID, company_form
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEvent, Company, DialogueSession, Engagement, SessionState
from tracker.pipeline.fiscal import fiscal_year

YESTERDAY = date.today() - timedelta(days=1)
FY = fiscal_year(YESTERDAY)
GONE = "削除テスト工業"
KEPT = "残る株式会社"


@pytest.fixture
def english(admin, manager, consultant, official):
    """Every role reads English, so that messages can be checked before they are translated."""
    for user in (admin, manager, consultant, official):
        user.language = "en"
    db.session.commit()


def _case(name, manager, consultant, region):
    """A company with one engagement (manager leads, consultant on the team): a submitted and
    a draft session, an insight that surfaced in the first, an overdue action decided there."""
    company = CompanyFactory(region=region, name=name)
    contact = ContactFactory(company=company)
    engagement = EngagementFactory(company=company, team=[(manager, True), (consultant, False)])
    submitted = DialogueSessionFactory(engagement=engagement, author=consultant, held_on=YESTERDAY,
                                       state=SessionState.SUBMITTED, submitted_at=utcnow())
    draft = DialogueSessionFactory(engagement=engagement, author=consultant, held_on=YESTERDAY)
    insight = InsightFactory(engagement=engagement, text=f"{name}の気づき", sessions=[submitted],
                             created_at=datetime.combine(YESTERDAY, time(3), tzinfo=UTC))
    action = ActionFactory(engagement=engagement, title=f"{name}のアクション", owner_contact=contact,
                           due_on=YESTERDAY, session=submitted, insights=[insight])
    return SimpleNamespace(company=company, engagement=engagement, session=submitted, draft=draft,
                           insight=insight, action=action)


@pytest.fixture
def cases(english, manager, consultant, region):
    """The case to delete from and a neighbour that stays, in the same region."""
    return _case(GONE, manager, consultant, region), _case(KEPT, manager, consultant, region)


def links_to(html: str, path: str) -> bool:
    """The page links to `path` (or to a page under it, such as its edit form)."""
    return re.search(rf'href="{re.escape(path)}(?:[/?#][^"]*)?"', html) is not None


def count_in(html: str, section_id: str) -> int:
    """The "(n)" count in the heading of a section."""
    section = re.search(rf'id="{section_id}".*?<span class="count">\((\d+)\)</span>', html, re.S)
    assert section, f"no count in #{section_id}"
    return int(section[1])


def key_figure(html: str, row: str) -> str:
    cells = re.search(rf'<tr id="key-figures-{row}"[^>]*>.*?<td class="number"[^>]*>(.*?)</td>', html, re.S)
    assert cells, f"no key figure {row}"
    return cells[1].strip()


def summary(client) -> dict:
    html = client.get(f"/summaries/?fy={FY}").text
    return {row: key_figure(html, row) for row in ("supported", "sessions", "insights", "actions_due")}


def as_user(client, user):
    """Sign the client out and in again as `user`."""
    post(client, "/auth/sign-out")
    assert login(client, user).status_code == 302
    return client


def paths(case) -> dict:
    return {
        "company": f"/companies/{case.company.id}",
        "engagement": f"/engagements/{case.engagement.id}",
        "timeline": f"/engagements/{case.engagement.id}/timeline",
        "session": f"/sessions/{case.session.id}",
        "insight": f"/insights/{case.insight.id}",
        "action": f"/actions/{case.action.id}",
    }


def assert_not_found(client, users, *urls):
    """Every role, the admin included, gets 404 for these pages."""
    for user in users:
        as_user(client, user)
        for url in urls:
            assert client.get(url).status_code == 404, f"{user.role} {url}"


# ---- deleting: the confirm step ----------------------------------------------------


def test_a_get_only_asks_and_deletes_nothing(signed_in, manager, cases):
    gone, _kept = cases
    response = signed_in(manager).get(f"/companies/{gone.company.id}/delete")
    assert response.status_code == 200
    assert "Delete this company?" in response.text and GONE in response.text
    assert "Its engagement, with its sessions, insights and actions, goes with it." in response.text
    assert 'method="post"' in response.text and 'name="csrf_token"' in response.text
    assert db.session.get(Company, gone.company.id).deleted_at is None


def test_a_post_without_the_csrf_token_is_refused(signed_in, manager, cases):
    gone, _kept = cases
    response = signed_in(manager).post(f"/engagements/{gone.engagement.id}/delete")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(Engagement).where(Engagement.id == gone.engagement.id)) is not None


def test_the_delete_button_is_shown_only_to_those_who_may_delete(signed_in, client, manager, consultant, cases):
    gone, _kept = cases
    signed_in(manager)
    assert 'id="delete-link"' in client.get(f"/companies/{gone.company.id}").text
    assert 'id="delete-link"' in client.get(f"/engagements/{gone.engagement.id}").text
    as_user(client, consultant)
    assert 'id="delete-link"' not in client.get(f"/companies/{gone.company.id}").text
    assert 'id="delete-link"' not in client.get(f"/engagements/{gone.engagement.id}").text
    assert 'id="delete-link"' in client.get(f"/sessions/{gone.session.id}").text
    assert 'id="delete-link"' in client.get(f"/insights/{gone.insight.id}").text
    assert 'id="delete-link"' in client.get(f"/actions/{gone.action.id}").text


def test_a_reviewed_session_is_deleted_only_by_a_manager(signed_in, client, manager, consultant, cases):
    gone, _kept = cases
    gone.session.state = SessionState.REVIEWED
    db.session.commit()
    signed_in(consultant)
    assert client.get(f"/sessions/{gone.session.id}/delete").status_code == 403
    as_user(client, manager)
    assert post(client, f"/sessions/{gone.session.id}/delete").status_code == 302


# ---- deleting: gone from every page --------------------------------------------------


def test_a_deleted_company_is_gone_everywhere(client, signed_in, users, admin, manager, consultant, cases):
    gone, kept = cases
    signed_in(manager)
    before = summary(client)
    response = post(client, f"/companies/{gone.company.id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/companies/"
    page = client.get("/companies/").text
    assert f"{GONE} has been deleted. An administrator can restore it." in page
    assert GONE not in page.replace(f"{GONE} has been deleted", "") and KEPT in page
    assert GONE not in client.get("/pipeline/").text
    assert GONE not in client.get("/review/").text
    home = client.get("/").text
    assert count_in(home, "review-waiting") == 1
    exported = client.get(f"/summaries/companies.csv?fy={FY}").data.decode("utf-8-sig")
    assert GONE not in exported and KEPT in exported
    after = summary(client)
    assert int(after["supported"]) == int(before["supported"]) - 1
    assert int(after["sessions"]) == int(before["sessions"]) - 2
    assert int(after["insights"]) == int(before["insights"]) - 1
    assert int(after["actions_due"]) == int(before["actions_due"]) - 1
    as_user(client, consultant)
    home = client.get("/").text
    assert GONE not in home and KEPT in home
    assert GONE not in client.get("/companies/").text
    assert_not_found(client, users.values(), paths(gone)["company"])
    assert_not_found(client, [admin, manager, consultant], *paths(gone).values())


def workload_cell(html: str, user, column: str) -> int:
    row = re.search(rf'<tr id="member-{user.id}".*?</tr>', html, re.S)
    assert row, f"no workload row for {user.name}"
    return int(re.search(rf'data-column="{column}">(\d+)<', row[0])[1])


WORKLOAD = f"/pipeline/workload?start={YESTERDAY.isoformat()}&end={YESTERDAY.isoformat()}"
LISTS = ("/", "/companies/", "/pipeline/", "/pipeline/?view=table", "/pipeline/?closed=1", "/pipeline/flow",
         WORKLOAD, "/review/", f"/summaries/?fy={FY}")


def test_a_deleted_companys_name_is_on_no_list_page(client, signed_in, admin, manager, cases):
    gone, _kept = cases
    signed_in(manager)
    assert all(GONE in client.get(url).text for url in ("/companies/", "/pipeline/", "/review/"))
    post(client, f"/companies/{gone.company.id}/delete")
    for user in (manager, admin):
        as_user(client, user)
        for url in LISTS:
            response = client.get(url)
            if response.status_code == 403:  # the review queue is the managers'
                continue
            assert response.status_code == 200, url
            assert GONE not in response.text, f"{user.role} {url}"


def test_deleting_a_company_takes_its_engagements_at_the_same_moment(signed_in, manager, cases):
    gone, _kept = cases
    earlier = EngagementFactory(company=gone.company, deleted_at=utcnow() - timedelta(days=3),
                                deleted_by_id=manager.id)
    post(signed_in(manager), f"/companies/{gone.company.id}/delete")
    rows = db.session.execute(
        sa.select(Engagement.id, Engagement.deleted_at).where(Engagement.company_id == gone.company.id)
        .execution_options(include_deleted=True)
    ).all()
    company = db.session.scalars(
        sa.select(Company).where(Company.id == gone.company.id).execution_options(include_deleted=True)
    ).one()
    moments = dict(rows)
    assert moments[gone.engagement.id] == company.deleted_at
    assert moments[earlier.id] < company.deleted_at  # deleted before: keeps its own moment
    assert company.deleted_by_id == manager.id


def test_a_deleted_engagement_is_gone_everywhere(client, signed_in, admin, manager, consultant, cases):
    gone, kept = cases
    signed_in(manager)
    before = summary(client)
    waiting = count_in(client.get("/").text, "review-waiting")
    response = post(client, f"/engagements/{gone.engagement.id}/delete")
    assert response.headers["Location"] == f"/companies/{gone.company.id}"
    company_page = client.get(f"/companies/{gone.company.id}").text
    assert "The engagement has been deleted. An administrator can restore it." in company_page
    assert not links_to(company_page, f"/engagements/{gone.engagement.id}")
    assert "No engagement yet." in company_page
    assert re.search(r"Dialogue sessions</dt><dd>0</dd>", company_page)
    board = client.get("/pipeline/").text
    assert not links_to(board, f"/engagements/{gone.engagement.id}") and KEPT in board
    assert GONE not in client.get("/review/").text
    assert count_in(client.get("/").text, "review-waiting") == waiting - 1
    after = summary(client)
    assert int(after["supported"]) == int(before["supported"]) - 1
    assert int(after["sessions"]) == int(before["sessions"]) - 2
    assert int(after["insights"]) == int(before["insights"]) - 1
    assert int(after["actions_due"]) == int(before["actions_due"]) - 1
    assert workload_cell(client.get(WORKLOAD).text, consultant, "active") == 1
    as_user(client, consultant)
    home = client.get("/").text
    assert GONE not in home and KEPT in home
    assert not links_to(home, f"/sessions/{gone.draft.id}") and not links_to(home, f"/actions/{gone.action.id}")
    urls = [url for name, url in paths(gone).items() if name != "company"]
    assert_not_found(client, [admin, manager, consultant], *urls)


def test_a_deleted_session_is_gone_everywhere(client, signed_in, admin, manager, consultant, cases):
    gone, kept = cases
    signed_in(manager)
    before = summary(client)
    engagement_page = client.get(f"/engagements/{gone.engagement.id}").text
    assert count_in(engagement_page, "sessions") == 2
    response = post(client, f"/sessions/{gone.session.id}/delete")
    assert response.headers["Location"] == f"/engagements/{gone.engagement.id}"
    engagement_page = client.get(f"/engagements/{gone.engagement.id}").text
    assert "The session has been deleted. An administrator can restore it." in engagement_page
    assert count_in(engagement_page, "sessions") == 1
    assert not links_to(engagement_page, f"/sessions/{gone.session.id}")
    assert not links_to(client.get(paths(gone)["timeline"]).text, f"/sessions/{gone.session.id}")
    queue = client.get("/review/").text
    assert f'id="session-{gone.session.id}"' not in queue and f'id="session-{kept.session.id}"' in queue
    assert re.search(r"Dialogue sessions</dt><dd>1</dd>", client.get(f"/companies/{gone.company.id}").text)
    # Where it was linked: the insight that surfaced in it, the action decided in it.
    assert not links_to(client.get(paths(gone)["insight"]).text, f"/sessions/{gone.session.id}")
    assert not links_to(client.get(paths(gone)["action"]).text, f"/sessions/{gone.session.id}")
    assert int(summary(client)["sessions"]) == int(before["sessions"]) - 1
    assert workload_cell(client.get(WORKLOAD).text, consultant, "sessions") == 3  # of the 4 they wrote
    assert_not_found(client, [admin, manager, consultant], paths(gone)["session"],
                     f"/review/sessions/{gone.session.id}")


def test_a_deleted_draft_leaves_the_authors_list_of_records_to_finish(client, signed_in, consultant, cases):
    gone, _kept = cases
    signed_in(consultant)
    assert count_in(client.get("/").text, "drafts") == 2
    post(client, f"/sessions/{gone.draft.id}/delete")
    home = client.get("/").text
    assert count_in(home, "drafts") == 1 and not links_to(home, f"/sessions/{gone.draft.id}")


def test_a_deleted_insight_is_gone_everywhere(client, signed_in, admin, manager, consultant, cases):
    gone, _kept = cases
    before = summary(signed_in(manager))
    as_user(client, consultant)
    response = post(client, f"/insights/{gone.insight.id}/delete")
    assert response.headers["Location"] == f"/engagements/{gone.engagement.id}/insights"
    board = client.get(f"/engagements/{gone.engagement.id}/insights").text
    assert "The insight has been deleted. An administrator can restore it." in board
    assert gone.insight.text not in board
    for page in ("engagement", "timeline", "session", "action"):
        html = client.get(paths(gone)[page]).text
        assert gone.insight.text not in html and not links_to(html, paths(gone)["insight"]), page
    assert "No insight recorded yet." in client.get(paths(gone)["engagement"]).text
    as_user(client, manager)
    assert int(summary(client)["insights"]) == int(before["insights"]) - 1
    assert_not_found(client, [admin, manager, consultant], paths(gone)["insight"],
                     f"/insights/{gone.insight.id}/edit")


def test_a_deleted_action_is_gone_everywhere(client, signed_in, admin, manager, consultant, cases):
    gone, kept = cases
    signed_in(manager)
    before = summary(client)
    card = re.search(rf'id="card-{gone.engagement.id}".*?</article>', client.get("/pipeline/").text, re.S)[0]
    assert "1 overdue" in card
    response = post(client, f"/actions/{gone.action.id}/delete")
    assert response.headers["Location"] == f"/engagements/{gone.engagement.id}/actions"
    listing = client.get(f"/engagements/{gone.engagement.id}/actions?show=all").text
    assert gone.action.title not in listing
    for page in ("engagement", "timeline", "session", "insight"):
        html = client.get(paths(gone)[page]).text
        assert gone.action.title not in html and not links_to(html, paths(gone)["action"]), page
    assert count_in(client.get(paths(gone)["engagement"]).text, "actions") == 0
    card = re.search(rf'id="card-{gone.engagement.id}".*?</article>', client.get("/pipeline/").text, re.S)[0]
    assert "0 open" in card and "overdue" not in card
    assert int(summary(client)["actions_due"]) == int(before["actions_due"]) - 1
    as_user(client, consultant)
    home = client.get("/").text
    assert not links_to(home, paths(gone)["action"]) and links_to(home, paths(kept)["action"])
    assert count_in(home, "overdue") == 1
    assert_not_found(client, [admin, manager, consultant], paths(gone)["action"],
                     f"/actions/{gone.action.id}/edit", f"/actions/{gone.action.id}/updates/new")


def test_after_deleting_the_flash_is_on_the_parent_page(signed_in, consultant, cases):
    gone, _kept = cases
    client = signed_in(consultant)
    response = post(client, f"/actions/{gone.action.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "The action has been deleted. An administrator can restore it." in response.text


# ---- the admin's deleted records ---------------------------------------------------------


def test_the_admin_lists_deleted_records_newest_first_with_who_and_when(client, signed_in, admin, manager,
                                                                       consultant, cases):
    gone, kept = cases
    signed_in(consultant)
    post(client, f"/insights/{gone.insight.id}/delete")
    as_user(client, manager)
    post(client, f"/companies/{gone.company.id}/delete")
    as_user(client, admin)
    page = client.get("/admin/deleted").text
    rows = re.findall(r'<tr id="(\w+-\d+)"', page)
    # The company and its engagement went together, after the insight.
    assert rows[-1] == f"insight-{gone.insight.id}"
    assert set(rows[:2]) == {f"company-{gone.company.id}", f"engagement-{gone.engagement.id}"}
    company_row = re.search(rf'<tr id="company-{gone.company.id}".*?</tr>', page, re.S)[0]
    assert manager.name in company_row and "<time datetime=" in company_row and "Restore" in company_row
    insight_row = re.search(rf'<tr id="insight-{gone.insight.id}".*?</tr>', page, re.S)[0]
    assert consultant.name in insight_row and "Restore the company first" in insight_row
    filtered = client.get("/admin/deleted?kind=insight").text
    assert re.findall(r'<tr id="(\w+-\d+)"', filtered) == [f"insight-{gone.insight.id}"]
    assert KEPT not in page


def test_the_deleted_records_are_paginated(client, signed_in, app, admin, region):
    per_page = app.config["PER_PAGE"]
    for n in range(per_page + 2):
        CompanyFactory(region=region, name=f"消えた会社{n:03d}", deleted_at=utcnow() - timedelta(minutes=n),
                       deleted_by_id=admin.id)
    signed_in(admin)
    first = client.get("/admin/deleted?kind=company").text
    assert "消えた会社000" in first and f"消えた会社{per_page + 1:03d}" not in first
    assert 'rel="next"' in first
    second = client.get("/admin/deleted?kind=company&page=2").text
    assert f"消えた会社{per_page + 1:03d}" in second and "消えた会社000" not in second


def test_restoring_a_company_brings_back_what_went_with_it(client, signed_in, admin, manager, cases):
    gone, _kept = cases
    signed_in(manager)
    post(client, f"/engagements/{gone.engagement.id}/delete")  # deleted on its own, before the company
    second = EngagementFactory(company=gone.company, team=[(manager, True)])
    post(client, f"/companies/{gone.company.id}/delete")
    as_user(client, admin)
    response = post(client, f"/admin/deleted/company/{gone.company.id}/restore?kind=company",
                    token_from="/admin/deleted")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/deleted?kind=company"
    page = client.get(response.headers["Location"]).text
    assert "The record has been restored and is shown again." in page
    assert "The engagement deleted with the company is back too." in page
    assert client.get(f"/companies/{gone.company.id}").status_code == 200
    assert client.get(f"/engagements/{second.id}").status_code == 200
    assert client.get(f"/engagements/{gone.engagement.id}").status_code == 404  # deleted on its own: stays
    assert f'id="engagement-{gone.engagement.id}"' in client.get("/admin/deleted").text


def test_a_record_cannot_come_back_into_a_deleted_case(client, signed_in, admin, manager, consultant, cases):
    gone, _kept = cases
    signed_in(consultant)
    post(client, f"/sessions/{gone.session.id}/delete")
    as_user(client, manager)
    post(client, f"/engagements/{gone.engagement.id}/delete")
    as_user(client, admin)
    response = post(client, f"/admin/deleted/session/{gone.session.id}/restore", token_from="/admin/deleted")
    assert response.status_code == 409
    assert (f"The engagement with {GONE} is deleted: restore the engagement first."
            in response.text.replace("&#39;", "'"))
    assert client.get(f"/sessions/{gone.session.id}").status_code == 404
    assert post(client, f"/admin/deleted/engagement/{gone.engagement.id}/restore",
                token_from="/admin/deleted").status_code == 302
    assert post(client, f"/admin/deleted/session/{gone.session.id}/restore",
                token_from="/admin/deleted").status_code == 302
    as_user(client, manager)
    assert client.get(f"/sessions/{gone.session.id}").status_code == 200
    assert f'id="session-{gone.session.id}"' in client.get("/review/").text


def test_nothing_comes_back_while_its_company_is_deleted(client, signed_in, admin, manager, consultant, cases):
    gone, _kept = cases
    gone.company.name = f"{GONE} <b>"  # shown in the message, escaped
    db.session.commit()
    signed_in(consultant)
    post(client, f"/insights/{gone.insight.id}/delete")
    post(client, f"/actions/{gone.action.id}/delete")
    as_user(client, manager)
    post(client, f"/companies/{gone.company.id}/delete")
    as_user(client, admin)
    for kind, record in (("engagement", gone.engagement), ("insight", gone.insight), ("action", gone.action)):
        response = post(client, f"/admin/deleted/{kind}/{record.id}/restore", token_from="/admin/deleted")
        assert response.status_code == 409, kind
        assert f"{GONE} &lt;b&gt; is deleted: restore the company first." in response.text
    deleted_engagement = db.session.scalars(
        sa.select(Engagement).where(Engagement.id == gone.engagement.id).execution_options(include_deleted=True)
    ).one()
    assert deleted_engagement.deleted_at is not None


def test_restoring_what_is_not_deleted_changes_nothing(signed_in, admin, cases):
    gone, _kept = cases
    client = signed_in(admin)
    response = post(client, f"/admin/deleted/action/{gone.action.id}/restore", token_from="/admin/deleted",
                    follow_redirects=True)
    assert "This record is not deleted: there is nothing to restore." in response.text
    assert post(client, f"/admin/deleted/widget/{gone.action.id}/restore",
                token_from="/admin/deleted").status_code == 404


def test_restoring_a_session_restores_it_for_its_team(client, signed_in, admin, consultant, cases):
    gone, _kept = cases
    signed_in(consultant)
    post(client, f"/sessions/{gone.draft.id}/delete")
    as_user(client, admin)
    assert post(client, f"/admin/deleted/session/{gone.draft.id}/restore",
                token_from="/admin/deleted").status_code == 302
    restored = db.session.get(DialogueSession, gone.draft.id)
    assert restored.deleted_at is None and restored.deleted_by_id is None
    as_user(client, consultant)
    assert count_in(client.get("/").text, "drafts") == 2


def test_a_deleted_companys_corporate_number_is_not_taken_again_unawares(signed_in, manager, region, cases):
    gone, _kept = cases
    gone.company.corporate_number = VALID
    db.session.commit()
    client = signed_in(manager)
    post(client, f"/companies/{gone.company.id}/delete")
    response = post(client, "/companies/new", company_form(region, corporate_number=VALID))
    assert response.status_code == 422
    assert "A deleted company has this corporate number: an administrator can restore it." in response.text


def test_deleting_and_restoring_are_in_the_audit_trail(client, signed_in, admin, manager, cases):
    gone, _kept = cases
    signed_in(manager)
    post(client, f"/companies/{gone.company.id}/delete")
    as_user(client, admin)
    post(client, f"/admin/deleted/company/{gone.company.id}/restore", token_from="/admin/deleted")
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.actor_id)
        .where(AuditEvent.action.in_(("delete", "restore")))
    ).all()
    assert set(events) == {
        ("delete", "Company", gone.company.id, manager.id), ("delete", "Engagement", gone.engagement.id, manager.id),
        ("restore", "Company", gone.company.id, admin.id), ("restore", "Engagement", gone.engagement.id, admin.id),
    }


def test_the_deleted_records_page_costs_the_same_whatever_its_length(client, signed_in, english, admin, manager,
                                                                     consultant, region, count_queries):
    def delete_cases(n):
        for i in range(n):
            case = _case(f"会社{n}-{i}", manager, consultant, region)
            for record in (case.session, case.insight, case.action, case.engagement):
                record.deleted_at, record.deleted_by_id = utcnow(), manager.id
        db.session.commit()

    signed_in(admin)
    delete_cases(1)
    with count_queries() as few:
        assert client.get("/admin/deleted").status_code == 200
    delete_cases(4)
    with count_queries() as many:
        page = client.get("/admin/deleted").text
    assert page.count("Restore the engagement first") == 15  # sessions, insights, actions of 5 deleted cases
    assert many.n == few.n
