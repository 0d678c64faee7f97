"""Fixtures: one app per database backend, a clean database per test, a user per role.

Every test that uses `app` (directly or through `client`, `db_session`, the
role fixtures...) runs on SQLite, and on PostgreSQL too when
TEST_DATABASE_URL is set.
"""

import contextvars
import os
import re
from types import SimpleNamespace

import pyotp
import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import database_url
from tests import factories
from tracker import create_app
from tracker.extensions import db
from tracker.idempotency import new_form_key
from tracker.models import Role, User

# Reference data loaded by the migrations themselves, kept between tests.
REFERENCE_TABLES = {"industries"}
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _reset_schema() -> None:
    """An empty database, then every migration from the first."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context.

    As in production, a request shares nothing with the test body (not `g`,
    not the database session); afterwards the test's session is rolled back so
    that it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not when following a redirect inside the request's context
            db.session.rollback()
        return response


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    """The application on a freshly migrated database of the given backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite3'}"
    else:
        url = database_url(os.environ["TEST_DATABASE_URL"], "")
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    application.test_client_class = IsolatedClient
    with application.app_context():
        _reset_schema()
        db.engine.dispose()
    return application


@pytest.fixture
def app_context(app):
    """An application context for the test body, emptied of data afterwards."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        empty_database()


def empty_database() -> None:
    """Delete every row but the reference data the migrations load."""
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            if table.name == "audit_events":
                clear_audit_events(connection)
            elif table.name not in REFERENCE_TABLES:
                connection.execute(table.delete())


def clear_audit_events(connection) -> None:
    """Empty the append-only audit table, whose triggers refuse DELETE: they are
    lifted for this one statement, inside the cleanup's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        connection.execute(sa.text("DELETE FROM audit_events"))
        connection.execute(sa.text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        return
    triggers = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'")
    ).all()
    for name, _sql in triggers:
        connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
    connection.execute(sa.text("DELETE FROM audit_events"))
    for _name, sql in triggers:
        connection.execute(sa.text(sql))


@pytest.fixture
def client(app_context):
    return app_context.test_client()


@pytest.fixture
def region(app_context):
    return factories.RegionFactory()


@pytest.fixture
def other_region(app_context):
    return factories.RegionFactory()


@pytest.fixture
def admin(app_context):
    return factories.UserFactory(role=Role.ADMIN, all_regions=True)


@pytest.fixture
def manager(region):
    return factories.UserFactory(role=Role.MANAGER, regions=[region])


@pytest.fixture
def consultant(region):
    return factories.UserFactory(role=Role.CONSULTANT, regions=[region])


@pytest.fixture
def official(region):
    return factories.UserFactory(role=Role.OFFICIAL, regions=[region])


@pytest.fixture
def users(admin, manager, consultant, official):
    """One user per role, by role name."""
    return {"admin": admin, "manager": manager, "consultant": consultant, "official": official}


@pytest.fixture
def world(users, region, other_region):
    """Case records in and out of each role's scope, for permission tests.

    - "team": in `region`; the consultant is on the team (the manager leads it).
    - "region": in `region`; the consultant is not on the team.
    - "out": in `other_region`, nobody of `users` on the team.
    `world.ids` maps names such as "engagement_team" or "session_out" to ids.
    """
    stranger = factories.UserFactory(role=Role.CONSULTANT, regions=[region, other_region])
    teams = {
        "team": [(users["manager"], True), (users["consultant"], False)],
        "region": [(users["manager"], True), (stranger, False)],
        "out": [(stranger, True)],
    }
    ids = {f"{role}_id": user.id for role, user in users.items()}
    records = {}
    measure = factories.SupportMeasureFactory()
    ids["measure_id"] = measure.id
    for variant, team in teams.items():
        company = factories.CompanyFactory(region=other_region if variant == "out" else region)
        contact = factories.ContactFactory(company=company)
        engagement = factories.EngagementFactory(company=company, team=team)
        session = factories.DialogueSessionFactory(engagement=engagement, author=team[0][0])
        insight = factories.InsightFactory(engagement=engagement)
        action = factories.ActionFactory(engagement=engagement, owner_contact=contact)
        referral = factories.ReferralFactory(engagement=engagement, measure=measure)
        for name, record in (("company", company), ("contact", contact), ("engagement", engagement),
                             ("session", session), ("insight", insight), ("action", action),
                             ("referral", referral)):
            records[f"{name}_{variant}"] = record
            ids[f"{name}_{variant}"] = record.id
    return SimpleNamespace(users=users, ids=ids, measure=measure, **records)


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path: str = "/auth/sign-in") -> str:
    """The CSRF token of this client's session, read from a page's <meta>."""
    response = client.get(path, follow_redirects=True)
    return CSRF_META.search(response.text).group(1)


def totp_code(user) -> str:
    """The current code of `user`'s authenticator. The code last accepted is forgotten
    first: tests sign the same account in many times within one 30-second step, and
    a code is otherwise never accepted twice."""
    db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).now()


def login(client, user, password: str = factories.PASSWORD):
    """Sign in through the real form, and the code form when asked; returns the last response."""
    response = client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": password, "csrf_token": csrf_token(client)},
    )
    if response.status_code == 302 and response.headers["Location"] == "/auth/code":
        response = client.post(
            "/auth/code", data={"code": totp_code(user), "csrf_token": csrf_token(client, "/auth/code")}
        )
    return response


def post(client, path: str, data: dict | None = None, token_from: str = "/", **kwargs):
    """POST a form with the session's CSRF token, as a browser would.

    Like a form just shown, it carries a new one-time form key (tracker.idempotency)
    unless `data` gives one; forms without the field ignore it."""
    fields = {"form_key": new_form_key(), **(data or {}), "csrf_token": csrf_token(client, token_from)}
    return client.post(path, data=fields, **kwargs)


@pytest.fixture
def signed_in(client):
    """Sign `client` in as the given user: `signed_in(manager)`."""

    def sign_in(user):
        response = login(client, user)
        assert response.status_code == 302, response.text
        return client

    return sign_in


@pytest.fixture
def count_queries(app_context):
    """`with count_queries() as counted: client.get(...)`, then `counted.n` statements ran."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counted = SimpleNamespace(n=0, statements=[])

        def on_execute(_conn, _cursor, statement, *_args):
            counted.n += 1
            counted.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            yield counted
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)

    return counting
