"""PostgreSQL backups with pg_dump / pg_restore (custom format).

The connection details go to the tools through the libpq environment
(PGHOST, PGPASSWORD...), never on the command line, where any user of the
machine could read the password in the process list.
"""

import os
import re
import shutil
import subprocess  # noqa: S404 (runs pg_dump / pg_restore, with arguments we build)  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url

from tracker.auth.sessions import SIGN_IN_TABLES
from tracker.backup.files import BackupError, private_file, publish

# URL query parameters that libpq also reads from the environment.
_QUERY_ENVIRONMENT = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME", "options": "PGOPTIONS",
}
_REVISION_ROW = re.compile(r"^COPY public\.alembic_version .*?FROM stdin;\n([^\n\\]+)\n", re.MULTILINE)


def libpq_environment(url: str) -> dict[str, str]:
    """The process environment plus PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE from `url`."""
    parsed = make_url(url)
    settings = {
        "PGHOST": parsed.host, "PGPORT": parsed.port, "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password, "PGDATABASE": parsed.database,
    }
    for name, variable in _QUERY_ENVIRONMENT.items():
        settings[variable] = parsed.query.get(name)
    return {**os.environ, **{name: str(value) for name, value in settings.items() if value is not None}}


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a BackupError saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on the PATH. Install the PostgreSQL client tools of the server's "
            "major version or newer (Debian/Ubuntu: apt-get install postgresql-client)."
        )
    return path


def _run(command: list[str], url: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a client program with the URL's connection settings; BackupError with its stderr if it fails."""
    result = subprocess.run(command, env=libpq_environment(url), capture_output=True, check=False, **kwargs)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(command[0]).name} failed: {message}")
    return result


def create(url: str, output: Path) -> None:
    """pg_dump the configured database into a new custom-format file `output` (mode 0600)."""
    pg_dump = tool("pg_dump")
    with private_file(output) as partial:
        # No live sign-in goes into a backup: restored, it would sign a browser in again.
        leave_out = [f"--exclude-table-data={table}" for table in SIGN_IN_TABLES]
        _run([pg_dump, "--format=custom", "--no-password", *leave_out, f"--file={partial}"], url)
        publish(partial, output)


def revision(path: Path, url: str) -> str:
    """The schema revision recorded in a dump; BackupError if it is not a dump of this application."""
    pg_restore = tool("pg_restore")
    listing = _run([pg_restore, "--list", str(path)], url).stdout.decode(errors="replace")
    if " TABLE public alembic_version " not in listing:
        raise BackupError(f"{path} is not a backup of this application (it has no alembic_version table).")
    script = _run([pg_restore, "--data-only", "--table=alembic_version", "--file=-", str(path)], url)
    found = _REVISION_ROW.search(script.stdout.decode(errors="replace"))
    if found is None:
        raise BackupError(f"{path} records no schema revision (alembic_version is empty).")
    return found.group(1)


def restore(path: Path, url: str) -> None:
    """Replace the configured database's objects with those of the dump, all or nothing."""
    pg_restore = tool("pg_restore")
    _run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
         "--no-password", f"--dbname={make_url(url).database}", str(path)],
        url,
    )
