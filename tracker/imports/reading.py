"""Reading an uploaded file of companies: CSV (UTF-8 or Shift_JIS) or Excel (.xlsx).

The result is a `Table`: which field each column holds, and every data row as
text cells with its row number in the spreadsheet. Nothing here knows the
database; checking the values is `checking.py`'s job. Both readers count what
they read against `Limits` (limits.py) and refuse a file at the first limit passed.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from tracker.companies.text import nfkc
from tracker.imports.limits import Budget, Limits
from tracker.imports.problems import NOT_EXCEL, FileProblem
from tracker.imports.xlsx import xlsx_rows

# The header may sit below a title: it is the first of these rows naming enough known columns.
HEADER_SEARCH_ROWS = 10

FIELDS = (
    "corporate_number", "name", "kana", "prefecture", "municipality", "industry_code", "employees", "capital",
    "leader_selection_year", "representative",
)
REQUIRED = ("corporate_number", "name", "prefecture", "municipality")

# Header names as people write them, compared after `_header_key()`.
_ALIASES = {
    "corporate_number": ("法人番号", "corporate_number", "corporate number", "corporate no"),
    "name": ("企業名", "名称", "会社名", "法人名", "商号", "企業名称", "name", "company name", "company"),
    "kana": ("フリガナ", "カナ", "ふりがな", "よみがな", "読み", "企業名カナ", "企業名フリガナ", "kana", "reading"),
    "prefecture": ("都道府県", "都道府県名", "prefecture"),
    "municipality": ("市区町村", "市区町村名", "municipality", "city"),
    "industry_code": ("業種コード", "業種", "産業分類コード", "産業分類", "jsic", "industry_code", "industry code",
                      "industry"),
    "employees": ("従業員数", "従業員", "employees", "employee count"),
    "capital": ("資本金", "capital"),
    "leader_selection_year": ("地域未来牽引企業選定年", "地域未来牽引企業", "選定年", "選定年度", "selection_year",
                              "selection year", "leader_selection_year"),
    "representative": ("代表者", "代表者名", "代表者氏名", "representative"),
}
# Capital headed "資本金（万円）" counts in 10,000 yen; stored capital is always in yen.
_UNITS = {"円": 1, "千円": 1_000, "万円": 10_000, "百万円": 1_000_000, "yen": 1, "jpy": 1}
_UNIT_IN_HEADER = re.compile(r"^(?P<name>.*?)[(\[](?P<unit>[^)\]]*)[)\]]$")


def _header_key(text: str) -> str:
    """A header cell reduced to what identifies it: NFKC, lower case, no spaces or underscores."""
    return re.sub(r"[\s_\-・]", "", nfkc(text).lower())


_BY_KEY = {_header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


@dataclass
class Table:
    """The rows of a file: `columns` are field names, each row is (row number, cells)."""

    columns: list[str]
    rows: list[tuple[int, list[str]]]
    capital_unit: int = 1
    ignored: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"columns": self.columns, "capital_unit": self.capital_unit, "ignored": self.ignored,
                "rows": [[number, *cells] for number, cells in self.rows]}

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        return cls(columns=data["columns"], capital_unit=data["capital_unit"], ignored=data.get("ignored", []),
                   rows=[(row[0], row[1:]) for row in data["rows"]])

    def records(self):
        """Each row as (row number, {field: text}); fields the file lacks are absent."""
        for number, cells in self.rows:
            yield number, dict(zip(self.columns, cells, strict=False))


def read_table(filename: str, data: bytes, limits: Limits) -> Table:
    """Read a CSV or XLSX file into a Table within `limits`, or raise FileProblem."""
    if not data.strip():
        raise FileProblem(_l("The file is empty."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_l("This is an old Excel file (.xls): save it as .xlsx or CSV and upload it again."))
    budget = Budget(limits)
    if data.startswith(b"PK\x03\x04"):
        raw_rows = xlsx_rows(data, budget)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileProblem(NOT_EXCEL)
    else:
        raw_rows = _csv_rows(data, budget)
    return _table(raw_rows)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Shift_JIS as Japanese Excel writes it (cp932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise FileProblem(
            _l("The file's characters could not be read. Save it as CSV (UTF-8) or as .xlsx and try again.")
        ) from None


def _csv_rows(data: bytes, budget: Budget):
    """Yield (row number, cells) of a CSV file, each row counted against the budget."""
    text = _decode(data)
    if "\x00" in text:
        raise FileProblem(_l("This does not look like a CSV file. Upload a CSV or .xlsx file."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(_lines(text, budget), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            budget.row(number)
            budget.check_time()
            budget.column(len(cells))
            budget.cells(len(cells))
            budget.text(max(map(len, cells), default=0))
            yield number, cells
    except csv.Error as error:
        # A quoted cell running over many lines meets the csv module's own limit (131,072).
        if "field larger than field limit" in str(error):
            raise FileProblem(budget.too_long()) from None
        raise FileProblem(_l("The CSV file is malformed (check its quotation marks).")) from None


def _lines(text: str, budget: Budget):
    """The lines of the text, each refused before it is split if it is too long to be a row."""
    for line in io.StringIO(text, newline=""):
        if len(line) > budget.limits.line_chars:
            raise FileProblem(_l("A line of the file is longer than %(max)s characters: check that it is a list "
                                 "of companies, one per line.", max=f"{budget.limits.line_chars:,}"))
        yield line


def _table(raw_rows) -> Table:
    """Find the header, map its columns to fields, collect the non-empty rows below it.

    `raw_rows` yields (row number, cells); the readers have bounded their count and size."""
    rows = iter(raw_rows)
    columns = None
    for number, cells in rows:
        known = [_BY_KEY.get(_header_key(_UNIT_IN_HEADER.sub(r"\g<name>", nfkc(cell).strip()))) for cell in cells]
        if sum(1 for name in known if name) >= 3:
            columns, header = known, cells
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise FileProblem(_l("No header row was found. The first row must name the columns, such as 法人番号, "
                             "企業名, 都道府県 and 市区町村."))
    _check_columns(columns, header)
    capital_unit = _capital_unit(columns, header)
    keep = [index for index, name in enumerate(columns) if name]
    ignored = [cell.strip() for cell, name in zip(header, columns, strict=True) if not name and cell.strip()]
    table = Table(columns=[columns[i] for i in keep], rows=[], capital_unit=capital_unit, ignored=ignored)
    for number, cells in rows:
        picked = [(cells[i] if i < len(cells) else "").strip() for i in keep]
        if any(picked):
            table.rows.append((number, picked))
    if not table.rows:
        raise FileProblem(_l("The file has a header but no rows of companies."))
    return table


def _check_columns(columns: list, header: list) -> None:
    twice = sorted({name for name in columns if name and columns.count(name) > 1})
    if twice:
        names = ", ".join(cell for cell, name in zip(header, columns, strict=True) if name in twice)
        raise FileProblem(_l("These columns mean the same thing; keep only one of them: %(names)s.", names=names))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileProblem(_l("Required columns are missing: %(names)s.",
                             names=", ".join(f"{_ALIASES[name][0]} ({name})" for name in missing)))


def _capital_unit(columns: list, header: list) -> int:
    if "capital" not in columns:
        return 1
    unit = _UNIT_IN_HEADER.match(nfkc(header[columns.index("capital")]).strip())
    if not unit:
        return 1
    found = _UNITS.get(_header_key(unit["unit"]))
    if found is None:
        raise FileProblem(_l("The capital column's unit %(unit)s is not understood: use 円, 千円, 万円 or 百万円.",
                             unit=unit["unit"]))
    return found
