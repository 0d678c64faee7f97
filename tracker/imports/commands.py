"""`flask companies import FILE [--as EMAIL] [--dry-run]`: the bulk import from the command line.

The same checks, the same limits on the file (except the time limit) and the
same all-or-nothing import as the web pages, with a progress bar in the
terminal. Without --as, the import acts as the system (every region; real
municipalities not recorded yet become regions); with --as, it has that user's
rights and is recorded as theirs in the audit log.
"""

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from tracker.extensions import db
from tracker.imports import companies_cli
from tracker.imports.presenting import text_report
from tracker.imports.progress import Progress
from tracker.imports.reading import FileProblem, Limits
from tracker.imports.services import ChangedMeanwhile, ImportRefused, import_table, preview_file
from tracker.models import User
from tracker.models.accounts import normalise_email
from tracker.permissions import can_import_companies

STEP_LABELS = {"checking": "Checking", "saving": "Saving"}


class TerminalProgress(Progress):
    """One click progress bar per step, on standard error."""

    def __init__(self):
        self.bar = None

    def start(self, step: str, total: int) -> None:
        self.close()
        self.bar = click.progressbar(length=max(total, 1), label=STEP_LABELS.get(step, step),
                                     file=sys.stderr)
        self.bar.__enter__()

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _user(email: str | None) -> User | None:
    if email is None:
        return None
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        raise click.BadParameter(f"no active account {email!r}", param_hint="--as")
    if not can_import_companies(user):
        raise click.BadParameter(f"{email} may not import companies (admins and managers may)", param_hint="--as")
    return user


@companies_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "email", metavar="EMAIL", help="Import with this user's rights (and in their name).")
@click.option("--dry-run", is_flag=True, help="Check the file and print the report; save nothing.")
def import_companies(file: Path, email: str | None, dry_run: bool):
    """Import companies from a CSV or XLSX file; exit code 1 if any row has an error."""
    user = _user(email)
    progress = TerminalProgress()
    with force_locale("en"):
        try:
            # The web's limits but no time limit: an operator's own process keeps no one else waiting.
            limits = Limits.from_config(current_app.config, timed=False)
            _table, plan = preview_file(file.name, file.read_bytes(), user, limits, progress)
        except FileProblem as problem:
            progress.close()
            raise click.ClickException(str(problem.message)) from None
        progress.close()
        for line in text_report(plan, file.name):
            click.echo(line)
        if plan.errors:
            click.echo("Nothing was imported: correct the rows above and run the import again.", err=True)
            raise SystemExit(1)
        if dry_run:
            click.echo("Dry run: nothing was saved.")
            return
        try:
            created, updated = import_table(_table, user, file.name, progress)
            db.session.commit()
        except (ImportRefused, ChangedMeanwhile, sa.exc.IntegrityError):
            db.session.rollback()
            progress.close()
            raise click.ClickException(
                "The records changed during the import; nothing was saved. Run it again.") from None
        progress.close()
        click.echo(f"Imported: {created} created, {updated} updated.")
