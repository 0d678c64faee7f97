"""How much work reading one import file may cost: rows, columns, cells, characters, time.

An upload is read inside a web request, on a worker that other people share.
A small file can describe a great deal of work (a compressed sheet of millions
of empty cells, one enormous text), so every reader counts what it has read
against these limits as it goes, and refuses the file at the first one passed,
before the work (or the memory) grows. A legitimate list of companies (about
10,000 rows of up to 30 columns) stays far inside every limit.
"""

import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.imports.problems import FileProblem

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds of one read; `seconds=None` reads without a time limit (the command line)."""

    rows: int = 50_000
    columns: int = 200
    cells: int = 350_000
    cell_chars: int = 5_000
    # A CSV line (between two line breaks) longer than this is refused before it is split into cells.
    line_chars: int = 100_000
    unpacked_bytes: int = 50 * MB
    shared_strings_bytes: int = 20 * MB
    seconds: float | None = 10.0

    @classmethod
    def from_config(cls, config, timed: bool = True) -> "Limits":
        """The limits the application's settings name (config.py, IMPORT_MAX_*)."""
        return cls(
            rows=config["IMPORT_MAX_ROWS"], columns=config["IMPORT_MAX_COLUMNS"], cells=config["IMPORT_MAX_CELLS"],
            cell_chars=config["IMPORT_MAX_CELL_CHARS"], line_chars=config["IMPORT_MAX_LINE_CHARS"],
            unpacked_bytes=config["IMPORT_MAX_UNPACKED_MB"] * MB,
            shared_strings_bytes=config["IMPORT_MAX_SHARED_STRINGS_MB"] * MB,
            seconds=config["IMPORT_MAX_SECONDS"] if timed else None,
        )


class Budget:
    """What one read has used so far; each method raises FileProblem once a limit is passed."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.cells_read = 0
        self.deadline = None if limits.seconds is None else time.monotonic() + limits.seconds

    def check_time(self) -> None:
        """Called between small steps (a row, a chunk of XML): refuse once the time is up."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise FileProblem(_l("Reading the file took longer than %(seconds)s seconds: split it into smaller "
                                 "files and try again.", seconds=f"{self.limits.seconds:g}"))

    def row(self, number: int) -> None:
        """Row `number` of the file (title, header and empty rows count too) is about to be read."""
        if number > self.limits.rows:
            raise FileProblem(_l("The file has more than %(max)s rows: split it into smaller files.",
                                 max=f"{self.limits.rows:,}"))

    def column(self, number: int) -> None:
        """A cell in column `number` (1 = A) is about to be read."""
        if number > self.limits.columns:
            raise FileProblem(_l("The file has more than %(max)s columns: keep only the columns the import reads "
                                 "(such as 法人番号, 企業名, 都道府県 and 市区町村) and try again.",
                                 max=f"{self.limits.columns:,}"))

    def cells(self, count: int = 1) -> None:
        """`count` more cells were seen, empty ones included (an empty cell costs as much to read)."""
        self.cells_read += count
        if self.cells_read > self.limits.cells:
            raise FileProblem(self.too_many_cells())

    def too_many_cells(self):
        """The message for a file with more cells than the limit."""
        return _l("The file has more than %(max)s cells: split it into smaller files, or delete the columns the "
                  "import does not read.", max=f"{self.limits.cells:,}")

    def text(self, length: int) -> None:
        """A cell's text has reached `length` characters."""
        if length > self.limits.cell_chars:
            raise FileProblem(self.too_long())

    def too_long(self):
        """The message for a cell longer than the limit."""
        return _l("A cell holds more than %(max)s characters: shorten it and try again.",
                  max=f"{self.limits.cell_chars:,}")
