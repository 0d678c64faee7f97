# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""The floors: each measured page's data fetched with one hand-written SQL
statement and rendered with the product's own template and context shape.

A floor is what the page would cost if its data access were as cheap as one
query can make it; the benchmark reports page time / floor time. Floors are
served only by bench/app.py, never by the product.

Rules kept by every floor:
- one SQL statement for the page's data (the summaries: two, see there), with
  the same scope rules as tracker/permissions.py and `deleted_at IS NULL`
  written out (raw SQL gets no soft-delete filter);
- reference lists that do not change during a run (regions, industries,
  organisations; the pipeline's team-member choices) are read once per worker
  and kept: they are the same for every request, and a floor is a lower bound;
- the signed-in user is loaded by the product's own sign-in check, as on every
  page, so the floor's queries per request = 1 + that check.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from math import ceil
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, render_template

from tracker.extensions import db
from tracker.models import ActionState, Industry, Organisation, Region, Role
from tracker.pagination import PageNavigation

bp = Blueprint("floors", __name__, url_prefix="/_floor")

OPEN_ACTION_STATES = tuple(state.value for state in ActionState.open_states())
_CACHE: dict = {}


# ---- helpers -------------------------------------------------------------------


def fetch(sql: str, **params) -> list:
    """Run one hand-written statement; every floor's data comes through here."""
    return db.session.execute(sa.text(sql), params).all()


def as_date(value) -> date | None:
    """SQLite hands raw dates back as text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_utc(value) -> datetime | None:
    """Stored timestamps are naive UTC (text on SQLite)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value.replace(tzinfo=UTC)


def company_scope(user, alias: str = "c") -> str:
    """SQL condition: the company is in the user's regions (permissions.visible_companies)."""
    if user.role == Role.ADMIN or user.all_regions:
        return "1 = 1"
    return f"{alias}.region_id IN (SELECT ur.region_id FROM user_regions ur WHERE ur.user_id = :user_id)"


def case_scope(user, engagement: str = "e", company: str = "c") -> str:
    """SQL condition on an engagement joined to its company (permissions.case_engagements)."""
    if user.role == Role.ADMIN:
        return "1 = 1"
    if user.role == Role.MANAGER:
        return company_scope(user, company)
    if user.role == Role.CONSULTANT:
        return f"{engagement}.id IN (SELECT engagement_id FROM engagement_members WHERE user_id = :user_id)"
    return "1 = 0"


def cached(key, load):
    """Per-worker cache of a reference list."""
    if key not in _CACHE:
        _CACHE[key] = load()
    return _CACHE[key]


def regions() -> dict[int, Region]:
    def load():
        rows = fetch("SELECT id, code, prefecture, municipality, prefecture_en, municipality_en FROM regions")
        return {row.id: Region(id=row.id, code=row.code, prefecture=row.prefecture, municipality=row.municipality,
                               prefecture_en=row.prefecture_en, municipality_en=row.municipality_en) for row in rows}
    return cached("regions", load)


def regions_of(user) -> list[Region]:
    def load():
        ids = None
        if user.role != Role.ADMIN and not user.all_regions:
            ids = {row[0] for row in fetch("SELECT region_id FROM user_regions WHERE user_id = :u", u=user.id)}
        return sorted((r for r in regions().values() if ids is None or r.id in ids), key=lambda r: r.code)
    return cached(("regions_of", user.id), load)


def industries() -> dict[str, Industry]:
    def load():
        rows = fetch("SELECT code, name, name_en, major_code FROM industries ORDER BY code")
        return {row.code: Industry(code=row.code, name=row.name, name_en=row.name_en, major_code=row.major_code)
                for row in rows}
    return cached("industries", load)


def organisations() -> dict[int, Organisation]:
    def load():
        rows = fetch("SELECT id, name, name_en FROM organisations ORDER BY name")
        return {row.id: Organisation(id=row.id, name=row.name, name_en=row.name_en) for row in rows}
    return cached("organisations", load)


@dataclass
class Page(PageNavigation):
    """What the templates' pagination macro reads of a Flask-SQLAlchemy Pagination."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1) if self.total else 0


def render(template: str, **context):
    """The product's template; nothing the floor built may reach the database session."""
    with db.session.no_autoflush:
        return render_template(template, **context)


def named(name, **more):
    """Someone (or something) shown by name, with what else the template reads; None for no name."""
    return SimpleNamespace(name=name, **more) if name is not None else None


# ---- pages ---------------------------------------------------------------------

from bench import floor_more, floor_pages, floor_reports  # noqa: E402, F401  (the routes)
