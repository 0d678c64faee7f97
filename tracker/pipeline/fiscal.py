"""The Japanese fiscal year (年度): it starts on 1 April.

FY2025 runs from 1 April 2025 to 31 March 2026; its first quarter (第1四半期)
is April–June, its fourth January–March 2026.
"""

from datetime import date, timedelta

from flask_babel import gettext as _

FIRST_MONTH = 4


def fiscal_year(day: date) -> int:
    """The fiscal year a date falls in, named by the calendar year it starts in."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def fiscal_quarter(day: date) -> int:
    """1 for April–June … 4 for January–March."""
    return (day.month - FIRST_MONTH) % 12 // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    month = FIRST_MONTH + 3 * (quarter - 1)
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of a fiscal quarter."""
    end = quarter_start(year + 1, 1) if quarter == 4 else quarter_start(year, quarter + 1)
    return quarter_start(year, quarter), end - timedelta(days=1)


def year_bounds(year: int) -> tuple[date, date]:
    """1 April of `year` to 31 March of the next."""
    return quarter_start(year, 1), quarter_start(year + 1, 1) - timedelta(days=1)


def quarter_of(day: date) -> tuple[date, date]:
    """The fiscal quarter a date falls in, as first and last day."""
    return quarter_bounds(fiscal_year(day), fiscal_quarter(day))


def year_label(year: int) -> str:
    """"FY2025" (in Japanese: 2025年度)."""
    return _("FY%(year)d", year=year)


def quarter_label(quarter: int) -> str:
    """"Q1" (in Japanese: 第1四半期)."""
    return _("Q%(quarter)d", quarter=quarter)


def year_quarter_label(year: int, quarter: int) -> str:
    """"FY2025 Q1" (in Japanese: 2025年度 第1四半期)."""
    return _("FY%(year)d Q%(quarter)d", year=year, quarter=quarter)
