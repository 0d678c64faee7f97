"""`flask demo generate`: a large, internally consistent synthetic data set, for
trying the product at scale and for benchmarks.

Plan first (tracker/demo/generate_plan.py), then write: reference rows and the
bench accounts, then company after company (tracker/demo/generate_cases.py),
streamed to the database in chunks by a BulkWriter (tracker/demo/generate_bulk.py).
Only an empty case database is filled: see `refusal()`.
"""

import random
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from tracker.audit.trail import record_event
from tracker.auth.passwords import hash_password
from tracker.database import utcnow
from tracker.demo.cases import load_measures
from tracker.demo.data import DEMO_TOTP_SECRET
from tracker.demo.generate_bulk import BulkWriter, Ids, analyse, reset_sequences
from tracker.demo.generate_cases import CaseMaker
from tracker.demo.generate_plan import (
    RegionPlan,
    assign_sessions,
    bureau_of,
    choose_regions,
    group_regions,
    plan_companies,
    staff_teams,
)
from tracker.demo.generate_text import person_name
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import Company, Industry, Organisation, Region, SupportMeasure, User
from tracker.summaries.tallies import rebuild as rebuild_tallies

DEFAULT_PASSWORD = "bansou-bench-2026"  # noqa: S105 (a documented demo password, like DEMO_PASSWORD)  # nosec B105
EMAIL = "bench-{role}@example.jp"
CHUNK_ROWS = 50_000

COLUMNS = {
    "regions": ("id", "code", "prefecture", "municipality", "prefecture_en", "municipality_en", "pilot_year"),
    "organisations": ("id", "name", "name_en", "kind", "region_id"),
    "users": ("id", "email", "name", "organisation_id", "role", "all_regions", "language", "active",
              "password_hash", "password_changed_at", "created_at", "last_sign_in_at", "totp_secret"),
    "user_regions": ("user_id", "region_id"),
    "companies": ("id", "name", "kana", "corporate_number", "region_id", "address", "industry_code", "employees",
                  "capital", "founded_year", "leader_selection_year", "representative", "created_at", "updated_at",
                  "version", "deleted_at", "deleted_by_id"),
    "contacts": ("id", "company_id", "name", "title", "side", "email", "phone", "created_at", "updated_at"),
    "outcome_snapshots": ("id", "company_id", "fiscal_year", "sales", "previous_sales", "operating_profit",
                          "depreciation", "interest_bearing_debt", "cash_and_deposits", "receivables", "inventory",
                          "payables", "net_assets", "total_assets", "employees", "capital_investment",
                          "created_by_id", "created_at", "updated_at", "version"),
    "engagements": ("id", "company_id", "theme", "referral_source", "referral_note", "started_on", "phase",
                    "phase_since", "closing_reason", "created_by_id", "created_at", "updated_at", "version",
                    "deleted_at", "deleted_by_id"),
    "engagement_members": ("engagement_id", "user_id", "is_lead"),
    "phase_changes": ("id", "engagement_id", "from_phase", "to_phase", "changed_on", "reason", "changed_by_id",
                      "recorded_at"),
    "dialogue_sessions": ("id", "engagement_id", "held_on", "duration_minutes", "format", "kind", "notes",
                          "reflection", "next_steps", "state", "author_id", "submitted_at", "reviewed_at",
                          "reviewed_by_id", "review_comment", "created_at", "updated_at", "version", "deleted_at",
                          "deleted_by_id"),
    "session_contacts": ("session_id", "contact_id"),
    "session_team": ("session_id", "user_id"),
    "statements": ("id", "session_id", "position", "speaker_id", "text"),
    "insights": ("id", "engagement_id", "text", "holder", "category", "barrier", "state", "is_essential",
                 "created_by_id", "created_at", "updated_at", "version", "deleted_at", "deleted_by_id"),
    "insight_sessions": ("insight_id", "session_id"),
    "insight_state_changes": ("id", "insight_id", "from_state", "to_state", "changed_at", "changed_by_id",
                              "session_id"),
    "referrals": ("id", "engagement_id", "measure_id", "referred_on", "note", "outcome", "outcome_note",
                  "created_by_id", "created_at", "updated_at", "version"),
    "actions": ("id", "engagement_id", "title", "description", "owner_contact_id", "owner_user_id", "due_on",
                "state", "done_on", "session_id", "created_by_id", "created_at", "updated_at", "version",
                "deleted_at", "deleted_by_id"),
    "action_updates": ("id", "action_id", "noted_on", "text", "state", "author_id", "created_at"),
    "action_insights": ("action_id", "insight_id"),
    "action_referrals": ("action_id", "referral_id"),
}


class GenerateRefused(Exception):
    """The database is not one the generator may fill."""


@dataclass
class Account:
    email: str
    role: str
    note: str = ""


@dataclass
class Result:
    rows: dict[str, int] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)


def refusal() -> str | None:
    """Why the generator must not touch this database, or None.

    It fills only a database without companies (deleted ones included): the
    generated records must never mix with anybody's real ones, and a second run
    would double them. Regions, organisations and accounts may exist; the bench
    accounts must not, so that their known password never replaces a real one.
    """
    companies = db.session.execute(sa.select(sa.func.count()).select_from(Company.__table__)).scalar()
    if companies:
        return f"The database holds {companies} companies: demo data is generated only into a database without any."
    taken = db.session.scalar(sa.select(User.email).where(User.email.like(EMAIL.format(role="%"))).limit(1))
    if taken:
        return f"The account {taken} exists already: demo data is generated only once into a database."
    return None


def default_regions(companies: int) -> int:
    """About 40 companies a region, at least 3 regions and at most 300."""
    return max(3, min(300, companies // 40))


def generate(companies: int, sessions: int, *, seed: int = 1, password: str = DEFAULT_PASSWORD,
             regions: int | None = None, today: date | None = None, progress=None) -> Result:
    """Fill the (case-empty) database; `progress(n)` is told of each n companies + sessions written."""
    problem = refusal()
    if problem:
        raise GenerateRefused(problem)
    today = today or local_today()
    rng = random.Random(seed)  # noqa: S311 (reproducible fake data, not secrets)  # nosec B311
    load_measures()
    db.session.commit()
    measures = list(db.session.scalars(sa.select(SupportMeasure.id).order_by(SupportMeasure.id)))
    industries = set(db.session.scalars(sa.select(Industry.code)))
    db.session.commit()  # hold no locks while the writer's own connection works
    writer = BulkWriter(COLUMNS)
    try:
        ids = Ids(writer)
        region_plans = choose_regions(rng, regions or default_regions(companies))
        groups = group_regions(region_plans)
        plans, engagements = plan_companies(rng, region_plans, companies, ids, today)
        assign_sessions(engagements, sessions, today)
        managers, consultants = staff_teams(rng, groups, engagements, ids)
        result = Result()
        _write_regions(writer, ids, region_plans)
        organisations = _write_organisations(writer, ids, region_plans)
        result.accounts = _write_accounts(writer, ids, rng, password, region_plans, groups, managers, consultants,
                                          organisations, engagements)
        db.session.close()  # from here on only the writer's connection writes
        writer.flush()
        all_consultants = {user for team in consultants.values() for user in team}
        maker = CaseMaker(writer, ids, seed, today, utcnow(), measures, industries, all_consultants)
        reported = 0
        for number, plan in enumerate(plans):
            maker.add(number, plan)
            if writer.buffered >= CHUNK_ROWS or number == len(plans) - 1:
                writer.flush()
                if progress:
                    progress(number + 1 + maker.sessions - reported)
                    reported = number + 1 + maker.sessions
    finally:
        writer.close()
    reset_sequences(table for table, columns in COLUMNS.items() if columns[0] == "id")
    rebuild_tallies(db.session.connection())  # the bulk load bypassed the ORM's flush listener
    record_event("demo_generate", detail=f"companies={companies} sessions={sessions} seed={seed}")
    db.session.commit()
    analyse()
    result.rows = dict(writer.written)
    return result


def _write_regions(writer: BulkWriter, ids: Ids, regions: list[RegionPlan]) -> None:
    """Regions that exist already (by JIS code) are used as they are."""
    existing = dict(db.session.execute(sa.select(Region.code, Region.id)).all())
    for region in regions:
        region.id = existing.get(region.code) or ids.next("regions")
        if region.code not in existing:
            writer.add("regions", (region.id, region.code, region.prefecture, region.municipality,
                                   region.prefecture_en, region.municipality_en, region.pilot_year))


def _write_organisations(writer: BulkWriter, ids: Ids, regions: list[RegionPlan]) -> dict[str, int]:
    """Bureaus, a support centre and a bank per prefecture, each municipality; by name, existing ones reused."""
    ids_by_name = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
    wanted = {}
    for region in regions:
        prefecture, short = region.prefecture, _short(region.prefecture)
        wanted[bureau_of(region.code)[0]] = (bureau_of(region.code)[1], "bureau", None)
        wanted[f"{prefecture}産業振興センター（架空）"] = (
            f"{region.prefecture_en} Industry Promotion Centre (fictional)", "support_organisation", None)
        wanted[f"{short}みらい銀行（架空）"] = (f"{region.prefecture_en} Mirai Bank (fictional)",
                                           "financial_institution", None)
        wanted[f"{prefecture}{region.municipality}"] = (
            f"{region.municipality_en}, {region.prefecture_en}", "municipality", region.id)
    wanted["中小企業診断士 伴走研究会（架空）"] = ("SME Consultants' Companion Support Circle (fictional)", "expert", None)
    for name, (name_en, kind, region_id) in wanted.items():
        if name not in ids_by_name:
            ids_by_name[name] = ids.next("organisations")
            writer.add("organisations", (ids_by_name[name], name, name_en, kind, region_id))
    return ids_by_name


def _write_accounts(writer, ids, rng, password, regions, groups, managers, consultants, organisations,
                    engagements) -> list[Account]:
    """The bench accounts, the typical ones numbered 1: the region of median size
    (its official), its group (the manager) and that group's consultant of median load."""
    password_hash, now = hash_password(password), utcnow()
    typical_region = sorted(regions, key=lambda region: region.companies)[len(regions) // 2]
    typical = typical_region.group
    group_order = [typical, *(number for number in range(len(groups)) if number != typical)]
    load = {}
    for engagement in engagements:
        for user in engagement.members:
            load[user] = load.get(user, 0) + 1
    accounts = []

    def add(user_id, role, number, name, organisation, scope, note=""):
        email = EMAIL.format(role=f"{role}-{number}" if number else role)
        writer.add("users", (user_id, email, name, organisations[organisation], role, scope is None, "ja", True,
                             password_hash, now, now, None,
                             DEMO_TOTP_SECRET if role in ("admin", "manager") else None))
        for region in scope or ():
            writer.add("user_regions", (user_id, region.id))
        accounts.append(Account(email, role, note))

    add(ids.next("users"), "admin", 0, person_name(rng), bureau_of(regions[0].code)[0], None, "all regions")
    consultant_number = 0
    for manager_number, group_number in enumerate(group_order, start=1):
        group = groups[group_number]
        names = "、".join(f"{region.prefecture}{region.municipality}" for region in group)
        add(managers[group_number], "manager", manager_number, person_name(rng), bureau_of(group[0].code)[0], group,
            f"{names}: {sum(region.companies for region in group)} companies")
        team = consultants[group_number]
        median = team[len(team) // 2]
        for user in [median, *(user for user in team if user != median)]:
            consultant_number += 1
            region = rng.choice(group)
            organisation = rng.choice([f"{region.prefecture}産業振興センター（架空）"] * 2 + [
                f"{_short(region.prefecture)}みらい銀行（架空）",
                "中小企業診断士 伴走研究会（架空）", f"{region.prefecture}{region.municipality}"])
            add(user, "consultant", consultant_number, person_name(rng), organisation, group,
                f"{names}: on {load.get(user, 0)} engagements")
    region_order = [typical_region, *(region for region in regions if region is not typical_region)]
    for number, region in enumerate(region_order, start=1):
        add(ids.next("users"), "official", number, person_name(rng), f"{region.prefecture}{region.municipality}",
            [region], f"{region.prefecture}{region.municipality}: {region.companies} companies")
    return accounts



def _short(prefecture: str) -> str:
    """新潟県 → 新潟, 東京都 → 東京, 北海道 stays."""
    return prefecture[:-1] if prefecture[-1] in "都府県" else prefecture
