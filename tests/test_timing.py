"""Server-Timing: the server's time and SQL statement count on each response, only when enabled."""

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient, login
from tracker import create_app
from tracker.extensions import db
from tracker.timing import HEADER, parse


def _app_like(app, server_timing: bool):
    """A second application on the same database as `app`, with SERVER_TIMING set as given."""
    other = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SERVER_TIMING": server_timing}
    )
    other.test_client_class = IsolatedClient
    return other


@pytest.fixture
def timed(app_context):
    timed_app = _app_like(app_context, True)
    with timed_app.app_context():
        yield timed_app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def statements_of(application):
    """Count, independently of the header, the statements run on `application`'s engine."""
    counted = SimpleNamespace(n=0)

    def on_execute(*_args):
        counted.n += 1

    with application.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)


def test_no_header_unless_enabled(app_context, manager):
    """Off by default: production does not tell how much work a page costs."""
    assert app_context.config["SERVER_TIMING"] is False
    client = app_context.test_client()
    login(client, manager)
    assert HEADER not in client.get("/").headers
    assert HEADER not in client.get("/healthz").headers


def test_header_gives_time_and_statements(timed, manager):
    client = timed.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    figures = parse(health.headers[HEADER])
    assert figures["queries"] == 1  # SELECT 1
    assert figures["total"] > 0
    assert 0 <= figures["db"] <= figures["total"]


def test_count_matches_the_statements_of_a_page(timed, manager, world):
    """The signed-in home page: the header counts every statement the request ran, the sign-in check too."""
    client = timed.test_client()
    assert login(client, manager).status_code == 302
    client.get("/")  # the first page after sign-in may refresh the session's last-seen time
    for path in ("/", "/companies/", f"/engagements/{world.ids['engagement_team']}/timeline"):
        with statements_of(timed) as counted:
            response = client.get(path)
        assert response.status_code == 200
        assert counted.n > 1
        assert parse(response.headers[HEADER])["queries"] == counted.n


def test_nothing_leaks_between_requests(timed, manager, world):
    """A cheap request after a costly one shows only its own statement; work outside requests is not counted."""
    client = timed.test_client()
    login(client, manager)
    client.get("/")
    cheap = parse(client.get("/healthz").headers[HEADER])["queries"]  # SELECT 1, and the signed-in user
    costly = parse(client.get("/pipeline/").headers[HEADER])["queries"]
    assert costly > cheap + 3
    with timed.app_context():
        db.session.execute(sa.text("SELECT 1"))  # outside any request
    assert parse(client.get("/healthz").headers[HEADER])["queries"] == cheap
    assert parse(client.get("/pipeline/").headers[HEADER])["queries"] == costly


def test_header_on_error_pages(timed, manager):
    """A 404 is timed too (a page that fails still cost something)."""
    client = timed.test_client()
    login(client, manager)
    response = client.get("/engagements/999999")
    assert response.status_code == 404
    assert parse(response.headers[HEADER])["queries"] >= 1
