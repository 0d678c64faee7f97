"""One row of an import file: its cells made into a company's values, or messages.

Text is NFKC-normalised and trimmed, numbers may be written as people write
them ("1,000", full-width digits, "5,000万円"). Capital is stored in yen: a
cell may say 万円 or 億円, or the column header may give the unit
("資本金（万円）"). Checks that need the database (municipality, industry,
duplicates, scope) are in checking.py.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from tracker.companies.forms import FIRST_LEADER_SELECTION
from tracker.companies.text import digits_only, is_kana_reading, is_valid_corporate_number, nfkc, normalise_kana
from tracker.engagements.services import local_today
from tracker.forms import line_problem, one_line

MAX_EMPLOYEES = 10_000_000
MAX_CAPITAL = 10**15
LENGTHS = {"name": 200, "kana": 200, "representative": 100}
_EXPONENT = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_YEN = re.compile(
    r"^(?P<sign>[+-]?)(?:(?P<oku>\d+(?:\.\d+)?)億)?(?:(?P<man>\d+(?:\.\d+)?)万)?(?P<rest>\d+(?:\.\d+)?)?(?:円)?$"
)


@dataclass
class RowValues:
    """What one row says, cleaned; `None` (or absent) where a cell was empty."""

    number: int
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, object]] = field(default_factory=list)  # (column, message)

    def error(self, column: str, message) -> None:
        self.errors.append((column, message))


def single_line(text: str) -> str:
    """NFKC, invisible characters dropped (the forms' rule, tracker.forms.one_line),
    spaces trimmed and runs of spaces made one."""
    return " ".join(one_line(nfkc(text)).split())


def clean_row(number: int, cells: dict, capital_unit: int = 1) -> RowValues:
    """Turn one row's text cells into values, noting what is wrong with each."""
    row = RowValues(number)
    _corporate_number(row, cells.get("corporate_number", ""))
    for column in ("name", "kana", "representative"):
        text = cells.get(column, "")
        value = normalise_kana(single_line(text)) if column == "kana" else single_line(text)
        problem = line_problem(value)
        if problem:  # a name that would read differently from what is stored, as in the forms
            row.error(column, problem)
        elif len(value) > LENGTHS[column]:
            row.error(column, _l("At most %(max)d characters.", max=LENGTHS[column]))
        row.values[column] = value or None
    if not row.values["name"]:
        row.error("name", _l("Enter the company's name."))
    if row.values["kana"] and not is_kana_reading(row.values["kana"]):
        row.error("kana", _l("Write the reading in katakana or hiragana."))
    for column in ("prefecture", "municipality"):
        row.values[column] = re.sub(r"\s+", "", nfkc(cells.get(column, "")))
    if not row.values["prefecture"]:
        row.error("prefecture", _l("Enter the prefecture."))
    if not row.values["municipality"]:
        row.error("municipality", _l("Enter the municipality."))
    elif row.values["prefecture"] and row.values["municipality"].startswith(row.values["prefecture"]):
        # "新潟県燕市" in the municipality column: the prefecture is already known.
        row.values["municipality"] = row.values["municipality"][len(row.values["prefecture"]):]
    code = nfkc(cells.get("industry_code", "")).strip().upper()
    row.values["industry_code"] = code.zfill(2) if code.isdigit() and len(code) == 1 else (code or None)
    row.values["employees"] = _whole_number(row, "employees", cells.get("employees", ""), MAX_EMPLOYEES)
    row.values["capital"] = _yen(row, cells.get("capital", ""), capital_unit)
    row.values["leader_selection_year"] = _year(row, cells.get("leader_selection_year", ""))
    return row


def _corporate_number(row: RowValues, text: str) -> None:
    text = nfkc(text).strip()
    row.values["corporate_number"] = None
    if not text:
        row.error("corporate_number", _l("Enter the corporate number: the import matches companies by it."))
        return
    if _EXPONENT.match(text):
        row.error("corporate_number", _l("The number was shortened by Excel (%(text)s): format the column as "
                                         "text, type the 13 digits and save again.", text=text))
        return
    number = digits_only(text)
    if len(number) != 13 or not number.isdigit():
        row.error("corporate_number", _l("A corporate number has 13 digits."))
    elif not is_valid_corporate_number(number):
        row.error("corporate_number", _l("This is not a valid corporate number: check the digits."))
    else:
        row.values["corporate_number"] = number


def _in_range(row: RowValues, column: str, number: int, maximum: int) -> int | None:
    if number < 0:
        row.error(column, _l("Enter %(min)s or more.", min="0"))
        return None
    if number > maximum:
        row.error(column, _l("Enter %(max)s or less.", max=f"{maximum:,}"))
        return None
    return number


def _whole_number(row: RowValues, column: str, text: str, maximum: int) -> int | None:
    cleaned = re.sub(r"[,\s_]", "", nfkc(text)).removesuffix("人").removesuffix("名")
    if not cleaned:
        return None
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        row.error(column, _l("Enter a whole number, such as 1,200."))
        return None
    return _in_range(row, column, int(cleaned), maximum)


def _yen(row: RowValues, text: str, unit: int) -> int | None:
    """Capital in yen: "50,000,000", "5,000万円", "1億2,000万円"; bare numbers count in the header's unit."""
    cleaned = re.sub(r"[,\s_]", "", nfkc(text))
    if not cleaned:
        return None
    match = _YEN.fullmatch(cleaned)
    if not match or not (match["oku"] or match["man"] or match["rest"]):
        row.error("capital", _l("Enter an amount in yen, such as 50,000,000 or 5,000万円."))
        return None
    try:
        spelled = match["oku"] or match["man"]
        amount = (Decimal(match["oku"] or 0) * 100_000_000 + Decimal(match["man"] or 0) * 10_000
                  + Decimal(match["rest"] or 0) * (1 if spelled else unit))
    except InvalidOperation:  # pragma: no cover (the pattern admits only decimals)
        amount = Decimal("0.5")
    if amount != amount.to_integral_value():
        row.error("capital", _l("Enter a whole number of yen."))
        return None
    return _in_range(row, "capital", int(amount) * (-1 if match["sign"] == "-" else 1), MAX_CAPITAL)


def _year(row: RowValues, text: str) -> int | None:
    cleaned = nfkc(text).strip().removesuffix("年度").removesuffix("年")
    if not cleaned:
        return None
    latest = local_today().year
    if not cleaned.isdigit():
        row.error("leader_selection_year", _l("Enter a year, such as 2020."))
        return None
    year = int(cleaned)
    if not FIRST_LEADER_SELECTION <= year <= latest:
        row.error("leader_selection_year", _l("Enter a year from %(first)d to %(last)d.",
                                              first=FIRST_LEADER_SELECTION, last=latest))
        return None
    return year
