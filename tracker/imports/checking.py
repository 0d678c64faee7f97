"""What an import would do: every row checked against the database, and the plan
of companies to create and to update.

The same `make_plan()` runs for the preview and again inside the import's
transaction, so the import acts on the database as it is then, not as it was
when the file was previewed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.extensions import db
from tracker.imports.progress import NullProgress, Progress
from tracker.imports.reading import Table
from tracker.imports.values import RowValues, clean_row
from tracker.models import Company, Industry, Region, User
from tracker.permissions import can_manage_accounts, regions_in_scope
from tracker.reference.municipalities import Municipality, find_municipality, normalise

# The fields an import sets. An empty cell leaves the recorded value as it is.
UPDATABLE = ("name", "kana", "region_id", "industry_code", "employees", "capital", "leader_selection_year",
             "representative")
CHUNK = 1000
SAMPLE_CHANGES = 20


@dataclass
class RowError:
    row: int
    column: str
    message: object


@dataclass
class Update:
    """An existing company the file changes: its values after the import, and what changed."""

    row: int
    company_id: int
    version: int
    corporate_number: str
    values: dict
    region_code: str | None
    changed: dict  # field → (before, after), as shown to people


@dataclass
class Plan:
    total: int = 0
    new: list[dict] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Regions an admin's import creates from the reference data: code → (municipality, number of rows).
    new_regions: dict[str, list] = field(default_factory=dict)
    # Ids of companies out of the user's regions whose corporate numbers the file holds (an audited refusal).
    out_of_scope: list[int] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})

    def report(self) -> dict:
        """What the preview page shows, as JSON-ready values."""
        return {
            "total": self.total, "new": len(self.new), "updated": len(self.updates), "unchanged": self.unchanged,
            "changes": [{"row": u.row, "corporate_number": u.corporate_number, "name": u.values["name"],
                         "changed": {name: list(pair) for name, pair in u.changed.items()}}
                        for u in self.updates[:SAMPLE_CHANGES]],
            "new_regions": [{"code": code, "name": f"{m.prefecture}{m.name}", "rows": rows}
                            for code, (m, rows) in sorted(self.new_regions.items())],
        }


class Context:
    """What the checks need from the database, loaded once per plan."""

    def __init__(self, user: User | None):
        regions = list(db.session.scalars(sa.select(Region)))
        self.by_code = {region.code: region for region in regions}
        self.by_name = {(normalise(r.prefecture), normalise(r.municipality)): r for r in regions}
        self.names = {region.id: f"{region.prefecture}{region.municipality}" for region in regions}
        # None: every region (an admin, or the command line without --as).
        self.scope = None if user is None or user.all_regions else set(
            db.session.scalars(regions_in_scope(user).with_only_columns(Region.id)))
        self.may_create_regions = user is None or can_manage_accounts(user)
        self.industries = set(db.session.scalars(sa.select(Industry.code)))

    def in_scope(self, region_id: int) -> bool:
        return self.scope is None or region_id in self.scope

    def place(self, row: RowValues) -> tuple[int | None, Municipality | None]:
        """The row's region id, or the municipality of a region still to be created."""
        prefecture, name = row.values["prefecture"], row.values["municipality"]
        if not prefecture or not name:
            return None, None
        region = self.by_name.get((prefecture, name))
        municipality = find_municipality(prefecture, name)
        if region is None and municipality is not None:
            region = self.by_code.get(municipality.code)
        if region is not None:
            if self.in_scope(region.id):
                return region.id, None
            row.error("municipality", _l("%(region)s is not one of your regions.", region=self.names[region.id]))
        elif municipality is None:
            row.error("municipality", _l("There is no municipality called %(municipality)s in %(prefecture)s.",
                                         municipality=name, prefecture=prefecture))
        elif self.may_create_regions:
            return None, municipality
        else:
            row.error("municipality", _l("%(region)s is not one of your regions.",
                                         region=f"{municipality.prefecture}{municipality.name}"))
        return None, None


def make_plan(table: Table, user: User | None, progress: Progress | None = None) -> Plan:
    """Check every row; sort the good ones into new, changed and unchanged companies."""
    progress = progress or NullProgress()
    context = Context(user)
    plan = Plan(total=len(table.rows))
    rows = []
    for number, cells in table.records():
        row = clean_row(number, cells, table.capital_unit)
        region_id, municipality = context.place(row)
        row.values["region_id"] = region_id
        row.values["region_code"] = municipality.code if municipality else None
        if municipality is not None:
            plan.new_regions.setdefault(municipality.code, [municipality, 0])[1] += 1
        code = row.values["industry_code"]
        if code and code not in context.industries:
            row.error("industry_code", _l("Unknown industry code %(code)s: use a JSIC major group letter (E) or "
                                          "middle group number (09).", code=code))
        rows.append(row)
    _repeated_numbers(rows)
    progress.start("checking", len(rows))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        existing = _existing(row.values["corporate_number"] for row in chunk if not row.errors)
        for row in chunk:
            _classify(row, existing.get(row.values["corporate_number"]), context, plan)
        progress.advance(len(chunk))
    plan.errors.sort(key=lambda error: error.row)
    plan.new_regions = {code: entry for code, entry in plan.new_regions.items() if entry[1] > 0}
    return plan


def _repeated_numbers(rows: list[RowValues]) -> None:
    """A corporate number on more than one row: each of those rows says where the others are."""
    where = defaultdict(list)
    for row in rows:
        if row.values["corporate_number"]:
            where[row.values["corporate_number"]].append(row)
    for repeated in where.values():
        if len(repeated) > 1:
            for row in repeated:
                others = ", ".join(str(other.number) for other in repeated if other is not row)
                row.error("corporate_number", _l("The same corporate number is also on row %(rows)s.", rows=others))


def _existing(numbers) -> dict:
    """The recorded companies with these corporate numbers, deleted ones included."""
    numbers = list(numbers)
    if not numbers:
        return {}
    columns = [Company.id, Company.version, Company.corporate_number, Company.deleted_at,
               *(getattr(Company, name) for name in UPDATABLE)]
    query = sa.select(*columns).where(Company.corporate_number.in_(numbers))
    return {row.corporate_number: row for row in db.session.execute(query.execution_options(include_deleted=True))}


def _classify(row: RowValues, company, context: Context, plan: Plan) -> None:
    if company is not None and not row.errors:
        if not context.in_scope(company.region_id):
            # Held out of the user's regions: only that the number cannot be used, not where (nor if deleted).
            row.error("corporate_number", _l("This corporate number cannot be used."))
            plan.out_of_scope.append(company.id)
        elif company.deleted_at is not None:
            row.error("corporate_number", _l("A deleted company has this corporate number: an administrator can "
                                             "restore it, then import again."))
    if row.errors:
        plan.errors.extend(RowError(row.number, column, message) for column, message in row.errors)
        if row.values["region_code"]:
            plan.new_regions[row.values["region_code"]][1] -= 1
        return
    if company is None:
        plan.new.append(row.values)
        return
    after = {name: company._mapping[name] if row.values[name] is None else row.values[name] for name in UPDATABLE}
    if row.values["region_code"]:  # moves to a region the import creates
        after["region_id"] = None
    changed = {name: (_shown(context, name, company._mapping[name]), _shown(context, name, after[name], row))
               for name in UPDATABLE if after[name] != company._mapping[name]}
    if not changed:
        plan.unchanged += 1
        return
    plan.updates.append(Update(row.number, company.id, company.version, company.corporate_number, after,
                               row.values["region_code"], changed))


def _shown(context: Context, name: str, value, row: RowValues | None = None):
    """A value as the preview shows it: regions by name."""
    if name == "region_id":
        if value is None and row is not None:
            return f"{row.values['prefecture']}{row.values['municipality']}"
        return context.names.get(value, "")
    return value
