"""Named operations and queries on outcome snapshots."""

from dataclasses import dataclass

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Company, IndicatorChange, OutcomeSnapshot, User
from tracker.outcomes.indicators import INDICATOR_KEYS, indicators_of
from tracker.pipeline.fiscal import fiscal_year

INPUTS = (
    "sales",
    "previous_sales",
    "operating_profit",
    "depreciation",
    "interest_bearing_debt",
    "cash_and_deposits",
    "receivables",
    "inventory",
    "payables",
    "net_assets",
    "total_assets",
    "employees",
    "capital_investment",
)


def create_snapshot(company: Company, user: User, *, fiscal_year: int, **inputs) -> OutcomeSnapshot:
    """Record a company's Local Benchmark inputs for a fiscal year."""
    snapshot = OutcomeSnapshot(company=company, fiscal_year=fiscal_year, created_by_id=user.id)
    _set_inputs(snapshot, inputs)
    db.session.add(snapshot)
    return snapshot


def update_snapshot(snapshot: OutcomeSnapshot, *, fiscal_year: int, **inputs) -> OutcomeSnapshot:
    """Correct a snapshot's year or figures."""
    snapshot.fiscal_year = fiscal_year
    _set_inputs(snapshot, inputs)
    return snapshot


def _set_inputs(snapshot: OutcomeSnapshot, inputs: dict) -> None:
    unknown = inputs.keys() - set(INPUTS)
    if unknown:
        raise TypeError(f"unknown inputs: {', '.join(sorted(unknown))}")
    for name in INPUTS:
        setattr(snapshot, name, inputs.get(name))


def fiscal_year_taken(company: Company, year: int, snapshot: OutcomeSnapshot | None = None) -> bool:
    """Whether the company already has a snapshot for `year` (other than `snapshot`)."""
    query = sa.select(OutcomeSnapshot.id).where(
        OutcomeSnapshot.company_id == company.id, OutcomeSnapshot.fiscal_year == year
    )
    if snapshot is not None:
        query = query.where(OutcomeSnapshot.id != snapshot.id)
    return db.session.scalar(query.limit(1)) is not None


# ---- reading ------------------------------------------------------------------


@dataclass
class SnapshotRow:
    """A snapshot with its six indicators, and whether previous sales were borrowed."""

    snapshot: OutcomeSnapshot
    indicators: dict[str, float | None]
    previous_sales_from_snapshot: bool


def with_indicators(snapshots: list[OutcomeSnapshot]) -> list[SnapshotRow]:
    """The indicators of one company's snapshots.

    When a snapshot's previous sales (前期売上高) were left empty, the sales of
    the previous fiscal year's snapshot stand in for them.
    """
    sales_by_year = {s.fiscal_year: s.sales for s in snapshots}
    rows = []
    for snapshot in snapshots:
        borrowed = sales_by_year.get(snapshot.fiscal_year - 1) if snapshot.previous_sales is None else None
        rows.append(SnapshotRow(snapshot, indicators_of(snapshot, borrowed), borrowed is not None))
    return rows


def company_snapshots(company: Company) -> list[SnapshotRow]:
    """A company's snapshots, latest fiscal year first, with indicators (one query)."""
    snapshots = list(
        db.session.scalars(
            sa.select(OutcomeSnapshot)
            .where(OutcomeSnapshot.company_id == company.id)
            .order_by(OutcomeSnapshot.fiscal_year)
        )
    )
    return list(reversed(with_indicators(snapshots)))


def indicator_changes(company_ids_select: sa.Select) -> dict[str, list[float]]:
    """How each indicator moved since support began, one value per company.

    For every company among `company_ids_select` (a SELECT of company ids, e.g.
    ``visible_companies(user).with_only_columns(Company.id)``), its change as
    `change_since_support` works it out, read from the stored
    `IndicatorChange` rows (kept up to date by tracker/summaries/tallies.py).
    Companies without two such snapshots are skipped, and so, per indicator,
    are companies where either value cannot be computed.

    Returns {indicator key: [change, ...]} for all six keys; one query.
    """
    columns = [getattr(IndicatorChange, key) for key in INDICATOR_KEYS]
    query = (
        sa.select(*columns)
        .where(IndicatorChange.company_id.in_(company_ids_select))
        .order_by(IndicatorChange.company_id)
    )
    changes: dict[str, list[float]] = {key: [] for key in INDICATOR_KEYS}
    for row in db.session.execute(query):
        for key, value in zip(INDICATOR_KEYS, row, strict=True):
            if value is not None:
                changes[key].append(value)
    return changes


def change_since_support(snapshots: list, first_started_on) -> dict[str, float | None] | None:
    """A company's indicator in its latest fiscal year minus the same in the first
    fiscal year on or after the year its first engagement started (None when it
    has not two such snapshots). `snapshots` are rows with the INPUTS and the
    fiscal year, oldest first. Changes are in the indicator's own unit
    (fractions for percentages: 0.015 is +1.5 points); None where either value
    cannot be computed.
    """
    began = fiscal_year(first_started_on)
    since = [snapshot for snapshot in snapshots if snapshot.fiscal_year >= began]
    if len(since) < 2:
        return None
    # Only the first and the latest count: their indicators alone are worked out.
    sales_by_year = {snapshot.fiscal_year: snapshot.sales for snapshot in snapshots}
    first, latest = (_indicators_borrowing(snapshot, sales_by_year) for snapshot in (since[0], since[-1]))
    return {
        key: latest[key] - first[key] if first[key] is not None and latest[key] is not None else None
        for key in INDICATOR_KEYS
    }


def _indicators_borrowing(snapshot, sales_by_year: dict) -> dict[str, float | None]:
    """The indicators of a snapshot, with last year's sales standing in for empty previous sales."""
    borrowed = sales_by_year.get(snapshot.fiscal_year - 1) if snapshot.previous_sales is None else None
    return indicators_of(snapshot, borrowed)
