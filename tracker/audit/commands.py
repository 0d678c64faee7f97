"""`flask audit redact`: apply the audit retention rule (cron-able, idempotent)."""

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.audit.redaction import DEFAULT_BATCH, redact_expired

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("redact")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=DEFAULT_BATCH, show_default=True,
              help="Rows per transaction.")
def redact(batch_size: int):
    """Redact the confidential text of audit events older than AUDIT_CONFIDENTIAL_RETENTION_DAYS.

    Safe to run again (nothing is redacted twice) and from several machines at
    once. On PostgreSQL, run it as the role that owns the tables: the app's
    role may not UPDATE the audit table.
    """
    days = current_app.config["AUDIT_CONFIDENTIAL_RETENTION_DAYS"]
    if days < 1:
        raise click.UsageError("AUDIT_CONFIDENTIAL_RETENTION_DAYS must be at least 1.")
    count = redact_expired(days, batch_size=batch_size)
    click.echo(f"Redacted {count} audit event(s) older than {days} days.")
