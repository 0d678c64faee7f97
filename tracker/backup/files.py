"""Where backups go and how they are written: private files, never half-written."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def private_folder(folder: Path) -> None:
    """Create `folder` and every missing folder above it, each readable by its owner
    only (0700, whatever the umask). Folders that already exist are left as they are:
    their modes are the operator's choice."""
    missing = [folder, *folder.parents]
    missing = [path for path in missing if not path.exists()]
    for path in reversed(missing):  # the outermost first
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # made meanwhile by someone else: theirs
            continue
        path.chmod(0o700)  # mkdir's mode is masked by the umask; parents=True would ignore it


def default_output(folder: Path, suffix: str, label: str = "tracker") -> Path:
    """<folder>/<label>-<UTC timestamp><suffix>, the folder private to its owner."""
    private_folder(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, n = folder / f"{label}-{stamp}{suffix}", 1
    while path.exists():  # two backups within a second
        n += 1
        path = folder / f"{label}-{stamp}-{n}{suffix}"
    return path


@contextmanager
def private_file(output: Path) -> Iterator[Path]:
    """A new, empty, mode-0600 file beside `output` to write the backup into.

    Removed again if writing fails, so a partial backup is never left lying
    around under a name that looks complete.
    """
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output.")
    private_folder(output.parent)
    partial = output.with_name(f".{output.name}.partial")
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def publish(partial: Path, output: Path) -> None:
    """Give the finished backup its name, refusing to replace a file that appeared meanwhile."""
    try:
        os.link(partial, output)
    except FileExistsError as error:
        raise BackupError(f"{output} already exists; choose another --output.") from error
    partial.unlink()
