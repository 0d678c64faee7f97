"""Double submission (issue 19, finding 6): every create form saves once.

A create form carries a one-time key made when it is shown. Sending the same
form again — a double click, a resent request, two posts at the same moment —
creates nothing more and leads to what the first post saved. A post without
its key saves nothing and gets the form back with what was typed.
"""

import io
import re
import threading
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, login
from tests.factories import CompanyFactory, UserFactory
from tests.routewalk import changed_tables, database_state
from tests.test_imports import csv_bytes, real_region, row
from tracker import idempotency
from tracker.database import utcnow
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import (
    ActionUpdate,
    Company,
    CompanyImport,
    DialogueSession,
    FormSubmission,
    Phase,
    Role,
    SessionState,
    UserSession,
)

KEY_INPUT = re.compile(r'<input[^>]*name="form_key"[^>]*value="([^"]+)"')
ALREADY = "already been saved"
# Every form's data below has one value starting with this, which must be shown back.
TYPED = "1234"


def shown_key(client, page: str) -> str:
    """The form key of the (first) create form on a page, as a browser would send it."""
    response = client.get(page)
    assert response.status_code == 200, page
    match = KEY_INPUT.search(response.text)
    assert match, f"no form key on {page}"
    return match.group(1)


def send(client, path: str, data: dict, key: str | None, **kwargs):
    """Post a form as its page would: the session's CSRF token and the given key (None: no key)."""
    fields = {**data, "csrf_token": csrf_token(client)}
    if key is not None:
        fields["form_key"] = key
    return client.post(path, data=fields, **kwargs)


def session_data(world) -> dict:
    return {
        "held_on": (local_today() - timedelta(days=1)).isoformat(), "duration_minutes": "60",
        "format": "visit", "kind": "president_dialogue", "team_attendee_ids": [str(world.users["consultant"].id)],
        "notes": "1234 二重送信の確認", "reflection": "", "next_steps": "", "intent": "draft",
    }


def sessions_noted() -> sa.Select:
    """How many sessions session_data() made."""
    return sa.select(sa.func.count()).select_from(DialogueSession).where(DialogueSession.notes == "1234 二重送信の確認")


def update_data(_world) -> dict:
    return {"noted_on": local_today().isoformat(), "text": "1234 一度だけ記録されるはずの進捗", "state": ""}


def _company(world) -> dict:
    return {"name": "二重送信工業株式会社", "kana": "", "corporate_number": "",
            "region_id": str(world.company_team.region_id), "address": "1234 新潟県燕市", "industry_code": "24",
            "employees": "10", "capital": "", "founded_year": "", "leader_selection_year": "", "representative": ""}


def _fresh_company(world) -> int:
    """A company of the region with no engagement yet, for opening one."""
    return CompanyFactory(region=world.company_team.region).id


# (name, role, page showing the form, address it posts to, valid data); pages and addresses are
# filled from world.ids, data are made from the world.
CREATE_FORMS = [
    ("company", "manager", "/companies/new", "/companies/new", _company),
    ("contact", "manager", "/companies/{company_team}/contacts/new", "/companies/{company_team}/contacts/new",
     lambda w: {"name": "燕 花子", "title": "1234 製造部長", "side": "executive", "email": "", "phone": ""}),
    ("engagement", "manager", "/companies/{fresh_company}/engagements/new",
     "/companies/{fresh_company}/engagements/new",
     lambda w: {"theme": "1234 次の柱", "referral_source": "municipality", "referral_note": "",
                "started_on": local_today().isoformat(), "phase": "candidate", "lead": str(w.users["manager"].id)}),
    ("session", "consultant", "/engagements/{engagement_team}/sessions/new",
     "/engagements/{engagement_team}/sessions/new", session_data),
    ("insight", "consultant", "/engagements/{engagement_team}/insights/new",
     "/engagements/{engagement_team}/insights/new",
     lambda w: {"text": "1234 社長が口にした", "holder": "president", "category": "organisation", "barrier": "",
                "state": "voiced"}),
    ("action", "consultant", "/engagements/{engagement_team}/actions/new",
     "/engagements/{engagement_team}/actions/new",
     lambda w: {"title": "1234 一度だけの行動", "description": "", "owner": "", "due_on": "", "state": "planned"}),
    ("action update (on the action's page)", "consultant", "/actions/{action_team}",
     "/actions/{action_team}/updates/new", update_data),
    ("action update (its own page)", "consultant", "/actions/{action_team}/updates/new",
     "/actions/{action_team}/updates/new", update_data),
    ("referral", "consultant", "/engagements/{engagement_team}/referrals/new",
     "/engagements/{engagement_team}/referrals/new",
     lambda w: {"measure_id": str(w.measure.id), "referred_on": local_today().isoformat(), "note": "1234 紹介"}),
    ("outcome snapshot", "consultant", "/companies/{company_team}/outcomes/new",
     "/companies/{company_team}/outcomes/new",
     lambda w: {"fiscal_year": str(date.today().year - 3), "sales": "1234000"}),
    ("support measure", "admin", "/admin/measures/new", "/admin/measures/new",
     lambda w: {"name": "一度だけの補助金", "name_en": "", "kind": "subsidy", "provider": "1234 中小企業庁",
                "description": "", "active": "y"}),
    ("user", "admin", "/admin/users/new", "/admin/users/new",
     lambda w: {"name": "新規 利用者", "email": "1234once@example.org", "organisation_id": "0", "role": "consultant",
                "language": "ja", "region_ids": [str(w.company_team.region_id)],
                "password": "Shinano-River-Lantern-88", "confirm": "Shinano-River-Lantern-88"}),
]


@pytest.fixture
def create_form(request, world):
    """One create form of CREATE_FORMS, its role's client signed in, its addresses filled."""
    name, role, page, path, data = request.param
    ids = {**world.ids}
    if "{fresh_company}" in page:
        ids["fresh_company"] = _fresh_company(world)
        db.session.commit()
    return name, role, page.format(**ids), path.format(**ids), data(world)


@pytest.mark.parametrize("create_form", CREATE_FORMS, indirect=True, ids=[row[0] for row in CREATE_FORMS])
def test_a_create_form_sent_twice_saves_once_and_the_second_goes_to_the_first_result(
    client, world, create_form
):
    name, role, page, path, data = create_form
    login(client, world.users[role])
    key = shown_key(client, page)
    first = send(client, path, data, key)
    assert first.status_code == 302, f"{name}: {first.status_code} {first.text[:2000]}"
    before = database_state()
    again = send(client, path, data, key)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"], name
    assert changed_tables(before, database_state()) == {}, f"{name}: the replay changed the database"
    # A form shown anew is another submission, and saves (where the data allow a second record).
    assert shown_key(client, page) != key


@pytest.mark.parametrize("create_form", CREATE_FORMS, indirect=True, ids=[row[0] for row in CREATE_FORMS])
def test_a_create_form_without_its_key_saves_nothing_and_keeps_what_was_typed(client, world, create_form):
    name, role, page, path, data = create_form
    login(client, world.users[role])
    before = database_state()
    for key in (None, "", "short", "x" * 65, "bad key with spaces and more than thirty-two chars"):
        response = send(client, path, data, key)
        assert response.status_code == 422, f"{name} with key {key!r}: {response.status_code}"
        fresh = KEY_INPUT.search(response.text)
        assert fresh and idempotency.KEY_PATTERN.fullmatch(fresh.group(1)), f"{name}: no fresh key given"
        typed = next(value for value in data.values() if isinstance(value, str) and value.startswith(TYPED))
        assert typed in response.text, f"{name}: what was typed is lost"
    assert changed_tables(before, database_state()) == {}
    # The fresh key of the answer saves the form.
    assert send(client, path, data, fresh.group(1)).status_code == 302, name


def test_the_answer_to_a_replay_says_it_was_already_saved(client, world, consultant):
    consultant.language = "en"
    db.session.commit()
    login(client, consultant)
    page = path = f"/engagements/{world.engagement_team.id}/sessions/new"
    key = shown_key(client, page)
    send(client, path, session_data(world), key)
    again = send(client, path, session_data(world), key, follow_redirects=True)
    assert again.status_code == 200 and ALREADY in again.text
    assert db.session.scalar(sessions_noted()) == 1


def test_a_key_is_claimed_per_person(client, app_context, world, manager, consultant):
    """Another person's post with the same key (a key copied from a page) is their own submission."""
    path = f"/engagements/{world.engagement_team.id}/sessions/new"
    login(client, consultant)
    key = shown_key(client, path)
    assert send(client, path, session_data(world), key).status_code == 302
    other = app_context.test_client()
    login(other, manager)
    data = session_data(world) | {"team_attendee_ids": [str(manager.id)]}
    assert send(other, path, data, key).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormSubmission)) == 2


def test_a_failed_save_leaves_its_key_unclaimed(client, world, consultant):
    """A post refused further on (here: a date in the future) claims nothing: corrected, it saves."""
    login(client, consultant)
    path = f"/actions/{world.action_team.id}/updates/new"
    key = shown_key(client, path)
    future = update_data(world) | {"noted_on": (local_today() + timedelta(days=3)).isoformat()}
    assert send(client, path, future, key).status_code == 422
    assert send(client, path, update_data(world), key).status_code == 302


def test_old_keys_are_pruned_when_their_owner_claims_a_new_one(client, world, consultant):
    login(client, consultant)
    path = f"/actions/{world.action_team.id}/updates/new"
    send(client, path, update_data(world), shown_key(client, path))
    db.session.execute(sa.update(FormSubmission).values(created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    send(client, path, update_data(world), shown_key(client, path))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FormSubmission)) == 1


def test_an_upload_sent_twice_keeps_one_import_and_a_confirmation_sent_twice_imports_once(client, app_context):
    login(client, UserFactory(role=Role.ADMIN, all_regions=True))
    real_region("新潟県", "燕市")
    key = shown_key(client, "/companies/import/")

    def upload():
        body = io.BytesIO(csv_bytes([row(1)]))
        return send(client, "/companies/import/", {"file": (body, "a.csv")}, key, content_type="multipart/form-data")

    first = upload()
    assert first.status_code == 303, first.text[:2000]
    again = upload()
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompanyImport)) == 1
    # The confirmation is made idempotent by the import's own state: once done, a replay is sent to the result.
    preview = first.headers["Location"]
    assert send(client, preview, {}, None).status_code == 303
    before = database_state()
    assert send(client, preview, {}, None).status_code == 303
    assert changed_tables(before, database_state()) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)) == 1


# ---- forms that change a versioned record: the version already makes a replay harmless ------------


def test_a_replayed_phase_change_records_one_change(client, world, manager):
    engagement = world.engagement_team
    login(client, manager)
    following = list(Phase)[list(Phase).index(engagement.phase) + 1]
    data = {"version": str(engagement.version), "to_phase": following.value, "changed_on": local_today().isoformat(),
            "reason": "一度だけ", "closing_reason": ""}
    assert send(client, f"/engagements/{engagement.id}/phase", data, None).status_code == 302
    before = database_state()
    assert send(client, f"/engagements/{engagement.id}/phase", data, None).status_code == 409
    assert changed_tables(before, database_state()) == {}


def test_a_replayed_review_records_one_review(client, world, manager):
    session = world.session_team
    session.state = SessionState.SUBMITTED
    db.session.commit()
    login(client, manager)
    data = {"version": str(session.version), "decision": "returned", "comment": "一度だけ"}
    assert send(client, f"/review/sessions/{session.id}", data, None).status_code == 302
    before = database_state()
    assert send(client, f"/review/sessions/{session.id}", data, None).status_code in (302, 409)
    assert changed_tables(before, database_state()) == {}


# ---- true concurrency: two posts of one form at the same moment ----------------------------------


def _at_the_same_moment(monkeypatch, module):
    """Hold every post at the claim until two have arrived, then let them race."""
    barrier = threading.Barrier(2, timeout=20)
    real = module.claim_form

    def claim_together(form):
        barrier.wait()
        return real(form)

    monkeypatch.setattr(module, "claim_form", claim_together)


def _post_together(app, user, path: str, data: dict, key: str) -> list:
    """Two signed-in browsers of `user` post the same form with the same key, each in its own thread."""
    clients = [app.test_client() for _ in range(2)]
    for browser in clients:
        assert login(browser, user).status_code == 302
    tokens = [csrf_token(browser) for browser in clients]
    answers = [None, None]

    def post(index):
        fields = {**data, "csrf_token": tokens[index], "form_key": key}
        answers[index] = clients[index].post(path, data=fields)

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_posts_of_the_new_session_form_at_once_save_one_session(app_context, client, world, consultant,
                                                                    monkeypatch):
    from tracker.sessions import routes

    path = f"/engagements/{world.engagement_team.id}/sessions/new"
    login(client, consultant)
    key = shown_key(client, path)
    _at_the_same_moment(monkeypatch, routes)
    answers = _post_together(app_context, consultant, path, session_data(world), key)
    assert sorted(answer.status_code for answer in answers) == [302, 303], [a.text[:500] for a in answers]
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert db.session.scalar(sessions_noted()) == 1


def test_two_posts_of_an_action_update_at_once_save_one_update(app_context, client, world, consultant, monkeypatch):
    from tracker.actions import routes

    path = f"/actions/{world.action_team.id}/updates/new"
    login(client, consultant)
    key = shown_key(client, f"/actions/{world.action_team.id}")
    _at_the_same_moment(monkeypatch, routes)
    answers = _post_together(app_context, consultant, path, update_data(world), key)
    assert sorted(answer.status_code for answer in answers) == [302, 303], [a.text[:500] for a in answers]
    count = sa.select(sa.func.count()).select_from(ActionUpdate).where(ActionUpdate.action_id == world.action_team.id)
    assert db.session.scalar(count) == 1


def test_a_form_kept_over_an_expired_sign_in_comes_back_with_its_key_and_saves_once(client, world, consultant):
    """The post that met the expired sign-in saved nothing, so its key is still unclaimed: the restored form
    keeps it, and saving it twice (say, in the old tab too) still makes one session."""
    path = f"/engagements/{world.engagement_team.id}/sessions/new"
    login(client, consultant)
    key = shown_key(client, path)
    token = csrf_token(client, path)
    row = db.session.scalars(sa.select(UserSession)).one()
    row.last_seen_at -= timedelta(hours=2)
    row.created_at -= timedelta(hours=2)
    db.session.commit()
    kept = client.post(path, data={**session_data(world), "csrf_token": token, "form_key": key})
    next_url = parse_qs(urlsplit(kept.headers["Location"]).query)["next"][0]
    assert next_url.startswith(path + "?restore=")
    login(client, consultant)
    restored = client.get(next_url)
    assert KEY_INPUT.search(restored.text).group(1) == key
    assert send(client, path, session_data(world), key).status_code == 302
    assert send(client, path, session_data(world), key).status_code == 303
    assert db.session.scalar(sessions_noted()) == 1
