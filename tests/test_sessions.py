"""Dialogue sessions: logging one on a phone-sized form, reading it, editing it
without losing anything (validation, expired sign-in, a concurrent edit), and
the history of who changed what."""

import html
import re
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import CSRF_META, csrf_token, login, post
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    ContactFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
    UserFactory,
)
from tracker.concurrency import StaleEdit
from tracker.extensions import db
from tracker.models import (
    Action,
    Contact,
    DialogueSession,
    Insight,
    Role,
    SessionRevision,
    SessionState,
    Statement,
    UserSession,
)
from tracker.models.insights import insight_sessions
from tracker.sessions.forms import local_today
from tracker.sessions.services import save_session


@pytest.fixture
def case(region):
    """An engagement in `region`: Mina leads it, Aiko is on the team; both read English."""
    manager = UserFactory(role=Role.MANAGER, regions=[region], language="en", name="Mina Manager")
    consultant = UserFactory(role=Role.CONSULTANT, regions=[region], language="en", name="Aiko Consultant")
    company = CompanyFactory(region=region)
    president = ContactFactory(company=company, name="Taro President", title="President")
    engagement = EngagementFactory(company=company, team=[(manager, True), (consultant, False)])
    return SimpleNamespace(
        manager=manager, consultant=consultant, company=company, president=president, engagement=engagement
    )


def session_post(case, **overrides) -> dict:
    """A complete, valid post of the session form."""
    data = {
        "held_on": (date.today() - timedelta(days=1)).isoformat(),
        "duration_minutes": "90",
        "format": "visit",
        "kind": "president_dialogue",
        "company_attendee_ids": [str(case.president.id)],
        "team_attendee_ids": [str(case.consultant.id)],
        "notes": "The president spoke about succession.",
        "statements-0-text": "We have the technology but not the customers.",
        "statements-0-speaker_id": str(case.president.id),
        "reflection": "We talked too much in the first half.",
        "next_steps": "Interview the executives.",
        "intent": "draft",
    }
    data.update(overrides)
    return data


def existing_post(session, case, **overrides) -> dict:
    """What the edit form of `session` posts back unchanged, plus overrides."""
    data = session_post(
        case, version=str(session.version), held_on=session.held_on.isoformat(),
        duration_minutes=str(session.duration_minutes), format=session.format.value, kind=session.kind.value,
        notes=session.notes, reflection=session.reflection, next_steps=session.next_steps,
        company_attendee_ids=[str(c.id) for c in session.company_attendees],
        team_attendee_ids=[str(u.id) for u in session.team_attendees],
    )
    data.pop("statements-0-text")
    data.pop("statements-0-speaker_id")
    for index, statement in enumerate(session.statements):
        data[f"statements-{index}-text"] = statement.text
        data[f"statements-{index}-speaker_id"] = str(statement.speaker_id or 0)
    data.update(overrides)
    return data


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).strip()


def is_checked(page: str, name: str, value) -> bool:
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no checkbox {name}={value}")


def saved_session(case) -> DialogueSession:
    query = sa.select(DialogueSession).where(DialogueSession.engagement_id == case.engagement.id)
    return db.session.scalars(query).one()


def new_path(case) -> str:
    return f"/engagements/{case.engagement.id}/sessions/new"


def make_session(case, **kwargs) -> DialogueSession:
    session = DialogueSessionFactory(engagement=case.engagement, author=case.consultant, **kwargs)
    db.session.add(Statement(session=session, position=0, text="First words.", speaker_id=case.president.id))
    session.company_attendees = [case.president]
    session.team_attendees = [case.consultant]
    db.session.commit()
    return session


# ---- logging a session ---------------------------------------------------------


def test_new_form_defaults_to_today_and_the_author(client, case):
    login(client, case.consultant)
    page = client.get(new_path(case))
    assert page.status_code == 200
    assert 'name="held_on"' in page.text and 'type="date"' in page.text
    assert is_checked(page.text, "team_attendee_ids", case.consultant.id)
    assert not is_checked(page.text, "team_attendee_ids", case.manager.id)
    assert f'value="{local_today().isoformat()}"' in page.text
    assert 'name="statements-2-text"' in page.text  # three blank rows
    assert 'name="insights-1-text"' in page.text and 'name="actions-1-title"' in page.text
    assert 'name="more_rows"' in page.text
    assert "<script" not in page.text


def test_log_a_session_with_two_insights_and_an_action(client, case):
    login(client, case.consultant)
    data = session_post(
        case,
        **{
            "insights-0-text": "Growth depends on one customer.",
            "insights-0-holder": "president",
            "insights-0-category": "business",
            "insights-0-barrier": "unseen",
            "insights-0-state": "voiced",
            "insights-0-is_essential": "y",
            "insights-1-text": "Young staff want more say.",
            "insights-1-holder": "team_hypothesis",
            "insights-1-category": "organisation",
            "insights-1-state": "hypothesis",
            "actions-0-title": "Visit three new customers",
            "actions-0-owner": f"c-{case.president.id}",
            "actions-0-due_on": (date.today() + timedelta(days=30)).isoformat(),
            "actions-1-title": "Arrange a university partner",
            "actions-1-owner": f"u-{case.consultant.id}",
        },
    )
    response = post(client, new_path(case), data)
    assert response.status_code == 302, response.text
    session = saved_session(case)
    assert response.headers["Location"] == f"/sessions/{session.id}"
    assert session.state == SessionState.DRAFT and session.submitted_at is None
    assert session.author_id == case.consultant.id and session.duration_minutes == 90
    assert [c.id for c in session.company_attendees] == [case.president.id]
    assert [u.id for u in session.team_attendees] == [case.consultant.id]
    assert [(s.text, s.speaker_id) for s in session.statements] == [
        ("We have the technology but not the customers.", case.president.id)
    ]
    insights = db.session.scalars(
        sa.select(Insight).join(insight_sessions)
        .where(insight_sessions.c.session_id == session.id).order_by(Insight.id)
    ).all()
    assert [i.text for i in insights] == ["Growth depends on one customer.", "Young staff want more say."]
    assert insights[0].is_essential and insights[0].barrier == "unseen" and insights[1].barrier is None
    actions = db.session.scalars(
        sa.select(Action).where(Action.session_id == session.id).order_by(Action.id)
    ).all()
    assert [(a.title, a.owner_contact_id, a.owner_user_id) for a in actions] == [
        ("Visit three new customers", case.president.id, None),
        ("Arrange a university partner", None, case.consultant.id),
    ]

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    for text in ("Growth depends on one customer.", "Young staff want more say.", "Visit three new customers",
                 "We have the technology but not the customers.", "Taro President", "Aiko Consultant",
                 "The president spoke about succession.", "We talked too much", "Interview the executives."):
        assert text in page.text, text
    assert 'id="state"' in page.text and "Draft" in page.text
    assert f'id="insight-{insights[0].id}"' in page.text and f'id="action-{actions[0].id}"' in page.text


def test_submit_for_review(client, case):
    login(client, case.consultant)
    response = post(client, new_path(case), session_post(case, intent="submit"))
    assert response.status_code == 302
    session = saved_session(case)
    assert session.state == SessionState.SUBMITTED and session.submitted_at is not None
    assert "Submitted" in client.get(f"/sessions/{session.id}").text


def test_blank_rows_are_ignored_and_duration_as_typed(client, case):
    login(client, case.consultant)
    data = session_post(case, duration_minutes=" 45 ", **{
        "statements-1-text": "  ", "statements-1-speaker_id": "0",
        "insights-0-state": "voiced", "actions-0-title": "",
    })
    assert post(client, new_path(case), data).status_code == 302
    session = saved_session(case)
    assert session.duration_minutes == 45 and len(session.statements) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Insight)) == 0


def test_people_added_on_the_spot_become_contacts_and_attendees(client, case):
    login(client, case.consultant)
    data = session_post(case, **{
        "new_contacts-0-name": "Hana Engineer", "new_contacts-0-title": "Lead engineer",
        "new_contacts-0-side": "employee",
    })
    assert post(client, new_path(case), data).status_code == 302
    contact = db.session.scalars(sa.select(Contact).where(Contact.name == "Hana Engineer")).one()
    assert contact.company_id == case.company.id and contact.title == "Lead engineer"
    assert {c.name for c in saved_session(case).company_attendees} == {"Taro President", "Hana Engineer"}


# ---- bad input: explained beside the field, everything kept ---------------------


@pytest.mark.parametrize(
    ("overrides", "error_id"),
    [
        ({"held_on": (date.today() + timedelta(days=2)).isoformat()}, "held_on-error"),
        ({"held_on": "yesterday"}, "held_on-error"),
        ({"held_on": ""}, "held_on-error"),
        ({"held_on": " "}, "held_on-error"),  # blanks alone were read as no date and failed at the database: a 500
        ({"held_on": "\u3000"}, "held_on-error"),
        ({"held_on": "\n"}, "held_on-error"),
        ({"held_on": "\x1b"}, "held_on-error"),
        ({"held_on": "0001-01-01"}, "held_on-error"),
        ({"duration_minutes": "\t"}, "duration_minutes-error"),
        ({"new_contacts-0-name": "Taro\u202eOkada"}, "new_contacts-0-name-error"),
        ({"duration_minutes": "-5"}, "duration_minutes-error"),
        ({"duration_minutes": "1441"}, "duration_minutes-error"),
        ({"duration_minutes": "an hour"}, "duration_minutes-error"),
        ({"format": "carrier-pigeon"}, "format-error"),
        ({"company_attendee_ids": ["999999"]}, "company_attendee_ids-error"),
        ({"reflection": "x" * 50_001}, "reflection-error"),
    ],
)
def test_bad_input_is_refused_with_everything_kept(client, case, overrides, error_id):
    login(client, case.consultant)
    kept = "Words that must survive a mistake."
    data = session_post(case, **{"statements-0-text": kept, "notes": "Notes that must survive.", **overrides})
    response = post(client, new_path(case), data)
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.text
    assert kept in response.text and "Notes that must survive." in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DialogueSession)) == 0


def test_oversized_notes_are_refused_and_kept(client, case):
    login(client, case.consultant)
    huge = "聞" * 200_000
    response = post(client, new_path(case), session_post(case, notes=huge))
    assert response.status_code == 422
    assert 'id="notes-error"' in response.text and "50,000" in response.text
    assert textarea(response.text, "notes") == huge


def test_a_partly_filled_row_shows_its_error_beside_its_field(client, case):
    login(client, case.consultant)
    data = session_post(case, **{
        "insights-1-text": "A half-written insight", "insights-0-holder": "president",
        "actions-0-due_on": "2030-01-01", "actions-1-owner": f"c-{case.president.id}",
        "statements-1-text": "y" * 5001,
    })
    response = post(client, new_path(case), data)
    assert response.status_code == 422
    for error_id in ("insights-1-holder-error", "insights-1-category-error", "actions-0-title-error",
                     "statements-1-text-error"):
        assert f'id="{error_id}"' in response.text, error_id
    # Rows with nothing typed are ignored, whatever their selects say.
    assert 'id="insights-0-text-error"' not in response.text
    assert 'id="actions-1-title-error"' not in response.text
    assert "A half-written insight" in response.text


def test_add_more_rows_keeps_everything_and_saves_nothing(client, case):
    login(client, case.consultant)
    data = session_post(case, more_rows="statements", notes="Half-way through the notes", **{
        "statements-1-text": "Second quote", "insights-0-text": "An insight typed already",
    })
    data.pop("intent")
    response = post(client, new_path(case), data)
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DialogueSession)) == 0
    assert textarea(response.text, "notes") == "Half-way through the notes"
    assert textarea(response.text, "statements-1-text") == "Second quote"
    assert textarea(response.text, "insights-0-text") == "An insight typed already"
    assert 'name="statements-5-text"' in response.text  # three more blank rows
    assert 'class="error"' not in response.text


# ---- nothing lost to an expired sign-in or a concurrent edit ------------------


def _age_sign_in(**delta):
    row = db.session.scalars(sa.select(UserSession)).one()
    row.last_seen_at -= timedelta(**delta)
    row.created_at -= timedelta(**delta)
    db.session.commit()


def test_expired_sign_in_keeps_the_typed_notes(client, case):
    session = make_session(case)
    login(client, case.consultant)
    path = f"/sessions/{session.id}/edit"
    form_page = client.get(path)
    token = CSRF_META.search(form_page.text).group(1)
    _age_sign_in(minutes=61)
    typed = "Typed for an hour on the train; must not be lost."
    response = client.post(path, data={**existing_post(session, case, notes=typed), "csrf_token": token})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/sign-in"
    next_url = parse_qs(location.query)["next"][0]
    assert next_url.startswith(path + "?restore=")
    signed_in = client.post("/auth/sign-in", data={"email": case.consultant.email, "password": PASSWORD,
                                                   "csrf_token": csrf_token(client), "next": next_url})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == next_url
    page = client.get(next_url)
    assert page.status_code == 200
    assert textarea(page.text, "notes") == typed
    db.session.refresh(session)
    assert session.notes != typed  # kept, not saved: the consultant checks and saves
    saved = post(client, path, existing_post(session, case, notes=typed))
    assert saved.status_code == 302 and db.session.get(DialogueSession, session.id).notes == typed


def test_concurrent_edit_is_refused_with_both_texts_shown(app, client, case):
    session = make_session(case)
    path = f"/sessions/{session.id}/edit"
    login(client, case.consultant)
    other = app.test_client()
    login(other, case.manager)
    assert client.get(path).status_code == 200 and other.get(path).status_code == 200
    opened = existing_post(session, case)

    first = post(other, path, {**opened, "notes": "The manager's version of the notes."})
    assert first.status_code == 302
    second = post(client, path, {**opened, "notes": "Aiko's own notes, to merge."})
    assert second.status_code == 409
    assert 'id="conflict"' in second.text and "Mina Manager" in second.text
    assert textarea(second.text, "notes") == "Aiko's own notes, to merge."
    saved_block = second.text.split('id="saved-version"')[1]
    assert "The manager&#39;s version of the notes." in saved_block
    assert db.session.get(DialogueSession, session.id).notes == "The manager's version of the notes."

    # The form now carries the version it was compared with: saving again works.
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', second.text)
    version = version.group(1) or version.group(2)
    merged = post(client, path, {**opened, "version": version, "notes": "Merged."})
    assert merged.status_code == 302
    assert db.session.get(DialogueSession, session.id).notes == "Merged."


def test_revision_history_records_who_changed_what(client, case):
    session = make_session(case, notes="Before the change.")
    login(client, case.manager)
    data = existing_post(session, case, notes="After the change.", duration_minutes="120",
                         **{"statements-1-text": "Added words."})
    assert post(client, f"/sessions/{session.id}/edit", data).status_code == 302
    revision = db.session.scalars(sa.select(SessionRevision)).one()
    assert revision.user_id == case.manager.id
    assert revision.changes["notes"] == ["Before the change.", "After the change."]
    assert revision.changes["duration_minutes"] == [90, 120]
    assert revision.changes["statements"][1][-1] == "Added words."
    assert set(revision.changes) == {"notes", "duration_minutes", "statements"}
    page = client.get(f"/sessions/{session.id}")
    history = page.text.split('id="history"')[1]
    assert "Mina Manager" in history and "What was heard" in history and "Before the change." in history
    assert "<details>" in history

    # Saving without changes writes no revision.
    session = db.session.get(DialogueSession, session.id)
    unchanged = existing_post(session, case)
    assert post(client, f"/sessions/{session.id}/edit", unchanged).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionRevision)) == 1


def test_edit_shows_what_is_saved_with_blank_rows_below(client, case):
    session = make_session(case, review_comment="Please note who said what.", state=SessionState.RETURNED)
    login(client, case.consultant)
    page = client.get(f"/sessions/{session.id}/edit")
    assert page.status_code == 200
    assert textarea(page.text, "statements-0-text") == "First words."
    assert textarea(page.text, "statements-3-text") == ""  # existing + 3 blank
    assert 'id="review-comment"' in page.text and "Please note who said what." in page.text
    response = post(client, f"/sessions/{session.id}/edit", existing_post(session, case, intent="submit"))
    assert response.status_code == 302
    session = db.session.get(DialogueSession, session.id)
    assert session.state == SessionState.SUBMITTED and session.submitted_at is not None
    assert db.session.scalars(sa.select(SessionRevision)).one().changes["state"] == ["returned", "submitted"]


def test_insights_added_on_edit_are_linked_and_recorded(client, case):
    session = make_session(case)
    login(client, case.consultant)
    data = existing_post(session, case, **{
        "insights-0-text": "Added later.", "insights-0-holder": "executive",
        "insights-0-category": "vision", "insights-0-state": "owned",
    })
    assert post(client, f"/sessions/{session.id}/edit", data).status_code == 302
    insight = db.session.scalars(sa.select(Insight)).one()
    assert [s.id for s in insight.sessions] == [session.id]
    assert insight.state_changes[0].session_id == session.id
    revision = db.session.scalars(sa.select(SessionRevision)).one()
    assert revision.changes == {"new_insights": [[], ["Added later."]]}


# ---- who may do what ---------------------------------------------------------------


def test_admin_reads_but_does_not_write(client, admin, case):
    session = make_session(case)
    login(client, admin)
    page = client.get(f"/sessions/{session.id}")
    assert page.status_code == 200 and "First words." in page.text and 'id="edit-link"' not in page.text
    assert client.get(f"/sessions/{session.id}/edit").status_code == 403
    assert post(client, f"/sessions/{session.id}/edit", existing_post(session, case)).status_code == 403
    assert post(client, new_path(case), session_post(case)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SessionRevision)) == 0


def test_officials_never_see_sessions(client, official, case):
    session = make_session(case)
    login(client, official)
    assert client.get(f"/sessions/{session.id}").status_code == 404
    assert client.get(f"/sessions/{session.id}/edit").status_code == 404
    assert client.get(new_path(case)).status_code == 404


def test_consultant_off_the_team_gets_404(client, region, case):
    session = make_session(case)
    outsider = UserFactory(role=Role.CONSULTANT, regions=[region])
    login(client, outsider)
    assert client.get(f"/sessions/{session.id}").status_code == 404
    assert post(client, f"/sessions/{session.id}/edit", existing_post(session, case)).status_code == 404
    assert post(client, new_path(case), session_post(case)).status_code == 404


def test_reviewed_sessions_are_edited_only_by_managers(client, app, case):
    session = make_session(case, state=SessionState.REVIEWED)
    login(client, case.consultant)
    page = client.get(f"/sessions/{session.id}")
    assert page.status_code == 200 and 'id="edit-link"' not in page.text
    assert client.get(f"/sessions/{session.id}/edit").status_code == 403
    manager = app.test_client()
    login(manager, case.manager)
    form = manager.get(f"/sessions/{session.id}/edit")
    assert form.status_code == 200 and 'value="submit"' not in form.text
    edit = f"/sessions/{session.id}/edit"
    corrected = post(manager, edit, existing_post(session, case, notes="Corrected."))
    assert corrected.status_code == 302
    assert db.session.get(DialogueSession, session.id).state == SessionState.REVIEWED


def test_owners_and_speakers_must_belong_to_the_case(client, case, region):
    stranger_contact = ContactFactory(company=CompanyFactory(region=region))
    stranger = UserFactory(role=Role.CONSULTANT, regions=[region])
    login(client, case.consultant)
    data = session_post(case, **{"statements-0-speaker_id": str(stranger_contact.id),
                                 "actions-0-title": "Something", "actions-0-owner": f"u-{stranger.id}",
                                 "team_attendee_ids": [str(stranger.id)]})
    response = post(client, new_path(case), data)
    assert response.status_code == 422
    for error_id in ("statements-0-speaker_id-error", "actions-0-owner-error", "team_attendee_ids-error"):
        assert f'id="{error_id}"' in response.text, error_id


def test_statements_are_escaped(client, case):
    login(client, case.consultant)
    attack = '<script>alert("x")</script>'
    data = session_post(case, notes=attack, **{
        "statements-0-text": attack, "insights-0-text": attack,
        "insights-0-holder": "president", "insights-0-category": "other",
    })
    assert post(client, new_path(case), data).status_code == 302
    page = client.get(f"/sessions/{saved_session(case).id}")
    assert attack not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_missing_engagement_or_session_is_404(client, case):
    login(client, case.consultant)
    assert client.get("/sessions/999999").status_code == 404
    assert client.get("/engagements/999999/sessions/new").status_code == 404


# ---- bounded queries ---------------------------------------------------------------


def _session_with(case, n: int) -> DialogueSession:
    contacts = [ContactFactory(company=case.company) for _ in range(n)]
    members = [UserFactory(role=Role.CONSULTANT, regions=list(case.consultant.regions)) for _ in range(n)]
    session = DialogueSessionFactory(engagement=case.engagement, author=case.consultant)
    session.company_attendees = contacts
    session.team_attendees = members
    for index in range(n):
        session.statements.append(Statement(position=index, text=f"Words {index}", speaker=contacts[index]))
        insight = InsightFactory(engagement=case.engagement)
        insight.sessions.append(session)
        db.session.add(Action(engagement=case.engagement, title=f"Action {index}", session=session,
                              owner_contact=contacts[index] if index % 2 else None,
                              owner_user=None if index % 2 else members[index]))
        session.revisions.append(SessionRevision(user_id=members[index].id, changes={"notes": ["a", "b"]}))
    db.session.commit()
    return session


def test_show_and_edit_run_a_bounded_number_of_queries(client, case, count_queries):
    small, large = _session_with(case, 3), _session_with(case, 20)
    login(client, case.manager)
    counts = {}
    for name, session in (("small", small), ("large", large)):
        for page in ("", "/edit"):
            with count_queries() as counted:
                assert client.get(f"/sessions/{session.id}{page}").status_code == 200
            counts[(name, page)] = counted.n
    assert counts[("small", "")] == counts[("large", "")], counts
    assert counts[("small", "/edit")] == counts[("large", "/edit")], counts
    assert counts[("large", "")] <= 12 and counts[("large", "/edit")] <= 12, counts


def test_a_manager_off_the_team_logs_a_session(client, case, region):
    other_manager = UserFactory(role=Role.MANAGER, regions=[region], language="en", name="Ren Regional")
    login(client, other_manager)
    page = client.get(new_path(case))
    assert is_checked(page.text, "team_attendee_ids", other_manager.id)
    assert f'value="u-{case.consultant.id}"' in page.text
    assert f'value="u-{other_manager.id}"' not in page.text  # support actions stay with the team
    data = session_post(case, team_attendee_ids=[str(other_manager.id)],
                        **{"actions-0-title": "Ask the bank", "actions-0-owner": f"u-{case.manager.id}"})
    assert post(client, new_path(case), data).status_code == 302
    session = saved_session(case)
    assert session.author_id == other_manager.id
    assert [u.id for u in session.team_attendees] == [other_manager.id]
    assert db.session.scalars(sa.select(Action)).one().owner_user_id == case.manager.id


def test_a_reviewed_session_is_not_submitted_again(client, case):
    session = make_session(case, state=SessionState.REVIEWED)
    login(client, case.manager)
    response = post(client, f"/sessions/{session.id}/edit", existing_post(session, case, intent="submit"))
    assert response.status_code == 302
    assert db.session.get(DialogueSession, session.id).state == SessionState.REVIEWED


def test_a_save_racing_another_is_refused_by_the_version_column(app, case):
    """Two saves that both passed ensure_fresh: the database lets only one through."""
    session = make_session(case)
    seen = session.version
    db.session.execute(
        sa.update(DialogueSession).where(DialogueSession.id == session.id).values(version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    details = {
        "held_on": session.held_on, "duration_minutes": 30, "format": session.format, "kind": session.kind,
        "notes": "Racing text", "reflection": "", "next_steps": "", "contact_ids": [], "user_ids": [],
        "new_contacts": [], "statements": [], "insights": [], "actions": [],
    }
    with app.test_request_context(), pytest.raises(StaleEdit):
        save_session(case.engagement, case.consultant, details, session=session, version=seen)
    db.session.rollback()
    assert db.session.get(DialogueSession, session.id).notes != "Racing text"
