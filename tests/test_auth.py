"""Signing in and out: what each kind of input gets, and what a session is worth."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, login, post
from tests.factories import PASSWORD, UserFactory
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Role, SignInAttempt, UserSession

GENERIC = "メールアドレスまたはパスワードが正しくありません"


def sign_in_form(client, **data):
    return client.post("/auth/sign-in", data={"csrf_token": csrf_token(client), **data})


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_lands_on_its_home(client, role, region):
    user = UserFactory(role=role, regions=[region])
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert user.name in home.text


def test_email_is_case_insensitive(client, consultant):
    response = sign_in_form(client, email="  " + consultant.email.upper(), password=PASSWORD)
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, consultant):
    wrong = sign_in_form(client, email=consultant.email, password="not the password at all")
    unknown = sign_in_form(client, email="nobody@example.org", password="not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.text and GENERIC in unknown.text
    # What was typed in the email field is kept; the password never is.
    assert 'value="nobody@example.org"' in unknown.text
    assert "not the password at all" not in unknown.text


def test_empty_fields_are_named(client):
    response = sign_in_form(client, email="", password="")
    assert response.status_code == 422
    assert "メールアドレスを入力してください" in response.text
    assert "パスワードを入力してください" in response.text


def test_ten_kilobyte_password_is_refused_without_hashing(client, consultant):
    response = sign_in_form(client, email=consultant.email, password="x" * 10_000)
    assert response.status_code == 422
    assert "128" in response.text


@pytest.mark.parametrize("token", [None, "stale-or-forged-token"])
def test_missing_or_stale_csrf_token_is_refused_and_input_shown(client, consultant, token):
    data = {"email": consultant.email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/auth/sign-in", data=data)
    assert response.status_code == 400
    assert consultant.email in response.text  # what was typed is shown back
    assert PASSWORD not in response.text
    assert client.get("/").status_code == 302  # not signed in


def test_disabled_account_is_refused(client, consultant):
    consultant.active = False
    db.session.commit()
    response = login(client, consultant)
    assert response.status_code == 403
    assert "無効" in response.text
    # With a wrong password, a disabled account looks like any other failure.
    wrong = sign_in_form(client, email=consultant.email, password="wrong password here")
    assert wrong.status_code == 401


def test_ten_failures_lock_the_account_but_not_others(client, consultant, manager):
    for _ in range(10):
        assert sign_in_form(client, email=consultant.email, password="wrong password here").status_code == 401
    locked = login(client, consultant)
    assert locked.status_code == 429
    assert "分後にもう一度" in locked.text
    assert int(locked.headers["Retry-After"]) > 0
    assert login(client, manager).status_code == 302


def test_lockout_also_applies_to_unknown_emails(client):
    for _ in range(10):
        sign_in_form(client, email="ghost@example.org", password="wrong password here")
    assert sign_in_form(client, email="ghost@example.org", password="wrong password here").status_code == 429


def test_english_lockout_message_names_the_minutes(client, consultant):
    client.get("/auth/sign-in?lang=en")
    for _ in range(10):
        sign_in_form(client, email=consultant.email, password="wrong password here")
    response = login(client, consultant)
    assert response.status_code == 429
    assert "Too many attempts. Try again in 5 minutes." in response.text


def test_failures_per_client_address_are_limited(app, client, consultant, manager):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for n in range(3):
            sign_in_form(client, email=f"spray{n}@example.org", password="wrong password here")
        assert login(client, manager).status_code == 429
        other_address = app.test_client()
        other_address.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        assert login(other_address, manager).status_code == 302
    finally:
        app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 100


def test_lockout_ends_after_the_window(client, consultant):
    for _ in range(10):
        sign_in_form(client, email=consultant.email, password="wrong password here")
    db.session.execute(sa.update(SignInAttempt).values(created_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    assert login(client, consultant).status_code == 302


def test_forty_parallel_wrong_passwords_get_at_most_ten_checked(app, client, consultant, monkeypatch):
    """Finding 4 of issue 19: concurrent attempts were counted before any was recorded, and
    13 or 14 of 40 were checked against a limit of 10. Never more than the limit now; fewer
    only when attempts contend for the last place longer than the throttle waits (a busy
    machine), and the account is then locked all the same."""
    from tracker.auth import services

    checks, lock = [], threading.Lock()
    real_verify = services.verify_password

    def counting_verify(*args):
        with lock:
            checks.append(1)
        return real_verify(*args)

    monkeypatch.setattr(services, "verify_password", counting_verify)
    clients = [app.test_client() for _ in range(40)]
    tokens = [csrf_token(each) for each in clients]
    start = threading.Barrier(len(clients))
    statuses, email = [], consultant.email

    def attack(each, token):
        start.wait()
        response = each.post("/auth/sign-in", data={
            "email": email, "password": "wrong password here", "csrf_token": token})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attack, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = len(checks)
    assert 0 < checked <= 10
    assert sorted(statuses) == [401] * checked + [429] * (40 - checked)
    if checked < 10:  # the places left are still there for the next attempts, one at a time
        for _ in range(10 - checked):
            assert sign_in_form(client, email=email, password="wrong password here").status_code == 401
    assert sign_in_form(client, email=email, password="wrong password here").status_code == 429
    assert len(checks) == 10


def _lock_out(email: str, attacker) -> None:
    for _ in range(10):
        assert sign_in_form(attacker, email=email, password="wrong password here").status_code == 401
    assert sign_in_form(attacker, email=email, password="wrong password here").status_code == 429


def test_a_stranger_cannot_lock_the_owner_out_of_their_usual_browser(app, client, consultant):
    assert login(client, consultant).status_code == 302  # the owner's browser gets its device cookie
    post(client, "/auth/sign-out")
    _lock_out(consultant.email, app.test_client())
    fresh = app.test_client()
    refused = login(fresh, consultant)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 5 * 60
    # The owner's browser is counted on its own and signs in all the same.
    assert login(client, consultant).status_code == 302
    # After the window the account is free for every browser again.
    db.session.execute(sa.update(SignInAttempt).values(created_at=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    assert login(fresh, consultant).status_code == 302


def test_wrong_passwords_from_the_owners_browser_lock_that_browser_only(app, client, consultant):
    assert login(client, consultant).status_code == 302
    post(client, "/auth/sign-out")
    _lock_out(consultant.email, client)
    assert login(app.test_client(), consultant).status_code == 302


def test_a_device_cookie_for_another_account_or_forged_counts_as_none(app, client, consultant, manager):
    assert login(client, manager).status_code == 302
    post(client, "/auth/sign-out")
    _lock_out(consultant.email, app.test_client())
    assert login(client, consultant).status_code == 429
    client.set_cookie("tracker_device", "forged.value", domain="localhost")
    assert login(client, consultant).status_code == 429


def test_refused_attempts_do_not_extend_the_lockout(client, consultant):
    _lock_out(consultant.email, client)
    for _ in range(20):
        sign_in_form(client, email=consultant.email, password="wrong password here")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 10


def test_sign_out_is_post_only(client, consultant):
    login(client, consultant)
    assert client.get("/auth/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_replayed_cookie_after_sign_out_gets_the_sign_in_page(app, client, consultant):
    login(client, consultant)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    post(client, "/auth/sign-out")
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_each_sign_in_gets_a_new_session_id(client, consultant):
    login(client, consultant)
    first = db.session.scalars(sa.select(UserSession.token_hash)).all()
    post(client, "/auth/sign-out")
    login(client, consultant)
    second = db.session.scalars(sa.select(UserSession.token_hash)).all()
    assert len(first) == len(second) == 1 and first != second


def _age_session(**delta):
    session_row = db.session.scalars(sa.select(UserSession)).one()
    session_row.last_seen_at -= timedelta(**delta)
    session_row.created_at -= timedelta(**delta)
    db.session.commit()


def test_idle_timeout_ends_the_session(client, consultant):
    login(client, consultant)
    _age_session(minutes=61)
    assert client.get("/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0


def test_absolute_timeout_ends_an_active_session(client, consultant):
    login(client, consultant)
    session_row = db.session.scalars(sa.select(UserSession)).one()
    session_row.created_at -= timedelta(hours=13)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_disabling_a_user_ends_their_sessions_everywhere(app, client, consultant):
    login(client, consultant)
    consultant.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, consultant):
    token = csrf_token(client)
    response = client.post(
        "/auth/sign-in",
        data={"email": consultant.email, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_the_page_asked_for(client, consultant):
    assert client.get("/profile/").headers["Location"] == "/auth/sign-in?next=/profile/"
    token = csrf_token(client)
    response = client.post(
        "/auth/sign-in",
        data={"email": consultant.email, "password": PASSWORD, "csrf_token": token, "next": "/profile/"},
    )
    assert response.headers["Location"] == "/profile/"


def test_passwords_are_hashed_with_argon2id_at_owasp_minimum(consultant):
    assert consultant.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
