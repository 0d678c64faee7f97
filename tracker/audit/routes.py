"""The admins' view of the audit trail: a filtered list and one event's before/after.

There is no route that edits or deletes an event: the trail is append-only
(and the database refuses UPDATE and DELETE on it besides).
"""

from flask import current_app, render_template, request

from tracker.audit import bp
from tracker.audit.forms import AuditFilterForm
from tracker.audit.queries import COUNT_CAP, capped_count, change_rows, matching_events, record_types, shown
from tracker.audit.redaction import REDACTED
from tracker.audit.trail import ACTIONS
from tracker.extensions import db
from tracker.models.audit import AuditEvent
from tracker.permissions import allowed, can_see_audit_log


@bp.get("/")
@allowed(can_see_audit_log)
def index():
    """Events, newest first, filtered by action, actor, record, dates and address."""
    form = AuditFilterForm(request.args)
    context = {"form": form, "record_types": record_types(), "actions": ACTIONS, "filters": form.used(),
               "redacted": REDACTED}
    if not form.validate():
        return render_template("audit/index.html", page=None, **context), 422
    query = matching_events(form)
    per_page = current_app.config["PER_PAGE"]
    total = capped_count(query)
    # Pages end where the count does; past that, narrowing the filters is the way on.
    last_page = max(1, -(-min(total, COUNT_CAP) // per_page))
    number = min(max(request.args.get("page", 1, type=int), 1), last_page)
    page = db.paginate(query, page=number, per_page=per_page, error_out=False, count=False)
    page.total = min(total, COUNT_CAP)
    return render_template("audit/index.html", page=page, more=total > COUNT_CAP, cap=COUNT_CAP, **context)


@bp.get("/<int:event_id>")
@allowed(can_see_audit_log)
def event(event_id: int):
    """One event in full, with what changed as a before/after table (redacted text shown as redacted)."""
    audit_event = db.get_or_404(AuditEvent, event_id)
    return render_template(
        "audit/event.html", event=audit_event, rows=change_rows(audit_event.changes), shown=shown, actions=ACTIONS,
        redacted=REDACTED, retention_days=current_app.config["AUDIT_CONFIDENTIAL_RETENTION_DAYS"],
    )
