"""`flask backup create` / `flask backup restore FILE`: SQLite and PostgreSQL."""

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.backup import postgres, sqlite
from tracker.backup.files import BackupError, default_output

backup_cli = AppGroup("backup", help="Back up and restore the database.")

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


def _database() -> tuple[str, str]:
    """The configured database: its backend ("sqlite" or "postgresql") and its URL."""
    from tracker.extensions import db

    url = db.engine.url
    if url.get_backend_name() not in SUFFIXES or (url.get_backend_name() == "sqlite" and not url.database):
        raise BackupError(f"Backups are made of a SQLite file or a PostgreSQL database, not of {url!r}.")
    return url.get_backend_name(), url.render_as_string(hide_password=False)


def _exists() -> bool:
    """False only for a SQLite file not created yet (a restore onto a new machine)."""
    from tracker.extensions import db

    return db.engine.url.get_backend_name() != "sqlite" or Path(db.engine.url.database).exists()


def create_backup(output: Path | None = None, label: str = "tracker") -> Path:
    """Back up the configured database into `output` (default: instance/backups/); return the path."""
    backend, url = _database()
    # BACKUP_DIR (optional setting) moves the default folder, e.g. onto another disk.
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    output = output or default_output(folder, SUFFIXES[backend], label)
    if backend == "sqlite":
        from tracker.extensions import db

        sqlite.create(Path(db.engine.url.database), output, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    else:
        postgres.create(url, output)
    return output


def backup_revision(path: Path) -> str:
    """The schema revision of a backup file, after checking it is a backup of this application."""
    backend, url = _database()
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    return sqlite.revision(path) if backend == "sqlite" else postgres.revision(path, url)


def restore_backup(path: Path, revision: str) -> None:
    """Replace the configured database's content with the backup at `path` (at schema
    `revision`), then end every sign-in and audit the restore (see _after_restore)."""
    from tracker.extensions import db

    backend, url = _database()
    db.session.remove()
    db.engine.dispose()  # this process's own pooled connections hold no lock while it runs
    if backend == "sqlite":
        sqlite.restore(path, Path(db.engine.url.database), current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    else:
        postgres.restore(path, url)
    _after_restore(path, revision)


def _after_restore(path: Path, revision: str) -> None:
    """In one transaction of the restored database: every session of the backup's time
    ends (a cookie signed out since must not work again), and the restore is audited
    (ASVS 7.4.1, 16.2.1): which file, its schema revision, and who ran it (the
    operating-system user: a command has no signed-in user)."""
    from tracker.audit.trail import record_event_on
    from tracker.auth.sessions import end_every_session
    from tracker.extensions import db

    with db.engine.begin() as connection:
        ended = end_every_session(connection)
        record_event_on(connection, "database_restore", f"{path.resolve()} · schema revision {revision} · "
                                                        f"OS user {_os_user()} · sessions ended: {ended}")


def _os_user() -> str:
    """Who runs the command, as the operating system knows them ("" when it cannot say)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def known_revisions() -> tuple[set[str], set[str]]:
    """Every schema revision this code knows, and the newest (the heads)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


@backup_cli.command("create")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the backup (default: instance/backups/tracker-<UTC time>.sqlite3 or .dump).")
def create_command(output: Path | None) -> None:
    """Back up the database while the application keeps running."""
    try:
        path = create_backup(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup FILE (a safety backup is taken first)."""
    try:
        revision = backup_revision(file)
        known, heads = known_revisions()
        if revision not in known:
            raise BackupError(
                f"{file} is at schema revision {revision}, which this version of the application does not "
                "know: it was made by a newer version. Install that version, then restore."
            )
        backend, _ = _database()
        if not yes:
            click.confirm(f"Replace everything in the current {backend} database with {file}?", abort=True)
        if _exists():
            safety = create_backup(label="before-restore")
            click.echo(f"The database as it was is kept in {safety}.")
        restore_backup(file, revision)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file} (schema revision {revision}).")
    if revision not in heads:
        click.echo(f"This version of the application expects schema revision {', '.join(sorted(heads))}: "
                   "run `flask db upgrade` before starting it.")
