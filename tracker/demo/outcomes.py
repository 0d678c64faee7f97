"""Demo outcome snapshots: plausible Local Benchmark figures for the engaged companies.

Deterministic (derived from each company's id and head-count), one snapshot
per closed fiscal year since its support began, so the summary's outcome
table has something to show.
"""

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Company, Engagement, Phase
from tracker.models.outcomes import OutcomeSnapshot
from tracker.pipeline.fiscal import fiscal_year

# Phases in which a company has been accompanied long enough to report figures.
REPORTING_PHASES = (Phase.FRAMING, Phase.ACCOMPANY, Phase.SELF_RUNNING, Phase.CLOSED)
MILLION = 1_000_000


def load_outcome_snapshots(today: date | None = None) -> int:
    """Add snapshots unless any exist; return how many were added. Does not commit."""
    if db.session.scalar(sa.select(OutcomeSnapshot.id).limit(1)) is not None:
        return 0
    last_closed_year = fiscal_year(today or date.today()) - 1
    rows = db.session.execute(
        sa.select(Company, sa.func.min(Engagement.started_on))
        .join(Engagement, Engagement.company_id == Company.id)
        .where(Engagement.phase.in_(REPORTING_PHASES))
        .group_by(Company.id)
        .order_by(Company.id)
    ).all()
    added = 0
    for company, started_on in rows:
        first_year = fiscal_year(started_on) - 1  # the year before support began, as a baseline
        for offset, year in enumerate(range(first_year, last_closed_year + 1)):
            db.session.add(_snapshot(company, year, offset))
            added += 1
    return added


def _snapshot(company: Company, year: int, offset: int) -> OutcomeSnapshot:
    """A year of figures that improve a little each year, differently per company."""
    seed = company.id % 5
    employees = (company.employees or 50) + offset * (seed - 1)
    base_sales = (company.employees or 50) * 22 * MILLION
    growth = 1 + (seed - 1) * 0.02 + offset * 0.01
    sales = int(base_sales * growth**offset)
    margin = 0.02 + seed * 0.008 + offset * 0.006
    operating_profit = int(sales * margin)
    total_assets = int(sales * 0.9)
    return OutcomeSnapshot(
        company=company, fiscal_year=year, sales=sales, previous_sales=int(sales / growth),
        operating_profit=operating_profit, depreciation=int(sales * 0.03),
        interest_bearing_debt=int(sales * (0.45 - offset * 0.04)), cash_and_deposits=int(sales * 0.12),
        receivables=int(sales * 0.18), inventory=int(sales * (0.14 - offset * 0.01)), payables=int(sales * 0.11),
        net_assets=int(total_assets * (0.28 + offset * 0.02 + seed * 0.01)), total_assets=total_assets,
        employees=employees, capital_investment=int(sales * (0.02 + seed * 0.005)),
    )
