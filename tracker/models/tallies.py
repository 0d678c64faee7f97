"""Stored tallies behind the regional summary, the pipeline board's attention
flags and the workload report, kept up to date with the records.

A summary of the whole country would otherwise count every session, insight
and action of a fiscal year, and read every company's outcome snapshots, on
each request (about a second at 10,000 companies and 1,000,000 sessions).
These tables hold the same counts per engagement and fiscal quarter, and each
company's indicator changes, so the summary adds up a few rows per
engagement instead; PipelineTally and WorkloadTally do the same for the
board's flags and the workload report. They are derived data:
tracker/summaries/tallies.py rewrites an engagement's or a company's rows from
its records after every flush that changes them, and `flask summaries
rebuild` rewrites them all.

Deleted records (soft delete) are left out when counting. Deleted
engagements and companies keep their rows; the summary reaches tallies only
through live engagements and companies, so it leaves those out too.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.common import enum_column
from tracker.models.insights import Barrier, InsightCategory


def engagement_key(**options):
    """The engagement a tally belongs to; its rows go with it."""
    return mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), **options)


class SessionTally(db.Model):
    """Sessions held in one fiscal quarter of an engagement, and their minutes."""

    __tablename__ = "session_tallies"
    __table_args__ = (sa.Index("ix_session_tallies_fiscal_year_quarter", "fiscal_year", "quarter"),)

    engagement_id: Mapped[int] = engagement_key(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[int] = mapped_column(primary_key=True)
    sessions: Mapped[int]
    minutes: Mapped[int]


class InsightTally(db.Model):
    """Insights recorded in one fiscal quarter of an engagement (local date), per category and barrier."""

    __tablename__ = "insight_tallies"
    __table_args__ = (
        sa.Index("ix_insight_tallies_engagement_id", "engagement_id"),
        sa.Index("ix_insight_tallies_fiscal_year_quarter", "fiscal_year", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = engagement_key()
    fiscal_year: Mapped[int]
    quarter: Mapped[int]
    category: Mapped[InsightCategory] = mapped_column(enum_column(InsightCategory, "insight_category"))
    barrier: Mapped[Barrier | None] = mapped_column(enum_column(Barrier, "barrier"))
    insights: Mapped[int]


class ActionTally(db.Model):
    """Actions due in one fiscal quarter of an engagement (dropped ones aside), and those done by their date."""

    __tablename__ = "action_tallies"
    __table_args__ = (sa.Index("ix_action_tallies_fiscal_year_quarter", "fiscal_year", "quarter"),)

    engagement_id: Mapped[int] = engagement_key(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[int] = mapped_column(primary_key=True)
    due: Mapped[int]
    on_time: Mapped[int]


class PipelineTally(db.Model):
    """What the pipeline board's attention flags read of an engagement: the day
    of its last session and the earliest due date of its open actions (live
    records only). With these, the flags of every engagement of the country are
    two column comparisons, not a look-up into the sessions and the actions per
    engagement on every request. An engagement with neither has no row.
    """

    __tablename__ = "pipeline_tallies"

    engagement_id: Mapped[int] = engagement_key(primary_key=True)
    last_session_on: Mapped[date | None]
    first_open_due_on: Mapped[date | None]


class WorkloadTally(db.Model):
    """The sessions a team member attended or wrote (each once) on one day of an
    engagement, and their minutes, for the workload report: a period of the
    whole country then reads these rows by date instead of every session's
    team (a quarter held ~70,000 sessions and ~110,000 attendances)."""

    __tablename__ = "workload_tallies"
    __table_args__ = (
        # A period of every engagement, read from the index alone (PostgreSQL's choice).
        sa.Index("ix_workload_tallies_held_on", "held_on", "engagement_id", "user_id", "sessions", "minutes"),
        # SQLite reads a period engagement by engagement along the primary key:
        # without a rowid, the rows are stored in that order.
        {"sqlite_with_rowid": False},
    )

    engagement_id: Mapped[int] = engagement_key(primary_key=True)
    held_on: Mapped[date] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sessions: Mapped[int]
    minutes: Mapped[int]


class IndicatorChange(db.Model):
    """How a company's six indicators moved since its support began (tracker/outcomes/services.py);
    one column per key of INDICATOR_KEYS.

    A company has a row only when it has two snapshots since its first
    engagement started; a None is an indicator that cannot be computed.
    """

    __tablename__ = "indicator_changes"

    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True)
    sales_growth: Mapped[float | None]
    operating_margin: Mapped[float | None]
    labour_productivity: Mapped[float | None]
    ebitda_debt_ratio: Mapped[float | None]
    working_capital_period: Mapped[float | None]
    equity_ratio: Mapped[float | None]


class RegionTally(db.Model):
    """One figure of the summary for a region, a fiscal year and a quarter (1-4) or the
    whole year (0), and how many of the region's companies it counts.

    Added up from the tallies above over the region's live engagements of live
    companies. A company belongs to one region, so regions add up exactly,
    company counts included: a summary of any set of regions reads a few rows
    per region. `measure` and `key` name the figure (tracker/summaries/tallies.py).
    """

    __tablename__ = "region_tallies"

    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)
    companies: Mapped[int]
