"""The six indicators of the Local Benchmark (ローカルベンチマーク), from a year's inputs.

Pure functions over numbers in yen (and people): each returns None when an
input is missing or its denominator is zero, so that a gap in the accounts
shows as a gap rather than as a misleading figure. Ratios are fractions
(0.052 is 5.2 %); the working-capital period is in months; labour
productivity is yen per person; the EBITDA multiple is "times".
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

Number = int | float | None


def _missing(*values: Number) -> bool:
    return any(value is None for value in values)


def sales_growth(sales: Number, previous_sales: Number) -> float | None:
    """売上高増加率 = sales / previous sales − 1."""
    if _missing(sales, previous_sales) or previous_sales == 0:
        return None
    return sales / previous_sales - 1


def operating_margin(operating_profit: Number, sales: Number) -> float | None:
    """営業利益率 = operating profit / sales."""
    if _missing(operating_profit, sales) or sales == 0:
        return None
    return operating_profit / sales


def labour_productivity(operating_profit: Number, employees: Number) -> float | None:
    """労働生産性 = operating profit / employees (yen per person)."""
    if _missing(operating_profit, employees) or employees == 0:
        return None
    return operating_profit / employees


def ebitda_debt_ratio(
    interest_bearing_debt: Number, cash_and_deposits: Number, operating_profit: Number, depreciation: Number
) -> float | None:
    """EBITDA有利子負債倍率 = (interest-bearing debt − cash) / (operating profit + depreciation).

    How many years of EBITDA would repay the net debt. When EBITDA is zero or
    negative the multiple means nothing (a negative one would look better than
    any positive one), so None is returned then too.
    """
    if _missing(interest_bearing_debt, cash_and_deposits, operating_profit, depreciation):
        return None
    ebitda = operating_profit + depreciation
    if ebitda <= 0:
        return None
    return (interest_bearing_debt - cash_and_deposits) / ebitda


def working_capital_period(receivables: Number, inventory: Number, payables: Number, sales: Number) -> float | None:
    """営業運転資本回転期間 = (receivables + inventory − payables) / (sales / 12), in months."""
    if _missing(receivables, inventory, payables, sales) or sales == 0:
        return None
    return (receivables + inventory - payables) / (sales / 12)


def equity_ratio(net_assets: Number, total_assets: Number) -> float | None:
    """自己資本比率 = net assets / total assets."""
    if _missing(net_assets, total_assets) or total_assets == 0:
        return None
    return net_assets / total_assets


# ---- the six, by key, with how each is shown ---------------------------------

PERCENT, YEN, MONTHS, TIMES = "percent", "yen", "months", "times"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: object
    unit: str


INDICATORS = (
    Indicator("sales_growth", _l("Sales growth"), PERCENT),
    Indicator("operating_margin", _l("Operating margin"), PERCENT),
    Indicator("labour_productivity", _l("Labour productivity"), YEN),
    Indicator("ebitda_debt_ratio", _l("EBITDA to interest-bearing debt"), TIMES),
    Indicator("working_capital_period", _l("Working-capital turnover period"), MONTHS),
    Indicator("equity_ratio", _l("Equity ratio"), PERCENT),
)
INDICATOR_KEYS = tuple(indicator.key for indicator in INDICATORS)


def indicators_of(snapshot, previous_sales: Number = None) -> dict[str, float | None]:
    """The six indicators of one snapshot (anything with the input attributes).

    `previous_sales` is the previous year's sales to use when the snapshot's
    own `previous_sales` is empty (see services.effective_previous_sales).
    """
    s = snapshot
    previous = s.previous_sales if s.previous_sales is not None else previous_sales
    return {
        "sales_growth": sales_growth(s.sales, previous),
        "operating_margin": operating_margin(s.operating_profit, s.sales),
        "labour_productivity": labour_productivity(s.operating_profit, s.employees),
        "ebitda_debt_ratio": ebitda_debt_ratio(
            s.interest_bearing_debt, s.cash_and_deposits, s.operating_profit, s.depreciation
        ),
        "working_capital_period": working_capital_period(s.receivables, s.inventory, s.payables, s.sales),
        "equity_ratio": equity_ratio(s.net_assets, s.total_assets),
    }


def format_value(unit: str, value: float | None, change: bool = False) -> str:
    """An indicator as people read it: "5.2%", "¥1,234,567", "2.3 months", "4.5×".

    With `change=True`, a signed difference: "+1.5 pt", "−¥120,000", "+0.4 months".
    """
    if value is None:
        return "–"
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if change else ("−" if value < 0 else "")
    size = abs(value)
    if unit == PERCENT:
        return f"{sign}{size * 100:.1f} pt" if change else f"{sign}{size * 100:.1f}%"
    if unit == YEN:
        return f"{sign}¥{round(size):,}"
    if unit == MONTHS:
        return str(_l("%(sign)s%(months)s months", sign=sign, months=f"{size:.1f}"))
    return f"{sign}{size:.1f}×"
