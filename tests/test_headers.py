"""Security headers on every page, error pages included; the production session cookie.

Routes come from app.url_map (filled with the world's ids of each scope
variant) and are requested by every role, so a page added later is checked
without this file naming it.
"""

import re

import pytest
from flask import abort

from tests.conftest import CSRF_META, totp_code
from tests.factories import PASSWORD, UserFactory
from tests.routewalk import ROLES, Clients, fill, rules, variants
from tracker import create_app
from tracker.models import Role
from tracker.security import CONTENT_SECURITY_POLICY

EVERY_RESPONSE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# What the CSP forbids, so a page relying on it would break: inline scripts, styles and handlers.
INLINE = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=", re.I)


def assert_protected(response, what: str, hsts: bool = False) -> None:
    """The headers of tracker/security.py, and a page the CSP does not break."""
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, f"{what}: {name} is {response.headers.get(name)!r}"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert (response.headers.get("Strict-Transport-Security") == HSTS) == hsts, f"{what}: HSTS"
    if response.mimetype == "text/html":
        assert response.headers["Cache-Control"] == "no-store", what
        inline = INLINE.search(response.text)
        assert inline is None, f"{what}: {inline and inline.group()} is blocked by the CSP"


@pytest.mark.parametrize("role", ROLES)
def test_every_get_route_in_every_scope_carries_the_headers(app_context, world, role):
    clients = Clients(app_context, world.users)
    statuses = set()
    for rule in rules(app_context, "GET"):
        for variant in variants(rule, world.ids):
            path = fill(rule, world.ids, variant)
            response = clients[role].get(path)
            statuses.add(response.status_code)
            assert_protected(response, f"{role} GET {path} → {response.status_code}")
    assert 200 in statuses or role == "anonymous"
    assert 404 in statuses or role == "anonymous"


def test_static_files_carry_the_headers(client):
    assert_protected(client.get("/static/css/app.css"), "app.css")


def test_error_pages_carry_the_headers(app, client, official, monkeypatch):
    """404, 403, 405, CSRF 400, 413 and 429 (here) and 500 (below): each a page, each protected."""
    assert_protected(_expect(client.get("/no-such-page"), 404), "404")
    assert_protected(_expect(client.post("/auth/sign-in", data={"email": "a@b.jp"}), 400), "CSRF 400")
    big = b"x=" + b"a" * app.config["MAX_CONTENT_LENGTH"]
    assert_protected(_expect(client.post("/auth/sign-in", data=big, content_type="application/x-www-form-urlencoded"),
                             413), "413")
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 1)
    token = CSRF_META.search(client.get("/auth/sign-in").text).group(1)
    wrong = {"email": official.email, "password": "wrong password", "csrf_token": token}
    assert client.post("/auth/sign-in", data=wrong).status_code == 401
    assert_protected(_expect(client.post("/auth/sign-in", data=wrong), 429), "429")
    monkeypatch.undo()
    client.post("/auth/sign-in", data={"email": official.email, "password": PASSWORD, "csrf_token": token})
    assert_protected(_expect(client.get("/admin/users"), 403), "403")
    assert_protected(_expect(client.get("/auth/sign-out"), 405), "405")


def test_the_500_page_carries_the_headers(app):
    broken = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROPAGATE_EXCEPTIONS": False}
    )

    @broken.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    @broken.get("/abort-500")
    def abort_500():
        abort(500)

    for path in ("/boom", "/abort-500"):
        assert_protected(_expect(broken.test_client().get(path), 500), path)


def _expect(response, status: int):
    assert response.status_code == status, response.status_code
    assert 'class="error-page"' in response.text or 'role="alert"' in response.text
    return response


# ---- production ---------------------------------------------------------------------------------


@pytest.fixture
def production(app, app_context, monkeypatch):
    """The production configuration on the test database, spoken to over HTTPS."""
    monkeypatch.setenv("SECRET_KEY", "p" * 48)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    application = create_app("production", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    application.test_client_class = type(app.test_client())
    return application


def _https_client(application):
    client = application.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


def _sign_in(client, user):
    """Password, then the code when asked; returns the last response."""
    page = client.get("/auth/sign-in")
    token = CSRF_META.search(page.text).group(1)
    # Over HTTPS, Flask-WTF also checks that the form came from this site's own page.
    response = client.post("/auth/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                           headers={"Referer": "https://localhost/auth/sign-in"})
    if response.headers.get("Location") == "/auth/code":
        token = CSRF_META.search(client.get("/auth/code").text).group(1)
        response = client.post("/auth/code", data={"code": totp_code(user), "csrf_token": token},
                               headers={"Referer": "https://localhost/auth/code"})
    return response


def test_production_session_cookie_is_host_prefixed_secure_httponly_lax(production):
    user = UserFactory(role=Role.ADMIN, all_regions=True)
    client = _https_client(production)
    response = _sign_in(client, user)
    assert response.status_code == 302
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie"]
    session = [cookie for cookie in cookies if cookie.startswith("__Host-tracker_session=")]
    assert session, cookies
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in session[-1].split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes.keys()
    assert attributes["samesite"] == "SameSite=Lax" and attributes["path"] == "Path=/"
    assert "domain" not in attributes  # __Host- cookies may not name a domain
    device = [cookie for cookie in cookies if cookie.startswith("__Host-tracker_device=")]
    assert device and "Secure" in device[0] and "HttpOnly" in device[0] and "SameSite=Lax" in device[0]
    assert client.get("/").status_code == 200  # the browser sends it back over HTTPS: signed in


def test_production_pages_carry_hsts_and_the_headers(production, world):
    client = _https_client(production)
    assert_protected(client.get("/auth/sign-in"), "sign-in", hsts=True)
    assert _sign_in(client, world.users["manager"]).status_code == 302
    for rule in rules(production, "GET"):
        path = fill(rule, world.ids)
        response = client.get(path)
        assert response.status_code < 500, path
        assert_protected(response, f"production GET {path}", hsts=True)
    assert_protected(client.get("/no-such-page"), "production 404", hsts=True)
