"""The application shell: configuration, health, headers, error pages, language."""

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from config import ROOT, database_url
from tests.conftest import login
from tracker import create_app
from tracker.extensions import db


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "TRACKER_CONFIG")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [({}, "SECRET_KEY, DATABASE_URL"), ({"SECRET_KEY": "s" * 40}, "DATABASE_URL"),
     ({"DATABASE_URL": "postgresql://x@localhost/x"}, "SECRET_KEY")],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = run_python("from tracker import create_app; create_app('production')", **env)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Refusing to start in production: {missing} not set in the environment."


def test_production_cookie_and_database_settings(tmp_path):
    code = (
        "from tracker import create_app; a = create_app('production'); c = a.config;"
        "print(c['SESSION_COOKIE_NAME'], c['SESSION_COOKIE_SECURE'], c['SESSION_COOKIE_HTTPONLY'],"
        " c['SESSION_COOKIE_SAMESITE'], c['SQLALCHEMY_DATABASE_URI'], c['DEMO_DATA_ALLOWED'])"
    )
    result = run_python(code, SECRET_KEY="s" * 40, DATABASE_URL="postgres://u@db.example/tracker")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-tracker_session", "True", "True", "Lax", "postgresql+psycopg://u@db.example/tracker", "False",
    ]


def test_database_url_defaults_to_sqlite_and_maps_postgres_to_psycopg():
    assert database_url(None, "sqlite:///x") == "sqlite:///x"
    assert database_url("postgresql://a@b/c", "") == "postgresql+psycopg://a@b/c"
    result = run_python("from tracker import create_app; print(create_app().config['SQLALCHEMY_DATABASE_URI'])")
    assert result.stdout.strip() == f"sqlite:///{ROOT / 'instance' / 'tracker.sqlite3'}"


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "error"


def test_security_headers_on_every_page(client, consultant):
    pages = ["/auth/sign-in", "/healthz", "/no-such-page"]
    for path in pages:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
            assert directive in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    login(client, consultant)
    for path in ("/", "/profile/"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_signed_in_pages_have_no_inline_script_or_style(client, admin):
    login(client, admin)
    for path in ("/", "/admin/users", "/admin/users/new", "/profile/"):
        page = client.get(path).text
        assert "<script" not in page and "style=" not in page and "<style" not in page


def test_japanese_by_default_english_by_choice_and_remembered(client):
    assert '<html lang="ja">' in client.get("/auth/sign-in").text
    english = client.get("/auth/sign-in?lang=en")
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    assert '<html lang="en">' in client.get("/auth/sign-in").text  # remembered
    assert '<html lang="ja">' in client.get("/auth/sign-in?lang=ja").text
    assert '<html lang="ja">' in client.get("/auth/sign-in?lang=xx").text


@pytest.mark.parametrize(("lang", "text"), [("ja", "見つかりません"), ("en", "Not found")])
def test_404_page_in_both_languages(client, lang, text):
    response = client.get(f"/nowhere?lang={lang}")
    assert response.status_code == 404
    assert text in response.text


def test_403_and_405_pages(client, official):
    login(client, official)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403 and "権限" in forbidden.text
    assert client.get("/auth/sign-out").status_code == 405


def test_500_page_rolls_back_and_explains(app):
    broken = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "PROPAGATE_EXCEPTIONS": False}
    )

    @broken.get("/boom")
    def boom():
        raise RuntimeError("unexpected")

    for lang, text in (("ja", "予期しないエラー"), ("en", "An unexpected error occurred")):
        response = broken.test_client().get(f"/boom?lang={lang}")
        assert response.status_code == 500
        assert text in response.text
        assert "RuntimeError" not in response.text


def test_static_assets_are_served_locally(client):
    page = client.get("/auth/sign-in").text
    assert 'href="/static/css/app.css' in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert client.get("/static/css/app.css").status_code == 200


def test_session_rows_are_server_side(client, consultant):
    from tracker.models import UserSession

    login(client, consultant)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
