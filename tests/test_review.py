"""Session review: the manager's queue, marking reviewed or returning with a
comment, what the consultant then sees, and who may do any of it."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import login, post
from tests.factories import CompanyFactory, DialogueSessionFactory, EngagementFactory, UserFactory
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import DialogueSession, Role, SessionRevision, SessionState


@pytest.fixture
def case(region):
    """An engagement in `region`: Mina (manager) leads it, Aiko (consultant) is on the team."""
    manager = UserFactory(role=Role.MANAGER, regions=[region], language="en", name="Mina Manager")
    consultant = UserFactory(role=Role.CONSULTANT, regions=[region], language="en", name="Aiko Consultant")
    company = CompanyFactory(region=region, name="Tsubame Metal")
    engagement = EngagementFactory(company=company, team=[(manager, True), (consultant, False)])
    return SimpleNamespace(manager=manager, consultant=consultant, company=company, engagement=engagement)


def submitted(engagement, author, days_ago=1, **kwargs):
    return DialogueSessionFactory(engagement=engagement, author=author, state=SessionState.SUBMITTED,
                                  submitted_at=utcnow() - timedelta(days=days_ago), **kwargs)


def review_post(session, decision, comment="", **overrides):
    return {"decision": decision, "comment": comment, "version": str(session.version), **overrides}


def edit_post(session, **overrides):
    """What the consultant's edit form posts back, with overrides."""
    data = {
        "version": str(session.version), "held_on": session.held_on.isoformat(),
        "duration_minutes": str(session.duration_minutes), "format": session.format.value,
        "kind": session.kind.value, "notes": session.notes, "reflection": session.reflection,
        "next_steps": session.next_steps, "intent": "draft",
    }
    data.update(overrides)
    return data


def fresh(session_id) -> DialogueSession:
    db.session.expire_all()
    return db.session.get(DialogueSession, session_id)


# ---- the queue -------------------------------------------------------------------


def test_queue_lists_submitted_sessions_of_the_managers_regions_oldest_first(client, case, other_region):
    newer = submitted(case.engagement, case.consultant, days_ago=1)
    older = submitted(case.engagement, case.consultant, days_ago=5)
    draft = DialogueSessionFactory(engagement=case.engagement, author=case.consultant)
    reviewed = DialogueSessionFactory(engagement=case.engagement, author=case.consultant, state=SessionState.REVIEWED)
    elsewhere = submitted(EngagementFactory(company=CompanyFactory(region=other_region)), None, days_ago=9)

    login(client, case.manager)
    page = client.get("/review/")
    assert page.status_code == 200
    rows = re.findall(r'<tr id="session-(\d+)"', page.text)
    assert rows == [str(older.id), str(newer.id)]
    for absent in (draft, reviewed, elsewhere):
        assert f'id="session-{absent.id}"' not in page.text
    assert 'data-days="5"' in page.text and "Tsubame Metal" in page.text and "Aiko Consultant" in page.text
    assert f'href="/review/sessions/{older.id}"' in page.text


def test_another_regions_manager_sees_none(client, case, other_region):
    submitted(case.engagement, case.consultant)
    stranger = UserFactory(role=Role.MANAGER, regions=[other_region], language="en")
    login(client, stranger)
    page = client.get("/review/")
    assert page.status_code == 200 and 'id="queue-empty"' in page.text and "<tr id=" not in page.text


def test_manager_home_counts_the_waiting_sessions(client, case):
    for _ in range(3):
        submitted(case.engagement, case.consultant)
    login(client, case.manager)
    page = client.get("/")
    card = page.text.split('id="review-waiting"')[1].split("</section>")[0]
    assert 'href="/review/"' in card and "(3)" in card
    assert 'href="/review/"' in page.text.split("<main")[0]  # the menu entry


def test_queue_takes_a_bounded_number_of_queries(client, case, region, count_queries):
    counts = []
    for size in (3, 20):
        for _ in range(size):
            author = UserFactory(role=Role.CONSULTANT, regions=[region])
            engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(author, True)])
            submitted(engagement, author)
        login(client, case.manager)
        with count_queries() as counted:
            page = client.get("/review/")
        assert page.status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1], counts


# ---- reviewing -------------------------------------------------------------------


def test_mark_reviewed_without_a_comment(client, case):
    session = submitted(case.engagement, case.consultant)
    login(client, case.manager)
    page = client.get(f"/review/sessions/{session.id}")
    assert page.status_code == 200 and 'id="mark-reviewed"' in page.text and 'id="return"' in page.text
    response = post(client, f"/review/sessions/{session.id}", review_post(session, "reviewed"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/review/")
    saved = fresh(session.id)
    assert saved.state == SessionState.REVIEWED and saved.reviewed_by_id == case.manager.id
    assert saved.reviewed_at is not None and saved.review_comment == ""
    revision = saved.revisions[-1]
    assert revision.user_id == case.manager.id and revision.changes == {"state": ["submitted", "reviewed"]}
    assert client.get("/review/").text.count("<tr id=") == 0


def test_returning_needs_a_comment(client, case):
    session = submitted(case.engagement, case.consultant)
    login(client, case.manager)
    response = post(client, f"/review/sessions/{session.id}", review_post(session, "returned", "   "))
    assert response.status_code == 422 and 'id="comment-error"' in response.text
    assert fresh(session.id).state == SessionState.SUBMITTED


def test_bad_input_keeps_the_comment(client, case):
    session = submitted(case.engagement, case.consultant)
    login(client, case.manager)
    response = post(client, f"/review/sessions/{session.id}", review_post(session, "approve", "Keep this."))
    assert response.status_code == 422 and 'id="decision-error"' in response.text and "Keep this." in response.text


def test_return_with_comment_then_the_consultant_sees_edits_and_resubmits(app, client, case):
    session = submitted(case.engagement, case.consultant)
    login(client, case.manager)
    returned = post(client, f"/review/sessions/{session.id}",
                    review_post(session, "returned", "Add the president's own words, please."))
    assert returned.status_code == 302
    saved = fresh(session.id)
    assert saved.state == SessionState.RETURNED and saved.review_comment == "Add the president's own words, please."
    assert saved.revisions[-1].changes["review_comment"] == ["", "Add the president's own words, please."]

    consultant = app.test_client()
    login(consultant, case.consultant)
    home = consultant.get("/")
    item = home.text.split(f'id="session-{session.id}"')[1].split("</li>")[0]
    assert "badge-returned" in item and "Add the president&#39;s own words, please." in item
    show = consultant.get(f"/sessions/{session.id}")
    assert 'id="review-comment"' in show.text and "Add the president&#39;s own words, please." in show.text
    since = show.text.split('id="changed-since-review"')[1].split("</section>")[0]
    assert "Nothing has changed since the review" in since  # the review's own entry is not a change

    edited = post(consultant, f"/sessions/{session.id}/edit",
                  edit_post(saved, notes="Notes with the president's words.", intent="submit"))
    assert edited.status_code == 302, edited.text
    show = consultant.get(f"/sessions/{session.id}")
    since = show.text.split('id="changed-since-review"')[1].split("</section>")[0]
    assert "Aiko Consultant" in since and "What was heard" in since and "State" in since
    assert since.count("<li ") == 1
    history = show.text.split('id="history"')[1]
    assert "Reviewer" in history and "<li>S</li>" not in history  # the review is in the history, labelled

    # Submitted again: back in the queue, and reviewable.
    assert fresh(session.id).state == SessionState.SUBMITTED
    queue = client.get("/review/")
    assert f'id="session-{session.id}"' in queue.text
    again = post(client, f"/review/sessions/{session.id}", review_post(fresh(session.id), "reviewed", "Thanks."))
    assert again.status_code == 302 and fresh(session.id).state == SessionState.REVIEWED
    assert "Nothing has changed since the review" in client.get(f"/sessions/{session.id}").text


def test_a_review_of_a_session_changed_meanwhile_is_refused_with_the_comment_kept(app, client, case):
    session = submitted(case.engagement, case.consultant)
    login(client, case.manager)
    opened = review_post(session, "returned", "My careful comment.")
    consultant = app.test_client()
    login(consultant, case.consultant)
    edited = post(consultant, f"/sessions/{session.id}/edit", edit_post(session, notes="Changed meanwhile."))
    assert edited.status_code == 302
    assert fresh(session.id).state == SessionState.SUBMITTED  # still waiting, but another version

    response = post(client, f"/review/sessions/{session.id}", opened)
    assert response.status_code == 409 and 'id="conflict"' in response.text
    assert "My careful comment." in response.text and "Changed meanwhile." in response.text
    assert fresh(session.id).state == SessionState.SUBMITTED
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', response.text)
    assert (version.group(1) or version.group(2)) == str(fresh(session.id).version)
    again = post(client, f"/review/sessions/{session.id}", {**opened, "version": str(fresh(session.id).version)})
    assert again.status_code == 302 and fresh(session.id).state == SessionState.RETURNED


def test_a_session_not_waiting_for_review_goes_to_its_page(client, case):
    session = DialogueSessionFactory(engagement=case.engagement, author=case.consultant,
                                     state=SessionState.REVIEWED)
    login(client, case.manager)
    assert client.get(f"/review/sessions/{session.id}").headers["Location"].endswith(f"/sessions/{session.id}")
    response = post(client, f"/review/sessions/{session.id}", review_post(session, "returned", "Late."))
    assert response.status_code == 302 and fresh(session.id).state == SessionState.REVIEWED
    assert db.session.query(SessionRevision).count() == 0


# ---- who may review ----------------------------------------------------------------


@pytest.mark.parametrize(("variant", "expected"), [
    ("team", {"admin": 403, "manager": 200, "consultant": 403, "official": 404}),
    ("region", {"admin": 403, "manager": 200, "consultant": 404, "official": 404}),
    ("out", {"admin": 403, "manager": 404, "consultant": 404, "official": 404}),
])
def test_only_the_regions_managers_review_a_submitted_session(app, world, variant, expected):
    session = getattr(world, f"session_{variant}")
    session.state, session.submitted_at = SessionState.SUBMITTED, utcnow()
    db.session.commit()
    for role, status in expected.items():
        client = app.test_client()
        login(client, world.users[role])
        assert client.get(f"/review/sessions/{session.id}").status_code == status, role
        posted = post(client, f"/review/sessions/{session.id}", review_post(session, "reviewed"))
        assert posted.status_code == (302 if status == 200 else status), role
    assert fresh(session.id).state == (SessionState.REVIEWED if expected["manager"] == 200 else SessionState.SUBMITTED)


def test_queue_is_for_managers_only(app, users):
    for role, status in (("admin", 403), ("consultant", 403), ("official", 403), ("manager", 200)):
        client = app.test_client()
        login(client, users[role])
        assert client.get("/review/").status_code == status, role
