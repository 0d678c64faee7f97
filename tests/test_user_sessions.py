"""Signed-in sessions: each person sees where they are signed in and ends any of
those sessions; an admin ends anyone's; every ending is audited, and an ended
session's cookie no longer opens a page."""

import sqlalchemy as sa

from tests.conftest import login, post
from tests.test_audit import events
from tests.test_profile import change
from tracker.auth.user_agents import device_name
from tracker.extensions import db
from tracker.models import UserSession

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(client, user, user_agent):
    """A second browser of its own (cookies and User-Agent), signed in as `user`."""
    other = client.application.test_client()
    other.environ_base["HTTP_USER_AGENT"] = user_agent
    assert login(other, user).status_code == 302
    return other


def session_ids(user) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(UserSession.id).where(UserSession.user_id == user.id)
                                   .order_by(UserSession.id)))


def signed_in_still(client) -> bool:
    return client.get("/").status_code == 200


def test_device_names_read_like_a_person_would_say_them(app_context):
    assert device_name(FIREFOX_WINDOWS) == "Windows の Firefox"
    assert device_name(SAFARI_IPHONE) == "iPhone の Safari"
    chrome_android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
    assert device_name(chrome_android) == "Android の Chrome"
    edge = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    assert device_name(edge) == "Windows の Edge"
    assert device_name("") == "不明な端末"


def test_the_profile_lists_each_session_and_marks_this_device(client, consultant):
    browser(client, consultant, FIREFOX_WINDOWS)
    client.environ_base["HTTP_USER_AGENT"] = SAFARI_IPHONE
    login(client, consultant)
    page = client.get("/profile/").text
    assert "Windows の Firefox" in page and "iPhone の Safari" in page
    assert page.count('<span class="badge">この端末</span>') == 1
    this_card = page[page.index("iPhone の Safari") - 200:page.index("この端末")]
    assert "this-browser" in this_card
    assert "127.0.0.1" in page


def test_ending_one_session_makes_its_cookie_useless_and_is_audited(client, consultant):
    laptop = browser(client, consultant, FIREFOX_WINDOWS)
    login(client, consultant)
    laptop_id, this_id = session_ids(consultant)
    response = post(client, f"/profile/sessions/{laptop_id}/end")
    assert response.status_code == 302
    assert not signed_in_still(laptop)
    assert signed_in_still(client)
    assert session_ids(consultant) == [this_id]
    event = events("session_end")[-1]
    assert (event.actor_id, event.target_type, event.target_id) == (consultant.id, "User", consultant.id)
    assert event.changes == {"sessions": 1}


def test_ending_this_device_from_the_list_signs_out(client, consultant):
    login(client, consultant)
    (this_id,) = session_ids(consultant)
    response = post(client, f"/profile/sessions/{this_id}/end")
    assert response.headers["Location"].startswith("/auth/sign-in")
    assert not signed_in_still(client)


def test_signing_out_all_other_sessions_keeps_this_one(client, consultant):
    laptop = browser(client, consultant, FIREFOX_WINDOWS)
    phone = browser(client, consultant, SAFARI_IPHONE)
    login(client, consultant)
    assert post(client, "/profile/sessions/end-others").status_code == 302
    assert not signed_in_still(laptop) and not signed_in_still(phone)
    assert signed_in_still(client)
    assert events("session_end")[-1].changes == {"sessions": 2}


def test_someone_elses_session_id_is_not_found_and_stays_signed_in(client, consultant, manager):
    victim = browser(client, manager, FIREFOX_WINDOWS)
    (victim_session,) = session_ids(manager)
    login(client, consultant)
    response = post(client, f"/profile/sessions/{victim_session}/end")
    assert response.status_code == 404
    assert signed_in_still(victim)
    refusal = events("access_refused")[-1]
    assert (refusal.actor_id, refusal.target_type, refusal.target_id) == (consultant.id, "UserSession", victim_session)
    assert events("session_end") == []


def test_an_admin_sees_and_ends_a_users_sessions(client, admin, consultant):
    laptop = browser(client, consultant, FIREFOX_WINDOWS)
    phone = browser(client, consultant, SAFARI_IPHONE)
    laptop_id, _phone_id = session_ids(consultant)
    login(client, admin)
    page = client.get(f"/admin/users/{consultant.id}/edit").text
    assert "Windows の Firefox" in page and "iPhone の Safari" in page
    assert post(client, f"/admin/users/{consultant.id}/sessions/{laptop_id}/end").status_code == 302
    assert not signed_in_still(laptop) and signed_in_still(phone)
    assert post(client, f"/admin/users/{consultant.id}/sessions/end-all").status_code == 302
    assert not signed_in_still(phone)
    assert session_ids(consultant) == []
    ended = events("session_end")
    assert [(e.actor_id, e.target_id, e.detail) for e in ended] == [
        (admin.id, consultant.id, "one session, by an admin"),
        (admin.id, consultant.id, "all sessions, by an admin"),
    ]


def test_an_admin_cannot_end_a_session_under_another_accounts_number(client, admin, consultant, manager):
    victim = browser(client, manager, FIREFOX_WINDOWS)
    (victim_session,) = session_ids(manager)
    login(client, admin)
    response = post(client, f"/admin/users/{consultant.id}/sessions/{victim_session}/end")
    assert response.status_code == 404
    assert signed_in_still(victim)


def test_an_admin_signing_out_their_own_account_everywhere_keeps_this_browser(client, admin):
    elsewhere = browser(client, admin, FIREFOX_WINDOWS)
    login(client, admin)
    assert post(client, f"/admin/users/{admin.id}/sessions/end-all").status_code == 302
    assert not signed_in_still(elsewhere)
    assert signed_in_still(client)


def test_disabling_an_account_ends_its_sessions_and_says_so_in_the_trail(client, admin, manager, region):
    laptop = browser(client, manager, FIREFOX_WINDOWS)
    login(client, admin)
    post(client, f"/admin/users/{manager.id}/edit",
         {"name": manager.name, "email": manager.email, "organisation_id": "0", "role": "manager",
          "language": "ja", "region_ids": [str(region.id)]})
    assert not signed_in_still(laptop)
    assert [(e.target_id, e.detail) for e in events("session_end")] == [(manager.id, "account disabled")]


def test_a_password_change_ends_the_other_sessions_and_says_so_in_the_trail(client, official):
    laptop = browser(client, official, FIREFOX_WINDOWS)
    login(client, official)
    assert change(client).status_code == 302
    assert not signed_in_still(laptop) and signed_in_still(client)
    ended = events("session_end")[-1]
    assert (ended.actor_id, ended.target_id, ended.changes) == (official.id, official.id, {"sessions": 2})
