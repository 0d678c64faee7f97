"""`flask summaries rebuild`: recount the summary's stored tallies from the records."""

import time

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.summaries.tallies import rebuild

summaries_cli = AppGroup("summaries", help="The regional summary's stored tallies.")


@summaries_cli.command("rebuild")
def rebuild_command() -> None:
    """Recount every tally (they are kept up to date on every save; this repairs
    them after records were changed outside the application, e.g. by hand in SQL)."""
    started = time.perf_counter()
    with db.engine.begin() as connection:
        rebuild(connection)
    click.echo(f"Summary tallies rebuilt in {time.perf_counter() - started:.1f} s.")
