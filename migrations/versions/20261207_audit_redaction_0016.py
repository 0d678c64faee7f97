"""Audit retention: confidential before/after text redacted after a set time.

Adds audit_events.redacted_at and widens the append-only triggers by exactly
one kind of UPDATE, the one `flask audit redact` makes: redacted_at goes from
NULL to a time, `changes` and `detail` may change, every other column stays as
it was. A row already redacted cannot be redacted (or changed) again. The
foreign key's own ON DELETE SET NULL of actor_id is still let through;
everything else (and every DELETE, and TRUNCATE on PostgreSQL) is refused.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# What a redaction keeps exactly: every column but changes, detail and redacted_at.
_IDENTITY = ("id", "at", "actor_id", "actor_email", "address", "action", "target_type", "target_id")
# What the ON DELETE SET NULL of actor_id keeps exactly: every column but actor_id.
_KEPT_BEFORE = ("id", "at", "actor_email", "address", "action", "target_type", "target_id", "changes", "detail")
_KEPT = _KEPT_BEFORE + ("redacted_at",)
_REFUSED = "audit_events is append-only: UPDATE refused"


def _sqlite_same(columns) -> str:
    return " AND ".join(f"NEW.{c} IS OLD.{c}" for c in columns)


def _sqlite_update_trigger(redaction: bool) -> str:
    allowed = f"(NEW.actor_id IS NULL AND {_sqlite_same(_KEPT if redaction else _KEPT_BEFORE)})"
    if redaction:
        allowed += (
            f" OR (OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {_sqlite_same(_IDENTITY)})"
        )
    return f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    WHEN NOT ({allowed})
    BEGIN SELECT RAISE(ABORT, '{_REFUSED}'); END"""


def _pg_row(prefix: str, columns) -> str:
    # json has no equality operator: compare its text.
    return ", ".join(f"{prefix}.changes::text" if c == "changes" else f"{prefix}.{c}" for c in columns)


def _pg_function(redaction: bool) -> str:
    kept = _KEPT if redaction else _KEPT_BEFORE
    branches = f"""
            IF NEW.actor_id IS NULL AND ({_pg_row('NEW', kept)}) IS NOT DISTINCT FROM ({_pg_row('OLD', kept)}) THEN
                RETURN NEW;
            END IF;"""
    if redaction:
        branches += f"""
            IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
               AND ({_pg_row('NEW', _IDENTITY)}) IS NOT DISTINCT FROM ({_pg_row('OLD', _IDENTITY)}) THEN
                RETURN NEW;
            END IF;"""
    return f"""CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN{branches}
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$"""


def _replace_update_rule(redaction: bool) -> None:
    """Put the UPDATE rule in place: with the redaction let through, or without."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_pg_function(redaction))  # the triggers call the function: they stay
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute(_sqlite_update_trigger(redaction))


def upgrade():
    op.add_column('audit_events', sa.Column('redacted_at', sa.DateTime(), nullable=True))
    _replace_update_rule(redaction=True)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Dropping a column rebuilds the table, and its triggers with it: lift them first.
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END""")
    _replace_update_rule(redaction=False)
