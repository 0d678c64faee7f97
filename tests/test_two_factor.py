"""Two-factor sign-in: the code step, forced and chosen set-up, recovery codes, resets."""

import re

import pyotp
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token, login, post, totp_code
from tests.factories import PASSWORD
from tracker.auth import two_factor
from tracker.extensions import db
from tracker.models import AuditEvent, SignInAttempt, UserSession

CODE_ERROR = re.compile(r'<p class="error" id="code-error">([^<]+)</p>')


def password_step(client, user):
    return client.post("/auth/sign-in", data={
        "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})


def code_step(client, code, path="/auth/code"):
    return client.post(path, data={"code": code, "csrf_token": csrf_token(client, path)})


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_manager_is_signed_in_only_after_the_code(client, manager):
    first = password_step(client, manager)
    assert first.status_code == 302 and first.headers["Location"] == "/auth/code"
    assert client.get("/").status_code == 302  # not signed in yet
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    second = code_step(client, totp_code(manager))
    assert second.status_code == 302 and second.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "tracker_device" in second.headers.get("Set-Cookie", "") or client.get_cookie("tracker_device")


@pytest.mark.parametrize(("typed", "status"), [
    ("", 422), ("   ", 422), ("abcdef", 422), ("12345", 422), ("１２３４５６", 422), ("12345x", 422), ("000000", 422),
])
def test_bad_or_wrong_codes_get_a_message_beside_the_field(client, manager, typed, status):
    password_step(client, manager)
    if typed == "000000" and pyotp.TOTP(manager.totp_secret).now() == "000000":
        pytest.skip("the right code happens to be 000000 now")
    response = code_step(client, typed)
    assert response.status_code == status
    assert CODE_ERROR.search(response.text)
    assert client.get("/").status_code == 302


def test_a_wrong_code_is_audited_and_counted(client, manager):
    password_step(client, manager)
    code_step(client, "999999" if pyotp.TOTP(manager.totp_secret).now() != "999999" else "999998")
    assert "two_factor_failed" in actions()


def test_a_code_is_accepted_only_once(app, client, manager):
    code = totp_code(manager)
    password_step(client, manager)
    assert code_step(client, code).status_code == 302
    other = app.test_client()
    password_step(other, manager)
    replayed = code_step(other, code)
    assert replayed.status_code == 422
    assert other.get("/").status_code == 302


def test_five_wrong_codes_then_the_code_step_waits(client, manager):
    password_step(client, manager)
    wrong = "999999" if pyotp.TOTP(manager.totp_secret).now() != "999999" else "999998"
    for _ in range(5):
        assert code_step(client, wrong).status_code == 422
    refused = code_step(client, totp_code(manager))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= 5 * 60
    assert client.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(app, client, manager):
    codes = two_factor.new_recovery_codes(manager)
    db.session.commit()
    password_step(client, manager)
    assert code_step(client, codes[0].upper()).status_code == 302
    assert "recovery_code_used" in actions()
    other = app.test_client()
    password_step(other, manager)
    assert code_step(other, codes[0]).status_code == 422


def test_the_pending_state_expires(app, client, manager, monkeypatch):
    password_step(client, manager)
    monkeypatch.setitem(app.config, "TWO_FACTOR_PENDING_TIMEOUT", app.config["TWO_FACTOR_PENDING_TIMEOUT"] * 0)
    response = code_step(client, totp_code(manager))
    assert response.status_code == 302 and response.headers["Location"] == "/auth/sign-in"
    assert client.get("/").status_code == 302


def enrolment_secret(page: str) -> str:
    return re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")


def test_a_manager_without_a_factor_must_set_one_up_first(client, manager):
    manager.totp_secret = None
    db.session.commit()
    first = password_step(client, manager)
    assert first.headers["Location"] == "/auth/enrol"
    page = client.get("/auth/enrol")
    assert page.status_code == 200 and "<svg" in page.text
    assert client.get("/companies/").status_code == 302  # nothing else until set up
    secret = enrolment_secret(page.text)
    assert code_step(client, "abc", "/auth/enrol").status_code == 422
    done = code_step(client, pyotp.TOTP(secret).now(), "/auth/enrol")
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}</code></li>", done.text)) == 10
    assert client.get("/").status_code == 200
    db.session.refresh(manager)
    assert manager.totp_secret == secret
    assert {"two_factor_enrolled", "sign_in"} <= set(actions())


@pytest.mark.parametrize("typed", ["", "  ", "abcdefghijkl", "12 34", "x" * 41])
def test_bad_enrolment_codes_get_a_message_beside_the_field(client, manager, typed):
    manager.totp_secret = None
    db.session.commit()
    password_step(client, manager)
    response = code_step(client, typed, "/auth/enrol")
    assert response.status_code == 422
    assert CODE_ERROR.search(response.text)


def test_a_consultant_may_choose_a_second_factor_and_drop_it(app, client, consultant):
    assert login(client, consultant).status_code == 302
    page = client.get("/profile/two-factor")
    secret = enrolment_secret(page.text)
    assert code_step(client, "", "/profile/two-factor").status_code == 422
    assert code_step(client, pyotp.TOTP(secret).now(), "/profile/two-factor").status_code == 200
    other = app.test_client()
    assert password_step(other, consultant).headers["Location"] == "/auth/code"
    refused = post(client, "/profile/two-factor/off", {"current": "wrong password entirely"}, token_from="/profile/")
    assert refused.status_code == 422
    assert post(client, "/profile/two-factor/off", {"current": PASSWORD}, token_from="/profile/").status_code == 302
    assert "two_factor_disabled" in actions()
    assert password_step(app.test_client(), consultant).headers["Location"] == "/"


def test_a_manager_cannot_turn_the_second_factor_off(signed_in, manager):
    client = signed_in(manager)
    assert post(client, "/profile/two-factor/off", {"current": PASSWORD}, token_from="/profile/").status_code == 403
    db.session.refresh(manager)
    assert manager.has_two_factor


def test_new_recovery_codes_replace_the_old_ones(app, signed_in, manager):
    old = two_factor.new_recovery_codes(manager)
    db.session.commit()
    client = signed_in(manager)
    page = post(client, "/profile/two-factor/recovery-codes", {"current": PASSWORD}, token_from="/profile/")
    assert page.status_code == 200
    assert "recovery_codes_renewed" in actions()
    other = app.test_client()
    password_step(other, manager)
    assert code_step(other, old[0]).status_code == 422


def test_an_admin_resets_a_lost_factor(app, signed_in, admin, manager):
    victim = app.test_client()
    assert login(victim, manager).status_code == 302
    client = signed_in(admin)
    response = post(client, f"/admin/users/{manager.id}/two-factor/reset", token_from=f"/admin/users/{manager.id}/edit")
    assert response.status_code == 302
    assert "two_factor_reset" in actions()
    assert victim.get("/").status_code == 302  # signed out everywhere
    db.session.refresh(manager)
    assert not manager.has_two_factor
    assert password_step(app.test_client(), manager).headers["Location"] == "/auth/enrol"


def test_the_required_roles_are_a_setting(app, client, consultant, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("consultant",))
    assert password_step(client, consultant).headers["Location"] == "/auth/enrol"


def test_code_attempts_leave_no_password_failures(client, manager):
    login(client, manager)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInAttempt)) == 0
