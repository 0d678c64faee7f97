# ruff: noqa: S608  (SQL assembled from fixed fragments; values are bound parameters or int())
"""Floors of the engagement timeline and the regional summary."""

from datetime import UTC, timedelta
from types import SimpleNamespace

from flask import abort, request
from flask_login import current_user, login_required

from bench.floors import as_date, as_utc, bp, case_scope, company_scope, fetch, regions_of, render
from tracker.actions.services import local_today
from tracker.engagements.routes import month_label
from tracker.engagements.services import local_date
from tracker.engagements.timeline import Event, by_month
from tracker.models import (
    ActionState,
    Barrier,
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
from tracker.outcomes.services import indicator_changes
from tracker.permissions import sees_exact_figures
from tracker.pipeline.fiscal import fiscal_year, quarter_start, year_bounds, year_label, year_quarter_label
from tracker.summaries.charts import bar_charts
from tracker.summaries.forms import SummaryForm
from tracker.summaries.queries import QUARTERS, Figures, Scope, Tally, company_ids, local_midnight
from tracker.summaries.tables import outcome_table, summary_tables

# One row shape for every kind of event: kind, id, day, moment, texts, numbers, names.
TIMELINE = """
SELECT 'engagement' AS kind, e.id, e.started_on AS day, CAST(NULL AS TIMESTAMP) AS moment, e.phase AS a,
       e.referral_source AS b, e.closing_reason AS c, CAST(NULL AS TEXT) AS d, e.theme AS t1, e.referral_note AS t2,
       c.name AS t3, CAST(NULL AS INTEGER) AS n1, CAST(NULL AS INTEGER) AS n2, CAST(NULL AS TEXT) AS names1,
       CAST(NULL AS TEXT) AS names2
  FROM engagements e JOIN companies c ON c.id = e.company_id
 WHERE e.id = :eid AND e.deleted_at IS NULL AND {scope}
UNION ALL
SELECT 'phase', pc.id, pc.changed_on, NULL, pc.from_phase, pc.to_phase, NULL, NULL, pc.reason, u.name, NULL, NULL,
       NULL, NULL, NULL
  FROM phase_changes pc LEFT JOIN users u ON u.id = pc.changed_by_id WHERE pc.engagement_id = :eid
UNION ALL
SELECT 'session', s.id, s.held_on, NULL, s.kind, s.format, s.state, NULL, s.notes, NULL, NULL, s.duration_minutes,
       NULL,
       (SELECT {agg_contacts} FROM session_contacts sc JOIN contacts ct ON ct.id = sc.contact_id
         WHERE sc.session_id = s.id),
       (SELECT {agg_team} FROM session_team st JOIN users tu ON tu.id = st.user_id
         WHERE st.session_id = s.id)
  FROM dialogue_sessions s WHERE s.engagement_id = :eid AND s.deleted_at IS NULL
UNION ALL
SELECT 'insight', isc.id, NULL, isc.changed_at, isc.from_state, isc.to_state, i.holder, i.category, i.text, u.name,
       NULL, i.id, CASE WHEN i.is_essential THEN 1 ELSE 0 END, NULL, NULL
  FROM insight_state_changes isc JOIN insights i ON i.id = isc.insight_id LEFT JOIN users u ON u.id = isc.changed_by_id
 WHERE i.engagement_id = :eid AND i.deleted_at IS NULL
UNION ALL
SELECT 'action', a.id, a.due_on, a.created_at, NULL, NULL, NULL, NULL, a.title, oc.name, ou.name, NULL, NULL,
       NULL, NULL
  FROM actions a LEFT JOIN contacts oc ON oc.id = a.owner_contact_id LEFT JOIN users ou ON ou.id = a.owner_user_id
 WHERE a.engagement_id = :eid AND a.deleted_at IS NULL
UNION ALL
SELECT 'action_update', au.id, au.noted_on, NULL, au.state, NULL, NULL, NULL, au.text, u.name, a.title, NULL, NULL,
       NULL, NULL
  FROM action_updates au JOIN actions a ON a.id = au.action_id LEFT JOIN users u ON u.id = au.author_id
 WHERE a.engagement_id = :eid AND a.deleted_at IS NULL
UNION ALL
SELECT 'referral', r.id, r.referred_on, NULL, r.outcome, m.kind, NULL, NULL, r.note, r.outcome_note, m.name, NULL,
       NULL, m.name_en, NULL
  FROM referrals r JOIN support_measures m ON m.id = r.measure_id WHERE r.engagement_id = :eid
"""


def _names(text):
    return [SimpleNamespace(name=name) for name in text.split(", ")] if text else []


def _named(name):
    return SimpleNamespace(name=name) if name is not None else None


def _event(row, engagement) -> list[Event]:
    """The timeline's events for one row (an action brings its own; its updates come as rows)."""
    if row.kind == "phase":
        change = SimpleNamespace(id=row.id, from_phase=Phase(row.a) if row.a else None, to_phase=Phase(row.b),
                                 reason=row.t1, changed_by=_named(row.t2), changed_on=as_date(row.day))
        engagement.phase_changes.append(change)
        return [Event(change.changed_on, "opened" if change.from_phase is None else "phase", change, change.id)]
    if row.kind == "session":
        record = SimpleNamespace(id=row.id, kind=SessionKind(row.a), format=SessionFormat(row.b),
                                 state=SessionState(row.c), notes=row.t1, duration_minutes=row.n1,
                                 company_attendees=_names(row.names1), team_attendees=_names(row.names2))
        return [Event(as_date(row.day), "session", record, row.id)]
    if row.kind == "insight":
        insight = SimpleNamespace(id=row.n1, is_essential=bool(row.n2), text=row.t1, holder=InsightHolder(row.c),
                                  category=InsightCategory(row.d))
        record = SimpleNamespace(id=row.id, from_state=InsightState(row.a) if row.a else None,
                                 to_state=InsightState(row.b), insight=insight, changed_by=_named(row.t2))
        return [Event(local_date(as_utc(row.moment)), "insight", record, row.id)]
    if row.kind == "action":
        record = SimpleNamespace(id=row.id, title=row.t1, due_on=as_date(row.day), owner_contact=_named(row.t2),
                                 owner_user=_named(row.t3))
        return [Event(local_date(as_utc(row.moment)), "action", record, row.id)]
    if row.kind == "action_update":
        record = SimpleNamespace(id=row.id, state=ActionState(row.a) if row.a else None, text=row.t1,
                                 author=_named(row.t2), action=SimpleNamespace(title=row.t3))
        return [Event(as_date(row.day), "action_update", record, row.id)]
    measure = SupportMeasure(name=row.t3, name_en=row.names1 or "", kind=MeasureKind(row.b))
    record = SimpleNamespace(id=row.id, outcome=ReferralOutcome(row.a), note=row.t1, outcome_note=row.t2,
                             measure=measure)
    return [Event(as_date(row.day), "referral", record, row.id)]


@bp.get("/engagements/<int:engagement_id>/timeline")
@login_required
def timeline(engagement_id: int):
    """Every event of the engagement in one UNION ALL statement, grouped by month as the product does."""
    from tracker.extensions import db

    if db.engine.dialect.name == "postgresql":
        names = {"agg_contacts": "string_agg(ct.name, ', ' ORDER BY ct.id)",
                 "agg_team": "string_agg(tu.name, ', ' ORDER BY tu.id)"}
    else:  # SQLite before 3.44 has no ORDER BY inside group_concat
        names = {"agg_contacts": "group_concat(ct.name, ', ')", "agg_team": "group_concat(tu.name, ', ')"}
    rows = fetch(TIMELINE.format(scope=case_scope(current_user), **names), eid=engagement_id, user_id=current_user.id)
    head = next((row for row in rows if row.kind == "engagement"), None)
    if head is None:
        abort(404)
    engagement = SimpleNamespace(
        id=head.id, phase=Phase(head.a), referral_source=ReferralSource(head.b),
        closing_reason=ClosingReason(head.c) if head.c else None, theme=head.t1, referral_note=head.t2,
        company=SimpleNamespace(name=head.t3), started_on=as_date(head.day), phase_changes=[],
    )
    events = []
    for row in sorted((row for row in rows if row.kind != "engagement"), key=lambda row: (row.kind != "phase", row.id)):
        events += _event(row, engagement)
    if not any(event.kind == "opened" for event in events):
        events.append(Event(engagement.started_on, "started", engagement, engagement.id))
    events.sort(key=lambda event: event.sort_key)
    return render("engagements/timeline.html", engagement=engagement, months=by_month(events),
                  month_label=month_label)


SUMMARY = """
WITH sc AS (SELECT c.id FROM companies c WHERE c.deleted_at IS NULL AND c.region_id IN ({regions}) AND {scope}),
supported AS (
  SELECT (SELECT e.phase FROM engagements e WHERE e.company_id = c.id AND e.deleted_at IS NULL
           ORDER BY CASE WHEN e.phase = 'closed' THEN 1 ELSE 0 END, e.started_on DESC, e.id DESC LIMIT 1) AS phase,
         CASE WHEN EXISTS (SELECT 1 FROM engagements e JOIN phase_changes pc ON pc.engagement_id = e.id
                           WHERE e.company_id = c.id AND e.deleted_at IS NULL AND pc.to_phase = 'self_running'
                             AND pc.changed_on <= :end) THEN 1 ELSE 0 END AS reached
    FROM companies c
   WHERE c.id IN (SELECT id FROM sc)
     AND EXISTS (SELECT 1 FROM engagements e WHERE e.company_id = c.id AND e.deleted_at IS NULL
                 AND e.started_on <= :end AND (e.phase <> 'closed' OR e.phase_since >= :start))),
held AS (
  SELECT CASE WHEN s.held_on < :q2 THEN 1 WHEN s.held_on < :q3 THEN 2 WHEN s.held_on < :q4 THEN 3 ELSE 4 END AS quarter,
         s.duration_minutes AS minutes, e.company_id
    FROM dialogue_sessions s JOIN engagements e ON e.id = s.engagement_id
   WHERE e.company_id IN (SELECT id FROM sc) AND s.deleted_at IS NULL AND e.deleted_at IS NULL
     AND s.held_on BETWEEN :fy_first AND :fy_last),
ins AS (
  SELECT i.category, i.barrier, e.company_id FROM insights i JOIN engagements e ON e.id = i.engagement_id
   WHERE e.company_id IN (SELECT id FROM sc) AND i.deleted_at IS NULL AND e.deleted_at IS NULL
     AND i.created_at >= :from_moment AND i.created_at < :to_moment)
SELECT 'phase' AS kind, CAST(phase AS TEXT) AS key, count(*) AS n, sum(reached) AS v, 0 AS companies
  FROM supported GROUP BY phase
UNION ALL
SELECT 'opened', NULL, count(DISTINCT e.company_id), 0, 0 FROM engagements e
 WHERE e.company_id IN (SELECT id FROM sc) AND e.deleted_at IS NULL AND e.started_on BETWEEN :start AND :end
UNION ALL
SELECT 'closed', NULL, count(DISTINCT e.company_id), 0, 0 FROM engagements e
  JOIN phase_changes pc ON pc.engagement_id = e.id
 WHERE e.company_id IN (SELECT id FROM sc) AND e.deleted_at IS NULL AND pc.to_phase = 'closed'
   AND pc.changed_on BETWEEN :start AND :end
UNION ALL
SELECT 'quarter', CAST(quarter AS TEXT), count(*), sum(minutes), count(DISTINCT company_id) FROM held GROUP BY quarter
UNION ALL
SELECT 'year', NULL, count(*), sum(minutes), count(DISTINCT company_id) FROM held
UNION ALL
SELECT 'category', CAST(category AS TEXT), count(*), 0, count(DISTINCT company_id) FROM ins GROUP BY category
UNION ALL
SELECT 'barrier', CAST(barrier AS TEXT), count(*), 0, count(DISTINCT company_id) FROM ins GROUP BY barrier
UNION ALL
SELECT 'insights', NULL, count(*), 0, count(DISTINCT company_id) FROM ins
UNION ALL
SELECT 'actions', NULL, count(a.id),
       sum(CASE WHEN a.state = 'done' AND a.done_on IS NOT NULL AND a.done_on <= a.due_on THEN 1 ELSE 0 END),
       count(DISTINCT e.company_id)
  FROM actions a JOIN engagements e ON e.id = a.engagement_id
 WHERE e.company_id IN (SELECT id FROM sc) AND a.deleted_at IS NULL AND e.deleted_at IS NULL
   AND a.due_on BETWEEN :start AND :end AND a.state <> 'dropped'
"""


def _figures(scope: Scope) -> Figures:
    """Every figure of the summary from one statement."""
    start, end = scope.bounds
    first, last = year_bounds(scope.year)

    def utc(day):
        return local_midnight(day).astimezone(UTC).replace(tzinfo=None)

    rows = fetch(
        SUMMARY.format(regions=", ".join(str(int(i)) for i in scope.region_ids) or "NULL",
                       scope=company_scope(scope.user)),
        user_id=scope.user.id, start=start, end=end, fy_first=first, fy_last=last,
        q2=quarter_start(scope.year, 2), q3=quarter_start(scope.year, 3), q4=quarter_start(scope.year, 4),
        from_moment=utc(start), to_moment=utc(end + timedelta(days=1)),
    )
    figures = Figures(phases=dict.fromkeys(Phase, 0))
    figures.trend = {key: (Tally(), Tally()) for key in (*QUARTERS, "year")}
    figures.categories = {category: Tally() for category in InsightCategory}
    figures.barriers = {barrier: Tally() for barrier in (*Barrier, None)}
    for row in rows:
        if row.kind == "phase" and row.key:
            figures.phases[Phase(row.key)] = row.n
            figures.supported += row.n
            figures.self_running += int(row.v or 0)
        elif row.kind in ("opened", "closed"):
            setattr(figures, row.kind, row.n)
        elif row.kind in ("quarter", "year"):
            key = "year" if row.kind == "year" else int(row.key)
            figures.trend[key] = (Tally(row.n, row.companies), Tally(int(row.v or 0), row.companies))
        elif row.kind == "category":
            figures.categories[InsightCategory(row.key)] = Tally(row.n, row.companies)
        elif row.kind == "barrier":
            figures.barriers[Barrier(row.key) if row.key else None] = Tally(row.n, row.companies)
        elif row.kind == "insights":
            figures.insights = Tally(row.n, row.companies)
        elif row.kind == "actions":
            figures.actions_due, figures.actions_on_time = Tally(row.n, row.companies), int(row.v or 0)
    return figures


@bp.get("/summaries/")
@login_required
def summaries():
    """The summary: the figures in one hand-written statement, plus the product's one query of
    outcome snapshots (their indicators are computed in Python, as the page does)."""
    if current_user.role not in (Role.ADMIN, Role.MANAGER, Role.OFFICIAL):
        abort(404)
    regions = regions_of(current_user)
    current = fiscal_year(local_today())
    form = SummaryForm(request.args or None, regions=regions, current_year=current, data={"fy": str(current)})
    if request.args and not form.validate():
        abort(422)
    quarter = int(form.quarter.data) if form.quarter.data else None
    scope = Scope(current_user, form.region_ids(), int(form.fy.data), quarter)
    minimum = 0 if sees_exact_figures(current_user) else 3
    tables = [*summary_tables(_figures(scope), scope, minimum),
              outcome_table(indicator_changes(company_ids(scope)), minimum)]
    period = year_quarter_label(scope.year, scope.quarter) if scope.quarter else year_label(scope.year)
    return render("summaries/index.html", form=form, regions=regions, tables=tables, charts=bar_charts,
                  period=period, minimum=minimum, export_args=request.args.to_dict(flat=False),
                  can_export_companies=current_user.role in (Role.ADMIN, Role.MANAGER))
