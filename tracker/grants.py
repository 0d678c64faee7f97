"""`flask security grant-app-role ROLE`: the PostgreSQL grants of the app's own role.

Migrations run as the role that owns the tables; the app runs as another role
that may read and write the records but only INSERT and SELECT audit events,
so neither a flaw in the app nor a stolen app password can rewrite the trail
or lift its triggers (only an owner may ALTER or DROP a table or trigger).
"""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.extensions import db

security_cli = AppGroup("security", help="Database roles (PostgreSQL).")

# The app's role only reads which revision the schema is at; it never migrates.
READ_ONLY = ("alembic_version",)
APPEND_ONLY = ("audit_events",)


def app_role_grants(role: str) -> list[str]:
    """The statements that give `role` (quoted) what the app needs, and no more."""
    grants = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables and sequences a later migration creates (as this owner) are granted alike;
        # re-running this command after each upgrade narrows the exceptions below again.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for table in READ_ONLY:
        grants += [f"REVOKE ALL ON {table} FROM {role}", f"GRANT SELECT ON {table} TO {role}"]
    for table in APPEND_ONLY:
        grants += [f"REVOKE ALL ON {table} FROM {role}", f"GRANT SELECT, INSERT ON {table} TO {role}"]
    return grants


def _refusal(connection, role: str) -> str | None:
    """Why `role` cannot be the app's role, or None."""
    found = connection.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        return f"no role named {role!r}: create it first (CREATE ROLE ... LOGIN PASSWORD ...)"
    if found.rolsuper:
        return f"{role!r} is a superuser: no grant can narrow what it may do"
    owns = connection.execute(
        sa.text("SELECT pg_has_role(:role, tableowner, 'USAGE') FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename = 'audit_events'"),
        {"role": role},
    ).scalar()
    if owns:
        return f"{role!r} owns the tables (or acts as their owner): use a role of its own for the app"
    return None


@security_cli.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str):
    """Let ROLE run the app: read and write the records, only add to and read the audit trail.

    Run it as the owner of the tables, after `flask db upgrade` (and again after each one).
    """
    if db.engine.dialect.name != "postgresql":
        raise click.UsageError("roles and grants are PostgreSQL's: SQLite has none")
    with db.engine.begin() as connection:
        problem = _refusal(connection, role)
        if problem:
            raise click.ClickException(problem)
        quoted = connection.dialect.identifier_preparer.quote(role)
        for statement in app_role_grants(quoted):
            connection.execute(sa.text(statement))
    click.echo(f"Granted {role}: records read and written; audit_events INSERT and SELECT only.")
