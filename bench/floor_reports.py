# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""Floors of the engagement timeline and the regional summary."""

from dataclasses import replace
from types import SimpleNamespace

from flask import abort, current_app, request
from flask_login import current_user, login_required

from bench.floors import as_date, as_utc, bp, case_scope, company_scope, fetch, named, regions_of, render
from tracker.actions.services import local_today
from tracker.engagements.routes import month_label
from tracker.engagements.services import local_date
from tracker.engagements.timeline import EVENTS_PER_PAGE, Event, JourneyPage, by_month
from tracker.extensions import db
from tracker.models import (
    ActionState,
    ClosingReason,
    InsightCategory,
    InsightHolder,
    InsightState,
    MeasureKind,
    Phase,
    ReferralOutcome,
    ReferralSource,
    Role,
    SessionFormat,
    SessionKind,
    SessionState,
    SupportMeasure,
)
from tracker.outcomes.indicators import INDICATOR_KEYS
from tracker.permissions import sees_exact_figures
from tracker.pipeline.fiscal import fiscal_year, year_label, year_quarter_label
from tracker.summaries.charts import bar_charts
from tracker.summaries.forms import SummaryForm
from tracker.summaries.queries import Figures, Scope, Tally, fill_from_tallies
from tracker.summaries.tables import outcome_table, summary_tables

# Every event of the engagement but the sessions' contents, in one row shape: kind, id,
# day, moment, texts, numbers.
TIMELINE = """
SELECT 'engagement' AS kind, e.id, e.started_on AS day, CAST(NULL AS TIMESTAMP) AS moment, e.phase AS a,
       e.referral_source AS b, e.closing_reason AS c, CAST(NULL AS TEXT) AS d, e.theme AS t1, e.referral_note AS t2,
       c.name AS t3, CAST(NULL AS INTEGER) AS n1, CAST(NULL AS INTEGER) AS n2, CAST(NULL AS TEXT) AS t4
  FROM engagements e JOIN companies c ON c.id = e.company_id
 WHERE e.id = :eid AND e.deleted_at IS NULL AND {scope}
UNION ALL
SELECT 'phase', pc.id, pc.changed_on, NULL, pc.from_phase, pc.to_phase, NULL, NULL, pc.reason, u.name, NULL, NULL,
       NULL, NULL
  FROM phase_changes pc LEFT JOIN users u ON u.id = pc.changed_by_id WHERE pc.engagement_id = :eid
UNION ALL
SELECT 'session', s.id, s.held_on, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM dialogue_sessions s WHERE s.engagement_id = :eid AND s.deleted_at IS NULL
UNION ALL
SELECT 'insight', isc.id, NULL, isc.changed_at, isc.from_state, isc.to_state, i.holder, i.category, i.text, u.name,
       NULL, i.id, CASE WHEN i.is_essential THEN 1 ELSE 0 END, NULL
  FROM insight_state_changes isc JOIN insights i ON i.id = isc.insight_id LEFT JOIN users u ON u.id = isc.changed_by_id
 WHERE i.engagement_id = :eid AND i.deleted_at IS NULL
UNION ALL
SELECT 'action', a.id, a.due_on, a.created_at, NULL, NULL, NULL, NULL, a.title, oc.name, ou.name, NULL, NULL, NULL
  FROM actions a LEFT JOIN contacts oc ON oc.id = a.owner_contact_id LEFT JOIN users ou ON ou.id = a.owner_user_id
 WHERE a.engagement_id = :eid AND a.deleted_at IS NULL
UNION ALL
SELECT 'action_update', au.id, au.noted_on, NULL, au.state, NULL, NULL, NULL, au.text, u.name, a.title, NULL, NULL,
       NULL
  FROM action_updates au JOIN actions a ON a.id = au.action_id LEFT JOIN users u ON u.id = au.author_id
 WHERE a.engagement_id = :eid AND a.deleted_at IS NULL
UNION ALL
SELECT 'referral', r.id, r.referred_on, NULL, r.outcome, m.kind, NULL, NULL, r.note, r.outcome_note, m.name, NULL,
       NULL, m.name_en
  FROM referrals r JOIN support_measures m ON m.id = r.measure_id WHERE r.engagement_id = :eid
"""
# The sessions on the page, with the names of who attended, ordered by id as the product's relationships are
# (SQLite before 3.44 has no ORDER BY inside group_concat: it keeps the order of the ordered subquery).
PAGE_SESSIONS = """
SELECT s.id, s.kind, s.format, s.state, s.notes, s.duration_minutes,
       (SELECT {aggregate} FROM (SELECT ct.id, ct.name FROM session_contacts sc
                                   JOIN contacts ct ON ct.id = sc.contact_id
                                  WHERE sc.session_id = s.id ORDER BY ct.id) names) AS company_names,
       (SELECT {aggregate} FROM (SELECT tu.id, tu.name FROM session_team st JOIN users tu ON tu.id = st.user_id
                                  WHERE st.session_id = s.id ORDER BY tu.id) names) AS team_names
  FROM dialogue_sessions s WHERE s.id IN ({ids}) AND s.engagement_id = :eid AND s.deleted_at IS NULL
"""


def _names(text):
    return [SimpleNamespace(name=name) for name in text.split(", ")] if text else []


def _event(row, engagement) -> Event:
    """The timeline's event for one row (a session's record is filled in once it is on the page)."""
    if row.kind == "phase":
        change = SimpleNamespace(id=row.id, from_phase=Phase(row.a) if row.a else None, to_phase=Phase(row.b),
                                 reason=row.t1, changed_by=named(row.t2), changed_on=as_date(row.day))
        engagement.phase_changes.append(change)
        return Event(change.changed_on, "opened" if change.from_phase is None else "phase", change, change.id)
    if row.kind == "session":
        return Event(as_date(row.day), "session", None, row.id)
    if row.kind == "insight":
        insight = SimpleNamespace(id=row.n1, is_essential=bool(row.n2), text=row.t1, holder=InsightHolder(row.c),
                                  category=InsightCategory(row.d))
        record = SimpleNamespace(id=row.id, from_state=InsightState(row.a) if row.a else None,
                                 to_state=InsightState(row.b), insight=insight, changed_by=named(row.t2))
        return Event(local_date(as_utc(row.moment)), "insight", record, row.id)
    if row.kind == "action":
        record = SimpleNamespace(id=row.id, title=row.t1, due_on=as_date(row.day), owner_contact=named(row.t2),
                                 owner_user=named(row.t3))
        return Event(local_date(as_utc(row.moment)), "action", record, row.id)
    if row.kind == "action_update":
        record = SimpleNamespace(id=row.id, state=ActionState(row.a) if row.a else None, text=row.t1,
                                 author=named(row.t2), action=SimpleNamespace(title=row.t3))
        return Event(as_date(row.day), "action_update", record, row.id)
    measure = SupportMeasure(name=row.t3, name_en=row.t4 or "", kind=MeasureKind(row.b))
    record = SimpleNamespace(id=row.id, outcome=ReferralOutcome(row.a), note=row.t1, outcome_note=row.t2,
                             measure=measure)
    return Event(as_date(row.day), "referral", record, row.id)


def _page_sessions(engagement_id: int, ids: list[int]) -> dict:
    """The page's sessions as the timeline shows them: its second statement."""
    if not ids:
        return {}
    postgresql = db.engine.dialect.name == "postgresql"
    aggregate = "string_agg(name, ', ' ORDER BY id)" if postgresql else "group_concat(name, ', ')"
    rows = fetch(PAGE_SESSIONS.format(aggregate=aggregate, ids=", ".join(str(int(i)) for i in ids)),
                 eid=engagement_id)
    return {row.id: SimpleNamespace(id=row.id, kind=SessionKind(row.kind), format=SessionFormat(row.format),
                                    state=SessionState(row.state), notes=row.notes,
                                    duration_minutes=row.duration_minutes, company_attendees=_names(row.company_names),
                                    team_attendees=_names(row.team_names))
            for row in rows}


@bp.get("/engagements/<int:engagement_id>/timeline")
@login_required
def timeline(engagement_id: int):
    """A page of the journey as tracker/engagements/timeline.py::journey makes it, in two
    statements: every event, and then the contents of the sessions on the page. Which
    sessions those are depends on the order of every event, some by their local day
    (insights, actions), which is worked out in Python as the product does."""
    rows = fetch(TIMELINE.format(scope=case_scope(current_user)), eid=engagement_id, user_id=current_user.id)
    head = next((row for row in rows if row.kind == "engagement"), None)
    if head is None:
        abort(404)
    engagement = SimpleNamespace(
        id=head.id, phase=Phase(head.a), referral_source=ReferralSource(head.b),
        closing_reason=ClosingReason(head.c) if head.c else None, theme=head.t1, referral_note=head.t2,
        company=SimpleNamespace(name=head.t3), started_on=as_date(head.day), phase_changes=[],
    )
    events = [_event(row, engagement)
              for row in sorted((row for row in rows if row.kind != "engagement"),
                                key=lambda row: (row.kind != "phase", row.id))]
    if not any(event.kind == "opened" for event in events):
        events.append(Event(engagement.started_on, "started", engagement, engagement.id))
    events.sort(key=lambda event: event.sort_key)
    pages = max(1, -(-len(events) // EVENTS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    end = len(events) - (page - 1) * EVENTS_PER_PAGE
    shown = events[max(0, end - EVENTS_PER_PAGE):end]
    sessions = _page_sessions(engagement.id, [event.sequence for event in shown if event.kind == "session"])
    shown = [replace(event, record=sessions[event.sequence]) if event.kind == "session" else event
             for event in shown]
    return render("engagements/timeline.html", engagement=engagement, months=by_month(shown),
                  journey=JourneyPage(shown, page, pages, len(events)), month_label=month_label)


# The summary's figures as the product shows them: the engagements in scope (about one a
# company) with their moves to self-running or closed, ranked to find each company's
# current engagement; then the stored region tallies of the fiscal year (sessions,
# minutes, insights, actions), added up over the chosen regions.
SUMMARY = """
WITH scoped AS (
  SELECT e.id, e.company_id, e.phase, e.phase_since, e.started_on,
         row_number() OVER (PARTITION BY e.company_id
                            ORDER BY CASE WHEN e.phase = 'closed' THEN 1 ELSE 0 END, e.started_on DESC, e.id DESC)
           AS rank
    FROM engagements e JOIN companies c ON c.id = e.company_id
   WHERE e.deleted_at IS NULL AND c.deleted_at IS NULL AND c.region_id IN ({regions}) AND {company_scope}),
moves AS (
  SELECT s.company_id, pc.to_phase, pc.changed_on FROM scoped s JOIN phase_changes pc ON pc.engagement_id = s.id
   WHERE pc.to_phase IN ('self_running', 'closed') AND pc.changed_on <= :end),
supported AS (
  SELECT s.phase,
         CASE WHEN s.company_id IN (SELECT company_id FROM moves WHERE to_phase = 'self_running')
              THEN 1 ELSE 0 END AS reached
    FROM scoped s
   WHERE s.rank = 1 AND s.company_id IN (SELECT company_id FROM scoped WHERE started_on <= :end
                                           AND (phase <> 'closed' OR phase_since >= :start)))
SELECT 'phase' AS kind, 0 AS period, phase AS measure, '' AS key, count(*) AS value, sum(reached) AS companies
  FROM supported GROUP BY phase
UNION ALL
SELECT 'opened', 0, '', '', count(DISTINCT company_id), 0 FROM scoped WHERE started_on BETWEEN :start AND :end
UNION ALL
SELECT 'closed', 0, '', '', count(DISTINCT company_id), 0 FROM moves WHERE to_phase = 'closed' AND changed_on >= :start
UNION ALL
SELECT 'tally', rt.period, rt.measure, rt.key, sum(rt.value), sum(rt.companies) FROM region_tallies rt
 WHERE rt.region_id IN ({regions}) AND {region_scope} AND rt.fiscal_year = :year
 GROUP BY rt.period, rt.measure, rt.key
"""

# Each company's stored indicator changes (tracker/models/tallies.py: IndicatorChange).
OUTCOMES = """
SELECT {columns} FROM indicator_changes ic JOIN companies c ON c.id = ic.company_id
 WHERE c.deleted_at IS NULL AND c.region_id IN ({regions}) AND {company_scope}
 ORDER BY ic.company_id
"""


def _scope_sql(scope: Scope) -> dict:
    """The fragments both statements share: the chosen regions and the user's scope."""
    return {"regions": ", ".join(str(int(i)) for i in scope.region_ids) or "NULL",
            "company_scope": company_scope(scope.user), "region_scope": company_scope(scope.user, "rt")}


def _figures(scope: Scope) -> Figures:
    """Every figure of the summary from one statement (tallies read as the product's _tallied does)."""
    start, end = scope.bounds
    rows = fetch(SUMMARY.format(**_scope_sql(scope)), user_id=scope.user.id, start=start, end=end, year=scope.year)
    figures = Figures(phases=dict.fromkeys(Phase, 0))
    found = {}
    for row in rows:
        if row.kind == "phase":
            figures.phases[Phase(row.measure)] = row.value
            figures.supported += row.value
            figures.self_running += int(row.companies or 0)
        elif row.kind in ("opened", "closed"):
            setattr(figures, row.kind, row.value)
        else:
            found[row.period, row.measure, row.key] = Tally(int(row.value), int(row.companies))

    fill_from_tallies(figures, found, scope.quarter)
    return figures


def _indicator_changes(scope: Scope) -> dict[str, list[float]]:
    """The outcome table's values: one statement over the stored changes, as indicator_changes reads them."""
    rows = fetch(OUTCOMES.format(columns=", ".join(f"ic.{key}" for key in INDICATOR_KEYS), **_scope_sql(scope)),
                 user_id=scope.user.id)
    return {key: [row[i] for row in rows if row[i] is not None] for i, key in enumerate(INDICATOR_KEYS)}


@bp.get("/summaries/")
@login_required
def summaries():
    """The summary in two statements: its figures (engagements and region tallies, one UNION ALL),
    and each company's indicator changes. The two are kept apart because their rows have
    nothing in common (six changes per company against a name and two counts per figure):
    one UNION would pad every row of either with the other's columns."""
    if current_user.role not in (Role.ADMIN, Role.MANAGER, Role.OFFICIAL):
        abort(404)
    regions = regions_of(current_user)
    current = fiscal_year(local_today())
    form = SummaryForm(request.args or None, regions=regions, current_year=current, data={"fy": str(current)})
    if request.args and not form.validate():
        abort(422)
    quarter = int(form.quarter.data) if form.quarter.data else None
    scope = Scope(current_user, form.region_ids(), int(form.fy.data), quarter)
    minimum = 0 if sees_exact_figures(current_user) else current_app.config["SMALL_CELL_MINIMUM"]
    tables = [*summary_tables(_figures(scope), scope, minimum), outcome_table(_indicator_changes(scope), minimum)]
    period = year_quarter_label(scope.year, scope.quarter) if scope.quarter else year_label(scope.year)
    return render("summaries/index.html", form=form, regions=regions, tables=tables, charts=bar_charts,
                  period=period, minimum=minimum, export_args=request.args.to_dict(flat=False),
                  can_export_companies=current_user.role in (Role.ADMIN, Role.MANAGER))
