# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""Floors of the consultant's My work, the company profile and the notes search."""

from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from types import SimpleNamespace

from flask import abort, current_app, request, url_for
from flask_login import current_user, login_required

from bench.floors import (
    OPEN_ACTION_STATES,
    as_date,
    as_utc,
    bp,
    case_scope,
    company_scope,
    fetch,
    industries,
    named,
    organisations,
    regions,
    render,
)
from tracker.actions.services import local_today
from tracker.extensions import db
from tracker.home.routes import DUE_SOON_DAYS, MY_WORK_LISTED, UNFINISHED
from tracker.models import Action, ActionState, ContactSide, Phase, Role, SessionKind, SessionState
from tracker.permissions import (
    can_delete_company,
    can_edit_companies,
    can_edit_contacts,
    can_manage_engagements,
    can_search_notes,
    can_see_case_details,
    can_see_contacts,
)
from tracker.search.highlight import snippet, term_pattern
from tracker.search.queries import CAP, INDEX_SHARE, KINDS, MAX_QUERY_LENGTH, SCAN_LIMIT, parse_query
from tracker.search.results import KIND_LABELS, SESSION_FIELDS, Result, ResultPage
from tracker.search.sources import fts_match, like_pattern

OPEN_IN = "(" + ", ".join(f"'{state}'" for state in OPEN_ACTION_STATES) + ")"
UNFINISHED_IN = "(" + ", ".join(f"'{state.value}'" for state in UNFINISHED) + ")"
CURRENT_FIRST = "CASE WHEN e.phase = 'closed' THEN 1 ELSE 0 END, e.started_on DESC, e.id DESC"


# ---- My work (the consultant's home) -------------------------------------------

# Four lists in one UNION ALL: the first MY_WORK_LISTED actions overdue and due soon,
# the user's unfinished session records, each with the count of all of them (a window
# count, taken before the LIMIT), and the user's engagements. One row shape:
# kind, id, day, state, title, company, then what each kind adds.
MY_WORK_ACTIONS = """
SELECT * FROM (
  SELECT '{kind}' AS kind, a.id, a.due_on AS day, a.state, a.title, c.name AS company_name, c.kana AS company_kana,
         a.owner_user_id AS number, oc.name AS t1, oc.title AS t2, ou.name AS t3, count(*) OVER () AS total
    FROM actions a JOIN engagements e ON e.id = a.engagement_id JOIN companies c ON c.id = e.company_id
    LEFT JOIN contacts oc ON oc.id = a.owner_contact_id LEFT JOIN users ou ON ou.id = a.owner_user_id
   WHERE a.deleted_at IS NULL AND e.deleted_at IS NULL AND {scope}
     AND a.state IN {open_in} AND a.due_on IS NOT NULL AND {due}
   ORDER BY a.due_on, a.id LIMIT {listed}) {kind}
"""
MY_WORK = """
{overdue}
UNION ALL
{due_soon}
UNION ALL
SELECT * FROM (
  SELECT 'draft' AS kind, s.id, s.held_on, s.state, NULL, c.name, c.kana, CAST(NULL AS INTEGER),
         s.review_comment, s.kind, NULL, count(*) OVER ()
    FROM dialogue_sessions s JOIN engagements e ON e.id = s.engagement_id JOIN companies c ON c.id = e.company_id
   WHERE s.deleted_at IS NULL AND e.deleted_at IS NULL AND {scope}
     AND s.author_id = :user_id AND s.state IN {unfinished}
   ORDER BY CASE WHEN s.state = 'returned' THEN 0 ELSE 1 END, s.held_on DESC, s.id DESC LIMIT {listed}) drafts
UNION ALL
SELECT 'engagement', e.id, NULL, e.phase, NULL, c.name, c.kana, NULL, NULL, NULL, NULL, 0
  FROM engagements e JOIN companies c ON c.id = e.company_id
 WHERE e.deleted_at IS NULL AND {scope}
"""


@dataclass
class WorkAction:
    """What My work shows of an action; `is_overdue` is the model's own rule."""

    id: int
    title: str
    state: ActionState
    due_on: object
    owner_user_id: int | None
    owner_contact: object
    owner_user: object
    engagement: object

    is_overdue = Action.is_overdue


def _work_item(row):
    """One row of MY_WORK as the object its list shows."""
    company = SimpleNamespace(name=row.company_name, kana=row.company_kana)
    if row.kind == "engagement":
        return SimpleNamespace(id=row.id, phase=Phase(row.state), company=company)
    engagement = SimpleNamespace(company=company)
    if row.kind == "draft":
        return SimpleNamespace(id=row.id, held_on=as_date(row.day), state=SessionState(row.state),
                               review_comment=row.t1, kind=SessionKind(row.t2), engagement=engagement)
    return WorkAction(id=row.id, title=row.title, state=ActionState(row.state), due_on=as_date(row.day),
                      owner_user_id=row.number, owner_contact=named(row.t1, title=row.t2), owner_user=named(row.t3),
                      engagement=engagement)


@bp.get("/my-work")
@login_required
def my_work():
    """The consultant's home (tracker/home/routes.py::my_work): four lists, one statement."""
    if current_user.role != Role.CONSULTANT:
        abort(404)
    today = local_today()
    scope = case_scope(current_user)
    rows = fetch(
        MY_WORK.format(
            overdue=MY_WORK_ACTIONS.format(kind="overdue", due="a.due_on < :today", scope=scope, open_in=OPEN_IN,
                                           listed=MY_WORK_LISTED),
            due_soon=MY_WORK_ACTIONS.format(kind="due_soon", due="a.due_on BETWEEN :today AND :soon", scope=scope,
                                            open_in=OPEN_IN, listed=MY_WORK_LISTED),
            scope=scope, unfinished=UNFINISHED_IN, listed=MY_WORK_LISTED,
        ),
        user_id=current_user.id, today=today, soon=today + timedelta(days=DUE_SOON_DAYS),
    )
    lists = {kind: [] for kind in ("overdue", "due_soon", "draft", "engagement")}
    totals = dict.fromkeys(lists, 0)
    for row in rows:  # each list's rows come in its own order
        lists[row.kind].append(_work_item(row))
        totals[row.kind] = row.total
    engagements = sorted(lists["engagement"], key=lambda case: case.id)
    return render(
        "home/consultant.html", today=today, overdue=lists["overdue"], due_soon=lists["due_soon"],
        overdue_count=totals["overdue"], due_soon_count=totals["due_soon"], drafts=lists["draft"],
        drafts_count=totals["draft"], listed=MY_WORK_LISTED,
        engagements=sorted(engagements, key=lambda case: case.company.kana or case.company.name),
        due_soon_days=DUE_SOON_DAYS,
    )


# ---- company profile -------------------------------------------------------------

# The company with its sessions' count and last day, its contacts, and its engagements
# (current first) with their lead and whether the user may open them: one UNION ALL.
# One row shape: kind, id, then texts, numbers and days by position.
COMPANY = """
SELECT 'company' AS kind, c.id, c.name AS t1, c.kana AS t2, c.corporate_number AS t3, c.address AS t4,
       c.representative AS t5, c.industry_code AS t6, c.region_id AS n1, c.employees AS n2, c.capital AS n3,
       c.founded_year AS n4, c.leader_selection_year AS n5, held.sessions AS n6, held.last_on AS day, 0 AS position
  FROM companies c CROSS JOIN (
       SELECT count(s.id) AS sessions, max(s.held_on) AS last_on
         FROM dialogue_sessions s JOIN engagements se ON se.id = s.engagement_id
        WHERE se.company_id = :company_id AND s.deleted_at IS NULL AND se.deleted_at IS NULL) held
 WHERE c.id = :company_id AND c.deleted_at IS NULL AND {company_scope}
{contacts}
UNION ALL
SELECT 'engagement', e.id, e.phase, lu.name, NULL, NULL, NULL, NULL, lu.organisation_id,
       CASE WHEN {case_scope} THEN 1 ELSE 0 END, NULL, NULL, NULL, NULL, e.started_on,
       row_number() OVER (ORDER BY {current_first})
  FROM engagements e JOIN companies c ON c.id = e.company_id
  LEFT JOIN engagement_members m ON m.engagement_id = e.id AND m.is_lead = :yes LEFT JOIN users lu ON lu.id = m.user_id
 WHERE e.company_id = :company_id AND e.deleted_at IS NULL AND c.deleted_at IS NULL AND {company_scope}
"""
CONTACTS = """
UNION ALL
SELECT 'contact', ct.id, ct.name, ct.title, ct.side, ct.email, ct.phone, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, 0
  FROM contacts ct JOIN companies c ON c.id = ct.company_id
 WHERE ct.company_id = :company_id AND c.deleted_at IS NULL AND {company_scope}"""


def _profile_company(row, contacts):
    """The company row as the profile's template reads it (region and industry from the reference lists)."""
    return SimpleNamespace(
        id=row.id, name=row.t1, kana=row.t2, corporate_number=row.t3, address=row.t4, representative=row.t5,
        industry=industries().get(row.t6), region_id=row.n1, region=regions()[row.n1], employees=row.n2,
        capital=row.n3, founded_year=row.n4, leader_selection_year=row.n5, contacts=contacts,
    )


def _profile_engagement(row):
    lead = None
    if row.t2 is not None:
        lead = SimpleNamespace(name=row.t2, organisation=organisations().get(row.n1))
    return SimpleNamespace(id=row.id, phase=Phase(row.t1), started_on=as_date(row.day), lead=lead, readable=row.n2)


@bp.get("/companies/<int:company_id>")
@login_required
def company(company_id: int):
    """A company's profile (tracker/companies/routes.py::show): one statement. The permission
    checks are the product's own functions, as the page calls them (they read the user's regions)."""
    details = can_see_case_details(current_user)
    sql = COMPANY.format(
        company_scope=company_scope(current_user), case_scope=case_scope(current_user), current_first=CURRENT_FIRST,
        contacts=CONTACTS.format(company_scope=company_scope(current_user)) if details else "",
    )
    rows = fetch(sql, company_id=company_id, user_id=current_user.id, yes=True)
    head = next((row for row in rows if row.kind == "company"), None)
    if head is None:
        abort(404)
    contacts = sorted((SimpleNamespace(id=row.id, name=row.t1, title=row.t2, side=ContactSide(row.t3), email=row.t4,
                                       phone=row.t5) for row in rows if row.kind == "contact"), key=lambda c: c.id)
    company = _profile_company(head, contacts)
    engagements = [_profile_engagement(row) for row in sorted(rows, key=lambda row: row.position)
                   if row.kind == "engagement"]
    current = engagements[0] if engagements else None
    lead = current.lead if current else None
    summary = SimpleNamespace(
        phase=current.phase if current else None,
        lead_organisation=lead.organisation.display_name if lead and lead.organisation else None,
        session_count=head.n6, last_session_on=as_date(head.day),
    )
    major = industries().get(company.industry.major_code) if company.industry and company.industry.major_code else None
    return render(
        "companies/show.html", company=company, major=major, summary=summary, details=details,
        engagements=engagements if details else [],
        readable={case.id for case in engagements if case.readable} if details else set(),
        can_edit=can_edit_companies(current_user), can_open_engagement=can_manage_engagements(current_user),
        can_delete=can_delete_company(current_user, company),
        show_contacts=can_see_contacts(current_user, company),
        can_edit_contacts=can_edit_contacts(current_user, company),
    )


# ---- notes search ----------------------------------------------------------------

# What each kind of record is searched in: alias, text columns, FTS5 table (SQLite).
SEARCHED = {
    "session": ("s", ("notes", "reflection", "next_steps"), "session_fts"),
    "statement": ("st", ("text",), "statement_fts"),
    "insight": ("i", ("text",), "insight_fts"),
}
# The matches of each kind, newest first, at most CAP + 1 (as tracker.search.sources returns them).
HITS = {
    "session": """SELECT s.id, s.held_on AS sortval FROM dialogue_sessions s
      WHERE {live} {since} {text} ORDER BY s.held_on DESC, s.id DESC LIMIT {limit}""",
    "statement": """SELECT st.id, s.held_on AS sortval
      FROM statements st JOIN dialogue_sessions s ON s.id = st.session_id
      WHERE {live} {since} {text} ORDER BY s.held_on DESC, st.id DESC LIMIT {limit}""",
    "insight": """SELECT i.id, i.created_at AS sortval FROM insights i
      WHERE {live} {since} {text} ORDER BY i.created_at DESC, i.id DESC LIMIT {limit}""",
}
# PostgreSQL, words no trigram index serves: the scope read first, behind OFFSET 0, and the
# text checked on its rows; statements session by session (as tracker.search.sources does:
# its planner would otherwise reach for a trigram index, or read every statement).
HITS_SCOPE_FIRST = {
    "session": """SELECT r.id, r.sortval FROM (
        SELECT s.id, s.held_on AS sortval, s.notes, s.reflection, s.next_steps FROM dialogue_sessions s
         WHERE {live} {since} OFFSET 0) r
      WHERE {text} ORDER BY r.sortval DESC, r.id DESC LIMIT {limit}""",
    "statement": """SELECT m.id, s.held_on AS sortval FROM dialogue_sessions s
      JOIN LATERAL (SELECT st.id FROM statements st WHERE st.session_id = s.id AND {text} OFFSET 0) m ON true
      WHERE {live} {since} ORDER BY s.held_on DESC, m.id DESC LIMIT {limit}""",
    "insight": """SELECT r.id, r.sortval FROM (
        SELECT i.id, i.created_at AS sortval, i.text FROM insights i WHERE {live} {since} OFFSET 0) r
      WHERE {text} ORDER BY r.sortval DESC, r.id DESC LIMIT {limit}""",
}
# Words of one or two characters in a scope of more than SCAN_LIMIT sessions: only the records
# since the day of its SCAN_LIMIT-th newest live session are checked (tracker.search.queries).
SINCE = """since AS (SELECT CASE WHEN (SELECT count(*) FROM (
      SELECT 1 FROM dialogue_sessions s WHERE s.engagement_id IN (SELECT id FROM scope) LIMIT {over}) n) > {limit}
    THEN (SELECT s.held_on FROM dialogue_sessions s WHERE {live} ORDER BY s.held_on DESC LIMIT 1 OFFSET {last})
    END AS day),"""
# SQLite, words of 3+ characters: for each kind, whether its FTS5 table holds fewer matches
# than INDEX_SHARE of the records in scope (each counted only that far), in which case the
# search starts from the index, else from the scope (tracker.search.queries.index_first).
INDEX_FIRST = """sizes AS (SELECT
    CAST((SELECT count(*) FROM dialogue_sessions s WHERE s.engagement_id IN (SELECT id FROM scope)) * {share}
         AS INTEGER) AS sessions,
    CAST((SELECT count(*) FROM insights i WHERE i.engagement_id IN (SELECT id FROM scope)) * {share}
         AS INTEGER) AS insights),
index_first AS (SELECT {choices}),"""
INDEX_CHOICE = """(SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH :match
      LIMIT (SELECT {size} FROM sizes)) n) < (SELECT {size} FROM sizes) AS {kind}"""
SEARCH = """
WITH scope AS (
  SELECT e.id FROM engagements e JOIN companies c ON c.id = e.company_id
   WHERE e.deleted_at IS NULL AND c.deleted_at IS NULL AND {scope}),
{plan}
session_hits AS ({session}),
statement_hits AS ({statement}),
insight_hits AS ({insight}),
hits AS (SELECT 'session' AS kind, id, sortval, 0 AS kind_order FROM session_hits
         UNION ALL SELECT 'statement', id, sortval, 1 FROM statement_hits
         UNION ALL SELECT 'insight', id, sortval, 2 FROM insight_hits),
capped AS (SELECT kind, id, kind_order, {day} AS day,
                  row_number() OVER (PARTITION BY kind ORDER BY sortval DESC, id DESC) AS rn FROM hits),
ordered AS (SELECT kind, id, row_number() OVER (ORDER BY day DESC, id DESC, kind_order) AS position
              FROM capped WHERE rn <= :cap AND kind IN ({kinds})),
page AS (SELECT kind, id, position FROM ordered WHERE position > :skip AND position <= :skip + :per_page
                                                   AND position <= :cap)
SELECT p.kind, p.id, p.position AS n, COALESCE(s.held_on, ss.held_on) AS held_on, i.created_at,
       COALESCE(s.notes, st.text, i.text) AS t1, s.reflection AS t2, s.next_steps AS t3, st.session_id,
       e.theme, c.name AS company_name
  FROM page p
  LEFT JOIN dialogue_sessions s ON p.kind = 'session' AND s.id = p.id
  LEFT JOIN statements st ON p.kind = 'statement' AND st.id = p.id
  LEFT JOIN dialogue_sessions ss ON ss.id = st.session_id
  LEFT JOIN insights i ON p.kind = 'insight' AND i.id = p.id
  JOIN engagements e ON e.id = COALESCE(s.engagement_id, ss.engagement_id, i.engagement_id)
  JOIN companies c ON c.id = e.company_id
UNION ALL
SELECT 'count', NULL, count(*), NULL, NULL, kind, NULL, NULL, NULL, NULL, NULL FROM hits GROUP BY kind
UNION ALL
SELECT 'ordered', NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM ordered
{since_row}
"""


def _contains(column: str, number: int, term: str, dialect: str) -> str:
    """`term` anywhere in the column (tracker.search.sources.contains): ILIKE only for a
    term with cased letters on PostgreSQL, LIKE otherwise."""
    cased = term.lower() != term or term.upper() != term
    operator = "ILIKE" if dialect == "postgresql" and cased else "LIKE"
    return f"{column} {operator} :term{number} ESCAPE '\\'"


def _all_terms(alias: str, columns, terms: dict, dialect: str) -> str:
    """Each term (by its parameter number) in one of the columns at least."""
    return " AND ".join(
        "(" + " OR ".join(_contains(f"{alias}.{column}", number, term, dialect) for column in columns) + ")"
        for number, term in terms.items()
    )


def _live(kind: str, use_index: bool = True, only_if: str = "") -> str:
    """Live records of the user's live engagements. `use_index=False` keeps SQLite off the
    scope's index (`+ 0`), when the search starts from the FTS matches; `only_if`: see _hits."""
    alias = "i" if kind == "insight" else "s"
    engagement = f"{alias}.engagement_id" if use_index else f"{alias}.engagement_id + 0"
    return f"{alias}.deleted_at IS NULL AND {engagement} IN (SELECT id FROM scope{only_if})"


def _since(kind: str, dialect: str) -> str:
    """The bounded scan's first day (none: every record)."""
    first = "DATE '0001-01-01'" if dialect == "postgresql" else "'0001-01-01'"
    column = "i.created_at" if kind == "insight" else "s.held_on"
    return f"AND {column} >= (SELECT COALESCE(day, {first}) FROM since)"


def _hits(kind: str, query, dialect: str, bounded: bool) -> str:
    """The statement finding one kind's matches with the product's index strategy: words
    of 3+ characters use the trigram index (PostgreSQL: pg_trgm, its planner ANDing it with
    the scope; SQLite: the FTS5 table when it holds few enough matches, see INDEX_FIRST),
    shorter words have every record in scope checked (PostgreSQL: scope first)."""
    alias, columns, fts = SEARCHED[kind]
    terms = dict(enumerate(query.terms))
    since = _since(kind, dialect) if bounded else ""
    if dialect == "postgresql" and not query.long_terms:
        text = _all_terms("st" if kind == "statement" else "r", columns, terms, dialect)
        return HITS_SCOPE_FIRST[kind].format(live=_live(kind), since=since, text=text, limit=CAP + 1)
    everything = f"AND {_all_terms(alias, columns, terms, dialect)}"
    if dialect != "sqlite" or not query.long_terms:
        return HITS[kind].format(live=_live(kind), since=since, text=everything, limit=CAP + 1)
    # Both sides, each read only when index_first chose it: the side's first list (the FTS
    # matches, the scope) gets LIMIT 0 otherwise, which SQLite answers without reading anything.
    def only_if(choice: str) -> str:
        return f" LIMIT (SELECT CASE WHEN {choice}{kind} THEN -1 ELSE 0 END FROM index_first)"

    short = {number: term for number, term in terms.items() if term in query.short_terms}
    matches = f"AND {alias}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :match{only_if('')})"
    if short:
        matches += f" AND {_all_terms(alias, columns, short, dialect)}"
    index_side = HITS[kind].format(live=_live(kind, use_index=False), since=since, text=matches, limit=CAP + 1)
    scope_side = HITS[kind].format(live=_live(kind, only_if=only_if("NOT ")), since=since, text=everything,
                                   limit=CAP + 1)
    return f"SELECT * FROM ({index_side}) UNION ALL SELECT * FROM ({scope_side})"


def _plan(query, dialect: str, bounded: bool) -> str:
    """The CTEs the kinds' searches share: the bounded scan's first day, or SQLite's choice of side."""
    if bounded:
        return SINCE.format(over=SCAN_LIMIT + 1, limit=SCAN_LIMIT, last=SCAN_LIMIT - 1, live=_live("session"))
    if dialect == "sqlite":
        choices = ", ".join(INDEX_CHOICE.format(fts=SEARCHED[kind][2], kind=kind,
                                                size="insights" if kind == "insight" else "sessions")
                            for kind in KINDS)
        return INDEX_FIRST.format(share=INDEX_SHARE, choices=choices)
    return ""


def _search_sql(query, kinds: list[str], dialect: str) -> str:
    bounded = not query.long_terms
    return SEARCH.format(
        scope=case_scope(current_user), plan=_plan(query, dialect, bounded),
        since_row=("UNION ALL SELECT 'since', NULL, NULL, day, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM since"
                   if bounded else ""),
        day="CAST(sortval AS DATE)" if dialect == "postgresql" else "substr(sortval, 1, 10)",
        kinds=", ".join(f"'{kind}'" for kind in kinds),
        **{kind: _hits(kind, query, dialect, bounded) for kind in KINDS},
    )


def _result(row, pattern) -> Result:
    """One hit of the page as the results list shows it (tracker.search.results.result_page)."""
    engagement = SimpleNamespace(theme=row.theme, company=SimpleNamespace(name=row.company_name))
    if row.kind == "session":
        found_in = [(label, snippet(text, pattern)) for text, (_name, label) in
                    zip((row.t1, row.t2, row.t3), SESSION_FIELDS, strict=True)]
        return Result("session", row.id, as_date(row.held_on), engagement,
                      url_for("sessions.show", session_id=row.id), [pair for pair in found_in if pair[1]])
    if row.kind == "statement":
        return Result("statement", row.id, as_date(row.held_on), engagement,
                      url_for("sessions.show", session_id=row.session_id, _anchor="statements"),
                      [(None, snippet(row.t1, pattern, width=240))])
    return Result("insight", row.id, as_utc(row.created_at), engagement, url_for("insights.show", insight_id=row.id),
                  [(None, snippet(row.t1, pattern, width=240))])


@bp.get("/search")
@login_required
def search():
    """The notes search (tracker/search/routes.py::index): every kind's matches, their
    counts and the page's records with their text, in one statement."""
    if not can_search_notes(current_user):
        abort(403)
    query = parse_query(request.args.get("q"))
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    results = None
    if query.terms:
        results = _search_results(query, kind)
    return render("search/index.html", query=query, kind=kind, results=results, kinds=KINDS,
                  kind_labels=KIND_LABELS, max_length=MAX_QUERY_LENGTH)


def _search_results(query, kind: str | None) -> ResultPage:
    """The page of results as tracker.search.results.result_page makes it, from one statement."""
    dialect = db.engine.dialect.name
    per_page = current_app.config["PER_PAGE"]
    page_number = max(1, request.args.get("page", type=int) or 1)
    params = {f"term{number}": like_pattern(term) for number, term in enumerate(query.terms)}
    if dialect == "sqlite" and query.long_terms:
        params["match"] = fts_match(query.long_terms)
    rows = fetch(_search_sql(query, [kind] if kind else list(KINDS), dialect), user_id=current_user.id, cap=CAP,
                 skip=(page_number - 1) * per_page, per_page=per_page, **params)
    found = {row.t1: row.n for row in rows if row.kind == "count"}
    listed = next(row.n for row in rows if row.kind == "ordered")
    since = next((as_date(row.held_on) for row in rows if row.kind == "since"), None)
    pattern = term_pattern(query.terms)
    items = [_result(row, pattern) for row in sorted((row for row in rows if row.kind in KINDS), key=lambda row: row.n)]
    bounded = {k for k in KINDS if since and found.get(k, 0) <= CAP}
    return ResultPage(
        items=items, counts={k: min(found.get(k, 0), CAP) for k in KINDS},
        capped={k: found.get(k, 0) > CAP for k in KINDS}, page=page_number,
        pages=max(1, ceil(min(listed, CAP) / per_page)), cap=CAP,
        since=since if set([kind] if kind else KINDS) & bounded else None, scan_limit=SCAN_LIMIT,
    )
