"""`flask summaries rebuild`: recount the stored tallies (the summary's, the pipeline
board's flags, the workload's) from the records."""

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.summaries.tallies import TALLIES, rebuild

summaries_cli = AppGroup("summaries", help="The stored tallies of the summary, the pipeline flags and the workload.")


@summaries_cli.command("rebuild")
def rebuild_command() -> None:
    """Recount every tally (they are kept up to date on every save; this repairs
    them after records were changed outside the application, e.g. by hand in SQL)."""
    started = time.perf_counter()
    with db.engine.begin() as connection:
        rebuild(connection)
    # Every row was rewritten: fresh planner statistics, and on PostgreSQL the old
    # rows' space reclaimed and the visibility map set, which the workload's
    # index-only reads need (autovacuum would get there, later).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        command = "VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"
        for model in TALLIES:
            connection.execute(sa.text(f"{command} {model.__tablename__}"))  # noqa: S608  # nosec B608 (our table names)
    click.echo(f"Summary tallies rebuilt in {time.perf_counter() - started:.1f} s.")
