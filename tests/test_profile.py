"""The profile page: one's own password and language."""

import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import PASSWORD
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import User, UserSession

NEW_PASSWORD = "Kiryu-Silk-Weaver-2031"


def change(client, current=PASSWORD, password=NEW_PASSWORD, confirm=NEW_PASSWORD):
    return post(client, "/profile/password", {"current": current, "password": password, "confirm": confirm})


def test_change_password_needs_the_current_one(client, official):
    login(client, official)
    response = change(client, current="not my password")
    assert response.status_code == 422
    assert "現在のパスワードが正しくありません" in response.text
    assert verify_password(db.session.get(User, official.id).password_hash, PASSWORD)


def test_change_password_signs_out_other_devices_but_not_this_one(client, official):
    laptop = client.application.test_client()
    login(laptop, official)
    login(client, official)
    response = change(client)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert laptop.get("/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
    assert verify_password(db.session.get(User, official.id).password_hash, NEW_PASSWORD)


def test_new_password_follows_the_policy(client, official):
    login(client, official)
    assert change(client, password="short", confirm="short").status_code == 422
    assert change(client, password="x" * 129, confirm="x" * 129).status_code == 422
    assert change(client, password="qwertyuiop12", confirm="qwertyuiop12").status_code == 422
    assert change(client, password=NEW_PASSWORD, confirm=NEW_PASSWORD + "x").status_code == 422
    assert change(client, password=PASSWORD, confirm=PASSWORD).status_code == 422


def test_language_setting_wins_once_signed_in(client, official):
    client.get("/auth/sign-in?lang=en")
    login(client, official)
    assert '<html lang="ja">' in client.get("/").text
    assert post(client, "/profile/language", {"language": "en", "next": "/profile/"}).status_code == 302
    page = client.get("/profile/")
    assert '<html lang="en">' in page.text and "Change password" in page.text
    assert '<html lang="en">' in client.get("/?lang=ja").text


def test_language_switch_refuses_unknown_language_and_offsite_next(client, official):
    login(client, official)
    assert post(client, "/profile/language", {"language": "xx"}).status_code == 422
    response = post(client, "/profile/language", {"language": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/profile/"


def test_an_expired_password_form_shows_back_no_password(client, official):
    """The expired-form page shows what was typed, but never a password field's value."""
    login(client, official)
    response = client.post("/profile/password", data={"csrf_token": "stale", "current": PASSWORD,
                                                      "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert PASSWORD not in response.text and NEW_PASSWORD not in response.text
