"""The first worksheet of an Excel .xlsx file, read as a stream within a `Budget`.

An .xlsx is a zip of XML parts. openpyxl, even in read-only mode, parses a
sheet without a <dimension> element in full when the workbook opens, and loads
every shared string before the first row; a small hostile file then costs a
worker minutes and hundreds of megabytes. Here every part is pushed through
expat in 64 KB chunks, and each cell, row, column and character is counted
against the budget the moment it is seen, so a file is refused as soon as it
passes a limit, holding at most one row and the shared strings in memory.
No part may declare a DOCTYPE (no entity expansion, no external entities).

Cells come back as the text a person sees: whole numbers without ".0", dates
(numbers in a date format) in ISO form, booleans as True/False.
"""

import io
import posixpath
import zipfile
import zlib
from datetime import date, datetime
from xml.parsers import expat

from flask_babel import lazy_gettext as _l
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from tracker.imports.limits import MB, Budget
from tracker.imports.problems import NOT_EXCEL, FileProblem

CHUNK = 64 * 1024
# A real workbook has a few dozen parts, sheets and styles; these bound what is kept of them.
MAX_MEMBERS = 1_000
MAX_SHEETS = 1_000
MAX_STYLES = 65_536
# Excel's sheets compress about 12 to 1; a part unpacking to over a megabyte at more
# than this ratio is a "zip bomb", refused before a byte of it is parsed.
MAX_RATIO = 100
TOO_LARGE = _l("This Excel file is too large once unpacked: split it into smaller files.")
# Ways a damaged or foreign file fails while being unpacked or parsed: each means "not readable".
_BROKEN = (zipfile.BadZipFile, zlib.error, expat.ExpatError, EOFError, KeyError, IndexError, ValueError,
           NotImplementedError, RuntimeError, OverflowError)


def xlsx_rows(data: bytes, budget: Budget):
    """Yield (row number, cell texts) for each row of the first worksheet that holds a cell."""
    try:
        archive = _archive(data, budget)
        book = _Book(archive, budget)
        yield from _Sheet(book, budget).rows(book.sheet_path)
    except _BROKEN:
        raise FileProblem(NOT_EXCEL) from None


def _archive(data: bytes, budget: Budget) -> zipfile.ZipFile:
    """The zip, once its members' count, unpacked sizes and ratios are known to be sane."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(member.file_size for member in members) > budget.limits.unpacked_bytes:
        raise FileProblem(TOO_LARGE)
    if any(member.file_size > MB and member.file_size > MAX_RATIO * max(member.compress_size, 1)
           for member in members):
        raise FileProblem(TOO_LARGE)
    return archive


def _local(name: str) -> str:
    """An element or attribute name without its namespace (expat gives "namespace name")."""
    return name[name.rfind(" ") + 1:]


class _Part:
    """One XML part pushed through expat; subclasses handle the elements they need."""

    def __init__(self, archive: zipfile.ZipFile, budget: Budget):
        self.archive, self.budget = archive, budget

    def chunks(self, path: str):
        """Parse the part chunk by chunk, yielding after each (so that rows can be handed out)."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._opened
        parser.EndElementHandler = self._closed
        parser.CharacterDataHandler = self.characters
        with self.archive.open(path) as member:
            while chunk := member.read(CHUNK):
                self.budget.check_time()
                parser.Parse(chunk, False)
                yield
        parser.Parse(b"", True)
        yield

    def parse(self, path: str) -> None:
        """Parse the whole part (one that keeps little: relationships, workbook, styles)."""
        for _ in self.chunks(path):
            pass

    def _doctype(self, *_args):
        raise FileProblem(NOT_EXCEL)

    # expat names an element "namespace name"; the handlers get the name alone.
    def _opened(self, name: str, attrs: dict) -> None:
        self.start(name[name.rfind(" ") + 1:], attrs)

    def _closed(self, name: str) -> None:
        self.end(name[name.rfind(" ") + 1:])

    def start(self, name: str, attrs: dict) -> None:
        """An element opens."""

    def end(self, name: str) -> None:
        """An element closes."""

    def characters(self, text: str) -> None:
        """Text inside the current element (expat may split it into several calls)."""


class _Relationships(_Part):
    """A .rels part: the relationships with these ids (id → (type, path inside the zip)),
    and the first of each of these types (type → path); nothing else is kept."""

    def __init__(self, archive, budget, path: str, base: str, kinds: tuple, ids=frozenset()):
        super().__init__(archive, budget)
        self.base, self.kinds, self.ids, self.by_id, self.first = base, kinds, ids, {}, {}
        if path in archive.NameToInfo:
            self.parse(path)

    def start(self, name, attrs):
        if name != "Relationship" or attrs.get("TargetMode") == "External":
            return
        kind, target = attrs.get("Type", "").rsplit("/", 1)[-1], attrs.get("Target", "")
        path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.base, target))
        if attrs.get("Id") in self.ids:
            self.by_id.setdefault(attrs["Id"], (kind, path))
        if kind in self.kinds:
            self.first.setdefault(kind, path)


class _Book(_Part):
    """workbook.xml: its sheets in order and the 1904 flag; then the sheet's path,
    the shared strings and which cell styles are dates."""

    def __init__(self, archive, budget):
        super().__init__(archive, budget)
        self.sheet_ids, self.epoch = [], CALENDAR_WINDOWS_1900
        root = _Relationships(archive, budget, "_rels/.rels", "", kinds=("officeDocument",))
        workbook = root.first.get("officeDocument", "xl/workbook.xml")
        self.parse(workbook)
        folder, name = posixpath.split(workbook)
        rels = _Relationships(archive, budget, posixpath.join(folder, "_rels", f"{name}.rels"), folder,
                              kinds=("sharedStrings", "styles"), ids=frozenset(self.sheet_ids))
        # openpyxl's worksheets[0]: the first sheet that is a worksheet (not a chart sheet).
        sheets = [rels.by_id[i][1] for i in self.sheet_ids if rels.by_id.get(i, ("",))[0] == "worksheet"]
        if not sheets:
            raise FileProblem(NOT_EXCEL)
        self.sheet_path = sheets[0]
        self.strings = _SharedStrings(archive, budget, rels.first.get("sharedStrings")).strings
        self.date_styles = _Styles(archive, budget, rels.first.get("styles")).date_styles

    def start(self, name, attrs):
        if name == "sheet":
            if len(self.sheet_ids) >= MAX_SHEETS:
                raise FileProblem(TOO_LARGE)
            self.sheet_ids.append(next((value for key, value in attrs.items() if _local(key) == "id" and " " in key),
                                       None))
        elif name == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            self.epoch = CALENDAR_MAC_1904


class _SharedStrings(_Part):
    """sharedStrings.xml: every string's text (its phonetic reading left out), each within the limits."""

    def __init__(self, archive, budget, path: str | None):
        super().__init__(archive, budget)
        self.strings, self.parts, self.length, self.phonetic, self.in_text = [], [], 0, 0, False
        if path not in archive.NameToInfo:  # none, or named but missing (as openpyxl, read as none)
            return
        if archive.getinfo(path).file_size > budget.limits.shared_strings_bytes:
            raise FileProblem(_l("This Excel file holds more than %(max)s MB of text: split it into smaller files.",
                                 max=budget.limits.shared_strings_bytes // MB))
        self.parse(path)

    def start(self, name, attrs):
        if name == "si":
            self.parts, self.length = [], 0
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.in_text = True

    def end(self, name):
        if name == "si":
            if len(self.strings) >= self.budget.limits.cells:  # more strings than the sheet may have cells
                raise FileProblem(self.budget.too_many_cells())
            self.strings.append("".join(self.parts))
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "t":
            self.in_text = False

    def characters(self, text):
        if self.in_text:
            self.length += len(text)
            self.budget.text(self.length)
            self.parts.append(text)


class _Styles(_Part):
    """styles.xml: the indexes of the cell styles whose number format is a date."""

    def __init__(self, archive, budget, path: str | None):
        super().__init__(archive, budget)
        self.formats, self.cell_formats, self.in_cell_xfs = {}, [], False
        if path in archive.NameToInfo:
            self.parse(path)
        self.date_styles = {index for index, fmt in enumerate(self.cell_formats)
                            if is_date_format(self.formats.get(fmt) or BUILTIN_FORMATS.get(fmt) or "")}

    def start(self, name, attrs):
        if len(self.formats) + len(self.cell_formats) > MAX_STYLES:
            raise FileProblem(TOO_LARGE)
        if name == "numFmt":
            self.formats[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "xf" and self.in_cell_xfs:
            self.cell_formats.append(int(attrs.get("numFmtId", 0)))

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_xfs = False


class _Sheet(_Part):
    """A worksheet: rows of cells, each counted against the budget as it opens."""

    def __init__(self, book: _Book, budget: Budget):
        super().__init__(book.archive, budget)
        self.book, self.done = book, []
        self.row_number, self.cells, self.in_row = 0, [], False
        self.column, self.kind, self.style, self.parts, self.length = 0, "n", 0, [], 0
        self.collecting, self.phonetic, self.inline = False, 0, False

    def rows(self, path: str):
        """Yield the rows parsed from each chunk of the sheet."""
        for _ in self.chunks(path):
            yield from self.done
            self.done.clear()

    def start(self, name, attrs):
        if name == "row":
            self.row_number = int(attrs.get("r", self.row_number + 1))
            self.budget.row(self.row_number)
            self.cells, self.column, self.in_row = [], 0, True
        elif name == "c" and self.in_row:
            self.budget.cells()
            reference = attrs.get("r")
            self.column = _column_number(reference) if reference else self.column + 1
            self.budget.column(self.column)
            self.kind, self.style = attrs.get("t", "n"), int(attrs.get("s", 0))
            self.parts, self.length = [], 0
        elif name == "v" or (name == "t" and self.inline and not self.phonetic):
            self.collecting = True
        elif name == "is":
            self.inline = True
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name):
        if name in ("v", "t"):
            self.collecting = False
        elif name == "is":
            self.inline = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c" and self.in_row:
            self.cells.extend([""] * (self.column - len(self.cells)))
            self.cells[self.column - 1] = self._value("".join(self.parts))
        elif name == "row":
            self.in_row = False
            if self.cells:
                self.done.append((self.row_number, self.cells))

    def characters(self, text):
        if self.collecting:
            self.length += len(text)
            self.budget.text(self.length)
            self.parts.append(text)

    def _value(self, text: str) -> str:
        """The cell's text as a person sees it, by its type and style."""
        if not text or self.kind in ("inlineStr", "str", "e", "d"):
            return text
        if self.kind == "s":
            index = int(text)
            if index < 0:
                raise ValueError(text)
            return self.book.strings[index]
        if self.kind == "b":
            return str(text == "1")
        number = float(text)
        if self.style in self.book.date_styles:
            return cell_text(from_excel(number, self.book.epoch))
        return cell_text(int(text) if text.lstrip("-").isdigit() else number)


def _column_number(reference: str) -> int:
    """The column of a cell reference such as "AB12" (A = 1); a malformed one raises ValueError."""
    number = 0
    for character in reference:
        if "A" <= character <= "Z":
            number = number * 26 + ord(character) - 64
        elif character.isdigit() and number:
            return number
        else:
            break
        if number > 1_000_000:
            break
    raise ValueError(reference)


def cell_text(value) -> str:
    """A cell value as the text a person sees (whole numbers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
