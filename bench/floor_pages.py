# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""Floors of the home pages, the company list, the review queue and the pipeline board."""

import statistics
from datetime import timedelta
from types import SimpleNamespace

from flask import abort, current_app, request
from flask_login import current_user, login_required

from bench.floors import (
    OPEN_ACTION_STATES,
    Page,
    as_date,
    as_utc,
    bp,
    cached,
    case_scope,
    company_scope,
    fetch,
    industries,
    organisations,
    regions,
    regions_of,
    render,
)
from tracker.actions.services import local_today
from tracker.companies.queries import NO_ENGAGEMENT, CompanyFilters
from tracker.companies.text import digits_only, normalise_kana
from tracker.models import ClosingReason, Phase, Role, SessionKind
from tracker.pipeline.queries import (
    CARDS_PER_COLUMN,
    FLAGS_LISTED,
    LONG_IN_PHASE_FACTOR,
    LONG_IN_PHASE_MIN_PEERS,
    OPEN_PHASES,
    Flags,
    PipelineFilters,
    PipelineRow,
)
from tracker.pipeline.routes import card_words
from tracker.review.services import waiting_days

OPEN_IN = "(" + ", ".join(f"'{state}'" for state in OPEN_ACTION_STATES) + ")"
CURRENT_FIRST = "CASE WHEN e.phase = 'closed' THEN 1 ELSE 0 END, e.started_on DESC, e.id DESC"


@bp.get("/")
@login_required
def home():
    """The home page of each role (the consultant's My work has no floor: see README)."""
    params = {"user_id": current_user.id}
    if current_user.role == Role.ADMIN:
        rows = fetch("SELECT role, active, count(*) AS n FROM users GROUP BY role, active")
        counts = {(Role(row.role), bool(row.active)): row.n for row in rows}
        return render("home/admin.html", counts=counts, roles=list(Role))
    if current_user.role == Role.MANAGER:
        scope = case_scope(current_user)
        rows = fetch(
            f"""SELECT 'phase' AS kind, e.phase AS phase, count(*) AS n
                FROM engagements e JOIN companies c ON c.id = e.company_id
                WHERE e.deleted_at IS NULL AND {scope} GROUP BY e.phase
                UNION ALL
                SELECT 'waiting', NULL, count(*) FROM dialogue_sessions s
                JOIN engagements e ON e.id = s.engagement_id JOIN companies c ON c.id = e.company_id
                WHERE s.deleted_at IS NULL AND s.state = 'submitted' AND e.deleted_at IS NULL AND {scope}""",
            **params,
        )
        by_phase = dict.fromkeys(Phase, 0)
        waiting = 0
        for row in rows:
            if row.kind == "waiting":
                waiting = row.n
            else:
                by_phase[Phase(row.phase)] = row.n
        return render("home/manager.html", review_waiting=waiting, by_phase=by_phase)
    if current_user.role == Role.OFFICIAL:
        return render("home/official.html")
    abort(404)


def _industry_groups():
    values = list(industries().values())
    majors = [industry for industry in values if industry.major_code is None]
    return [(major, [i for i in values if i.major_code == major.code]) for major in majors]


@bp.get("/companies/")
@login_required
def companies():
    """The company list (team view) with the search box: one statement, the total by a window count."""
    if current_user.role == Role.OFFICIAL:
        abort(404)  # the officials' columns are not measured
    q = request.args.get("q", "").strip()[:100]
    per_page = current_app.config["PER_PAGE"]
    page_number = max(request.args.get("page", 1, type=int), 1)
    params = {"user_id": current_user.id, "limit": per_page, "offset": (page_number - 1) * per_page}
    search = ""
    if q:
        terms = ["lower(c.name) LIKE lower(:q)"]
        params["q"] = f"%{q}%"
        if reading := normalise_kana(q):
            terms.append("lower(c.kana) LIKE lower(:kana)")
            params["kana"] = f"%{reading}%"
        if (number := digits_only(q)).isdigit():
            terms.append("c.corporate_number LIKE :number")
            params["number"] = f"%{number}%"
        search = f"AND ({' OR '.join(terms)})"
    rows = fetch(
        f"""SELECT c.id, c.name, c.kana, c.employees, c.region_id, c.industry_code,
                   (SELECT e.phase FROM engagements e WHERE e.company_id = c.id AND e.deleted_at IS NULL
                    ORDER BY {CURRENT_FIRST} LIMIT 1) AS phase,
                   count(*) OVER () AS total
            FROM companies c
            WHERE c.deleted_at IS NULL AND {company_scope(current_user)} {search}
            ORDER BY CASE WHEN c.kana = '' THEN 1 ELSE 0 END, c.kana, c.name, c.id
            LIMIT :limit OFFSET :offset""",
        **params,
    )
    known_regions, known_industries = regions(), industries()
    items, current = [], {}
    for row in rows:
        items.append(SimpleNamespace(
            id=row.id, name=row.name, kana=row.kana, employees=row.employees,
            region=known_regions[row.region_id], industry=known_industries.get(row.industry_code),
        ))
        if row.phase:
            current[row.id] = SimpleNamespace(phase=Phase(row.phase))
    page = Page(items, rows[0].total if rows else 0, page_number, per_page)
    return render(
        "companies/index.html", page=page, filters=CompanyFilters(q=q), regions=regions_of(current_user),
        industry_groups=_industry_groups(), phases=list(Phase), no_engagement=NO_ENGAGEMENT, details=True,
        current=current, summaries={}, can_edit=True,
    )


@bp.get("/review/")
@login_required
def review():
    """The manager's queue of submitted sessions, longest waiting first."""
    per_page = current_app.config["PER_PAGE"]
    page_number = max(request.args.get("page", 1, type=int), 1)
    rows = fetch(
        f"""SELECT s.id, s.kind, s.held_on, s.submitted_at, e.id AS engagement_id, e.phase, e.theme,
                   c.name AS company_name, u.name AS author_name, count(*) OVER () AS total
            FROM dialogue_sessions s
            JOIN engagements e ON e.id = s.engagement_id JOIN companies c ON c.id = e.company_id
            LEFT JOIN users u ON u.id = s.author_id
            WHERE s.deleted_at IS NULL AND s.state = 'submitted' AND e.deleted_at IS NULL
              AND {case_scope(current_user)}
            ORDER BY s.submitted_at, s.id LIMIT :limit OFFSET :offset""",
        user_id=current_user.id, limit=per_page, offset=(page_number - 1) * per_page,
    )
    items = [
        SimpleNamespace(
            id=row.id, kind=SessionKind(row.kind), held_on=as_date(row.held_on), submitted_at=as_utc(row.submitted_at),
            author=SimpleNamespace(name=row.author_name) if row.author_name is not None else None,
            engagement=SimpleNamespace(id=row.engagement_id, phase=Phase(row.phase), theme=row.theme,
                                       company=SimpleNamespace(name=row.company_name)),
        )
        for row in rows
    ]
    page = Page(items, rows[0].total if rows else 0, page_number, per_page)
    return render("review/queue.html", page=page, today=local_today(), waiting_days=waiting_days)


@bp.get("/pipeline/")
@login_required
def pipeline():
    """The board (default filters): every engagement in scope with its figures, one statement;
    counts per phase, medians and attention flags computed from those rows."""
    today = local_today()
    rows = fetch(
        f"""SELECT e.id, e.phase, e.phase_since, e.started_on, e.closing_reason, e.version,
                   c.name AS company_name, c.region_id,
                   lu.name AS lead_name, lu.organisation_id AS lead_organisation_id,
                   CASE WHEN e.phase = 'closed' THEN NULL ELSE
                     (SELECT max(s.held_on) FROM dialogue_sessions s
                      WHERE s.engagement_id = e.id AND s.deleted_at IS NULL) END AS last_session_on,
                   CASE WHEN e.phase = 'closed' THEN 0 ELSE
                     (SELECT count(*) FROM actions a WHERE a.engagement_id = e.id AND a.deleted_at IS NULL
                      AND a.state IN {OPEN_IN}) END AS open_actions,
                   CASE WHEN e.phase = 'closed' THEN 0 ELSE
                     (SELECT count(*) FROM actions a WHERE a.engagement_id = e.id AND a.deleted_at IS NULL
                      AND a.state IN {OPEN_IN} AND a.due_on < :today) END AS overdue_actions
            FROM engagements e
            JOIN companies c ON c.id = e.company_id
            LEFT JOIN engagement_members m ON m.engagement_id = e.id AND m.is_lead = :yes
            LEFT JOIN users lu ON lu.id = m.user_id
            WHERE e.deleted_at IS NULL AND c.deleted_at IS NULL AND {case_scope(current_user)}
            ORDER BY e.phase_since, e.id""",
        user_id=current_user.id, today=today, yes=True,
    )
    known_regions, known_organisations = regions(), organisations()
    counts = dict.fromkeys(Phase, 0)
    board_rows, days_by_phase = [], {}
    for row in rows:
        phase = Phase(row.phase)
        counts[phase] += 1
        since = as_date(row.phase_since)
        if phase == Phase.CLOSED:
            continue
        days_by_phase.setdefault(phase, []).append((today - since).days)
        board_rows.append(PipelineRow(
            id=row.id, phase=phase, phase_since=since, started_on=as_date(row.started_on),
            closing_reason=ClosingReason(row.closing_reason) if row.closing_reason else None, version=row.version,
            company_name=row.company_name, region=known_regions[row.region_id], lead_name=row.lead_name,
            lead_organisation=known_organisations.get(row.lead_organisation_id),
            last_session_on=as_date(row.last_session_on), open_actions=row.open_actions or 0,
            overdue_actions=row.overdue_actions or 0, days_in_phase=(today - since).days,
        ))
    medians = {phase: statistics.median(days) for phase, days in days_by_phase.items()
               if len(days) >= LONG_IN_PHASE_MIN_PEERS}
    flags = _flags(board_rows, medians, today)
    # As the product's board: the first cards of each column (rows come longest in phase
    # first), and the flag lists as ids over the rows.
    columns = [phase for phase in Phase if phase != Phase.CLOSED]
    cards = {phase: [row for row in board_rows if row.phase == phase][:CARDS_PER_COLUMN] for phase in columns}
    flags.rows = {row.id: row for row in board_rows}
    for kind in ("stalled", "overdue", "long_in_phase"):
        setattr(flags, kind, [row.id for row in getattr(flags, kind)])
    return render(
        "pipeline/board.html", filters=PipelineFilters(), cards=cards, flags=flags, counts=counts,
        per_column=CARDS_PER_COLUMN, flags_listed=FLAGS_LISTED,
        columns=columns, phases=list(Phase), open_phases=OPEN_PHASES,
        factor=LONG_IN_PHASE_FACTOR, min_peers=LONG_IN_PHASE_MIN_PEERS, today=today,
        can_move=current_user.role in (Role.ADMIN, Role.MANAGER),
        can_write=current_user.role in (Role.MANAGER, Role.CONSULTANT), words=card_words(),
        board_url="/pipeline/", regions=regions_of(current_user), organisations=list(organisations().values()),
        consultants=_consultants(), industries=list(industries().values()),
    )


def _flags(rows: list[PipelineRow], medians: dict, today) -> Flags:
    """The same rules as pipeline.queries.overview, on rows already in memory."""
    stalled_after = current_app.config["STALLED_AFTER_DAYS"]
    stalled_before = today - timedelta(days=stalled_after)
    flags = Flags([], [], [], medians, stalled_after)
    for row in rows:
        if (row.last_session_on or row.started_on) <= stalled_before:
            row.flags.append("stalled")
            flags.stalled.append(row)
        if row.overdue_actions:
            row.flags.append("overdue")
            flags.overdue.append(row)
        median = medians.get(row.phase)
        if median is not None and row.days_in_phase > LONG_IN_PHASE_FACTOR * median:
            row.flags.append("long_in_phase")
            flags.long_in_phase.append(row)
    return flags


def _consultants() -> list:
    """The team-member filter's choices (per worker and user, like the other reference lists)."""
    def load():
        rows = fetch(
            f"""SELECT u.id, u.name FROM users u WHERE u.id IN (
                  SELECT em2.user_id FROM engagement_members em2 JOIN engagements e ON e.id = em2.engagement_id
                  JOIN companies c ON c.id = e.company_id WHERE {case_scope(current_user)})
                ORDER BY u.name, u.id""",
            user_id=current_user.id,
        )
        return [SimpleNamespace(id=row.id, name=row.name) for row in rows]
    return cached(("consultants", current_user.id), load)
