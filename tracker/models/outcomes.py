"""Outcome snapshots (成果指標): a company's Local Benchmark inputs for one fiscal year.

Money is in yen, as entered from the company's accounts; the six indicators
are computed from these inputs (tracker/outcomes/indicators.py). Only each company's change
since its support began is stored, for the summary (IndicatorChange, tracker/models/tallies.py).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.accounts import User
from tracker.models.common import Timestamped, Versioned
from tracker.models.companies import Company

# Inputs that cannot be negative. Operating profit can, so it is not listed.
NON_NEGATIVE = (
    "sales",
    "previous_sales",
    "depreciation",
    "interest_bearing_debt",
    "cash_and_deposits",
    "receivables",
    "inventory",
    "payables",
    "total_assets",
    "employees",
    "capital_investment",
)


class OutcomeSnapshot(Timestamped, Versioned, db.Model):
    """One company's figures for one Japanese fiscal year (April–March).

    `previous_sales` (前期売上高) is typed when known; when it is left empty,
    the sales of the previous fiscal year's snapshot stand in for it.
    Net assets (純資産) may be negative (債務超過).
    """

    __tablename__ = "outcome_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "fiscal_year", name="uq_outcome_snapshots_company_id_fiscal_year"),
        *(sa.CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative") for column in NON_NEGATIVE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    sales: Mapped[int | None] = mapped_column(sa.BigInteger)  # 売上高
    previous_sales: Mapped[int | None] = mapped_column(sa.BigInteger)  # 前期売上高
    operating_profit: Mapped[int | None] = mapped_column(sa.BigInteger)  # 営業利益
    depreciation: Mapped[int | None] = mapped_column(sa.BigInteger)  # 減価償却費
    interest_bearing_debt: Mapped[int | None] = mapped_column(sa.BigInteger)  # 有利子負債
    cash_and_deposits: Mapped[int | None] = mapped_column(sa.BigInteger)  # 現預金
    receivables: Mapped[int | None] = mapped_column(sa.BigInteger)  # 売上債権
    inventory: Mapped[int | None] = mapped_column(sa.BigInteger)  # 棚卸資産
    payables: Mapped[int | None] = mapped_column(sa.BigInteger)  # 買入債務
    net_assets: Mapped[int | None] = mapped_column(sa.BigInteger)  # 純資産
    total_assets: Mapped[int | None] = mapped_column(sa.BigInteger)  # 総資産
    employees: Mapped[int | None]  # 従業員数
    capital_investment: Mapped[int | None] = mapped_column(sa.BigInteger)  # 設備投資額
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    company: Mapped[Company] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutcomeSnapshot {self.id} company {self.company_id} FY{self.fiscal_year}>"
