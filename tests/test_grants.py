"""Least privilege on PostgreSQL: the app's role reads and writes the records but can
only add to and read the audit trail; the grants come from `flask security grant-app-role`."""

import secrets

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEvent, Region


@pytest.fixture
def app_role(app_context):
    """A throw-away role (roles belong to the whole cluster: a unique name, dropped after)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's; SQLite has no users to grant to")
    role = f"tracker_app_test_{secrets.token_hex(6)}"
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"CREATE ROLE {role} NOLOGIN"))
    yield role
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"DROP OWNED BY {role}"))  # its grants and default privileges
        connection.execute(sa.text(f"DROP ROLE {role}"))


def grant(app, role):
    return app.test_cli_runner().invoke(args=["security", "grant-app-role", role])


def _refused(connection, statement: str) -> str:
    """The error `statement` raises, inside a savepoint so the test's transaction goes on."""
    with pytest.raises(sa.exc.DBAPIError) as refused, connection.begin_nested():
        connection.execute(sa.text(statement))
    return str(refused.value.orig)


def test_the_app_role_adds_to_the_trail_but_cannot_change_it(app, app_role):
    result = grant(app, app_role)
    assert result.exit_code == 0, result.output
    with db.engine.connect() as connection:
        connection.execute(sa.text(f"SET LOCAL ROLE {app_role}"))
        connection.execute(sa.insert(AuditEvent.__table__).values(at=utcnow(), action="sign_in", detail="as app"))
        assert connection.execute(sa.select(AuditEvent.detail)).scalars().all() == ["as app"]
        for statement in ("UPDATE audit_events SET detail = 'rewritten'",
                          "UPDATE audit_events SET redacted_at = now(), changes = NULL",
                          "DELETE FROM audit_events", "TRUNCATE audit_events",
                          "ALTER TABLE audit_events DISABLE TRIGGER USER",
                          "UPDATE alembic_version SET version_num = '0001'"):
            error = _refused(connection, statement)
            assert "permission denied" in error or "must be owner" in error, (statement, error)
        # The app's normal writes elsewhere work, and write their audit rows.
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            session.add(Region(code="159999", prefecture="新潟県", municipality="試験市",
                               prefecture_en="Niigata", municipality_en="Test"))
            session.flush()
            session.execute(sa.update(Region).where(Region.code == "159999").values(municipality="試験町"))
            session.commit()  # releases its savepoint; the test's transaction is rolled back below
        created = connection.execute(
            sa.select(AuditEvent.action).where(AuditEvent.target_type == "Region")).scalars().all()
        assert created == ["create"]
        connection.rollback()


def test_running_the_grant_again_changes_nothing(app, app_role):
    assert grant(app, app_role).exit_code == 0
    assert grant(app, app_role).exit_code == 0
    with db.engine.connect() as connection:
        privileges = connection.execute(sa.text(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = :role AND table_name = 'audit_events' ORDER BY 1"), {"role": app_role}).scalars().all()
    assert privileges == ["INSERT", "SELECT"]


def test_the_grant_refuses_an_unknown_role_or_the_owner(app, app_context):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's; SQLite has no users to grant to")
    unknown = grant(app, f"no_such_role_{secrets.token_hex(4)}")
    assert unknown.exit_code != 0 and "no role named" in unknown.output
    owner = db.session.scalar(sa.text("SELECT current_user"))
    refused = grant(app, owner)
    assert refused.exit_code != 0 and ("superuser" in refused.output or "owns the tables" in refused.output)


def test_sqlite_says_the_grants_are_postgresqls(app, app_context):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite answer")
    result = grant(app, "tracker_app")
    assert result.exit_code != 0 and "PostgreSQL" in result.output
