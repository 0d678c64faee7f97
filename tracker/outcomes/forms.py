"""The outcome snapshot form: a fiscal year's Local Benchmark inputs."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField

from tracker.companies.forms import WholeNumberField, YearField
from tracker.engagements.services import local_today
from tracker.forms import OneTimeForm, Required
from tracker.outcomes.services import INPUTS
from tracker.pipeline.fiscal import fiscal_year

FIRST_FISCAL_YEAR = 2000
MOST_YEN = 10**15  # a thousand trillion yen: beyond any company's accounts


def money(label, *, may_be_negative=False):
    """An amount in yen, typed as "1,234,567"; empty means not known."""
    return WholeNumberField(label, minimum=-MOST_YEN if may_be_negative else 0, maximum=MOST_YEN)


class SnapshotForm(OneTimeForm, FlaskForm):
    """One fiscal year of a company's figures, as the team enters them from its accounts."""

    fiscal_year = YearField(
        _l("Fiscal year"),
        validators=[Required(_l("Enter the fiscal year, such as 2024."))],
        minimum=FIRST_FISCAL_YEAR,
    )
    sales = money(_l("Sales (売上高)"))
    previous_sales = money(_l("Previous year's sales (前期売上高)"))
    operating_profit = money(_l("Operating profit (営業利益)"), may_be_negative=True)
    depreciation = money(_l("Depreciation (減価償却費)"))
    interest_bearing_debt = money(_l("Interest-bearing debt (有利子負債)"))
    cash_and_deposits = money(_l("Cash and deposits (現預金)"))
    receivables = money(_l("Trade receivables (売上債権)"))
    inventory = money(_l("Inventory (棚卸資産)"))
    payables = money(_l("Trade payables (買入債務)"))
    net_assets = money(_l("Net assets (純資産)"), may_be_negative=True)
    total_assets = money(_l("Total assets (総資産)"))
    employees = WholeNumberField(_l("Employees (従業員数)"), maximum=10_000_000)
    capital_investment = money(_l("Capital investment (設備投資額)"))
    version = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_year.maximum = fiscal_year(local_today())

    def details(self) -> dict:
        """The snapshot's fields as services.py takes them."""
        return {"fiscal_year": self.fiscal_year.data} | {name: getattr(self, name).data for name in INPUTS}
