"""The pipeline board: engagements by phase (or as a table), attention flags,
and moving a phase from the board (a plain form post; static/js/pipeline.js
sends the same form with fetch() and updates the card in place)."""

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.pending import form_data
from tracker.auth.routes import safe_next
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.engagements.queries import case_or_404
from tracker.engagements.services import EngagementRuleBroken, change_phase, local_today
from tracker.extensions import db
from tracker.models import ClosingReason, Phase
from tracker.permissions import (
    allowed,
    can_manage_engagements,
    can_use_pipeline,
    can_write_case_records,
    regions_in_scope,
    require,
)
from tracker.pipeline import bp
from tracker.pipeline.forms import MoveForm
from tracker.pipeline.queries import (
    CARDS_PER_COLUMN,
    FLAGS_LISTED,
    LONG_IN_PHASE_FACTOR,
    LONG_IN_PHASE_MIN_PEERS,
    OPEN_PHASES,
    SORTS,
    VIEWS,
    PipelineFilters,
    board_columns,
    consultant_choices,
    industry_choices,
    organisation_choices,
    overview,
    rows_by_ids,
    sorted_page,
)


def _choices() -> dict:
    """What the filters offer; a value outside these is ignored."""
    return {
        "regions": list(db.session.scalars(regions_in_scope(current_user))),
        "organisations": organisation_choices(),
        "consultants": consultant_choices(current_user),
        "industries": industry_choices(),
    }


def _filters(choices: dict) -> PipelineFilters:
    args = request.args

    def one_of(name, records, key="id", kind=int):
        value = args.get(name, type=kind)
        return value if value in {getattr(record, key) for record in records} else None

    phase = args.get("phase", "")
    sort = args.get("sort", "")
    return PipelineFilters(
        region=one_of("region", choices["regions"]),
        organisation=one_of("organisation", choices["organisations"]),
        consultant=one_of("consultant", choices["consultants"]),
        industry=one_of("industry", choices["industries"], "code", str) or "",
        phase=phase if phase in Phase._value2member_map_ else "",
        closed=args.get("closed") == "1",
        view=args.get("view") if args.get("view") in VIEWS else "board",
        sort=sort if sort in SORTS else "days",
        direction="asc" if args.get("direction") == "asc" else "desc",
    )


@bp.get("/")
@allowed(can_use_pipeline)
def board():
    """Engagements by phase with their momentum, and the ones needing attention first."""
    today = local_today()
    choices = _choices()
    filters = _filters(choices)
    seen = overview(current_user, filters, today, current_app.config["STALLED_AFTER_DAYS"], CARDS_PER_COLUMN)
    flags = seen.flags
    if filters.view == "table":
        page, table_rows, flags.rows = sorted_page(
            current_user, filters, today, request.args.get("page", 1, type=int), current_app.config["PER_PAGE"],
            flags.listed_ids(),
        )
        context = {"page": page, "table_rows": table_rows, "sorts": SORTS, "cards": {}}
    else:
        cards, flags.rows = board_columns(seen.card_ids, today, flags.listed_ids())
        context = {"cards": cards}
    for row in flags.rows.values():
        row.flags = flags.of(row.id)
    columns = [phase for phase in Phase if phase != Phase.CLOSED or filters.shows_closed]
    if filters.phase:
        columns = [Phase(filters.phase)]
    return render_template(
        "pipeline/board.html", filters=filters, flags=flags, counts=seen.counts,
        columns=columns, per_column=CARDS_PER_COLUMN, flags_listed=FLAGS_LISTED,
        phases=list(Phase), open_phases=OPEN_PHASES, factor=LONG_IN_PHASE_FACTOR,
        min_peers=LONG_IN_PHASE_MIN_PEERS, today=today, can_move=can_manage_engagements(current_user),
        can_write=can_write_case_records(current_user), words=card_words(),
        board_url=request.full_path.rstrip("?"), **choices, **context,
    )


def card_words() -> dict:
    """The fixed words of the cards (and the table's rows), translated once per
    page rather than once per card: a board shows up to 60 cards of ten words,
    and each translation goes through Flask-Babel's request context."""
    move_form = MoveForm(formdata=None)
    return {
        "region": _("Region"), "lead": _("Lead"), "no_lead": _("No lead"), "in_phase": _("In phase"),
        "last_session": _("Last session"), "none_yet": _("None yet"), "actions": _("Actions"),
        "flags": {"stalled": _("Stalled"), "overdue": _("Overdue actions"), "long_in_phase": _("Long in phase")},
        "move_phase": _("Move phase"), "new_phase": _("New phase"), "reason": _("Reason"),
        "closing_reason": _("Closing reason"), "move": _("Move"),
        # The move form's options, as the engagement page's form has them.
        "phases": [(choice.value, str(choice.label)) for choice in move_form.to_phase.choices],
        "closing_reasons": [(choice.value, str(choice.label)) for choice in move_form.closing_reason.choices],
    }


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _following(phase: Phase) -> Phase | None:
    phases = list(Phase)
    return phases[phases.index(phase) + 1] if phase != Phase.CLOSED else None


def _move_page(form, engagement, status: int):
    if _wants_json():
        errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        if form.form_errors:
            errors["form"] = [str(message) for message in form.form_errors]
        return jsonify(ok=False, errors=errors, version=engagement.version), status
    return render_template("pipeline/move.html", form=form, engagement=engagement), status


@bp.route("/engagements/<int:engagement_id>/phase", methods=["GET", "POST"])
@login_required
def move(engagement_id: int):
    """The board's phase move: to which phase and why, dated today."""
    engagement = case_or_404(current_user, engagement_id)
    require(can_manage_engagements(current_user))
    shown = {"to_phase": _following(engagement.phase), "version": engagement.version, "next": request.args.get("next")}
    form = MoveForm(formdata=form_data(), data=None if request.method == "POST" else shown)
    if not form.is_submitted():
        return _move_page(form, engagement, 200)
    if not form.validate():
        return _move_page(form, engagement, 422)
    closing_reason = ClosingReason(form.closing_reason.data) if form.closing_reason.data else None
    try:
        ensure_fresh(engagement, form.version.data)
        change = change_phase(engagement, current_user, Phase(form.to_phase.data), local_today(), form.reason.data,
                              closing_reason)
        db.session.commit()
    except EngagementRuleBroken as broken:
        return _refused(form, engagement_id, broken)
    except (StaleEdit, StaleDataError):
        return _stale(form, engagement_id)
    message = _("%(company)s moved to %(phase)s.", company=engagement.company.name, phase=change.to_phase.label)
    if _wants_json():
        return _moved_card(engagement_id, message)
    flash(message, "success")
    return redirect(safe_next(form.next.data) or url_for("pipeline.board"))


def _refused(form, engagement_id: int, broken: EngagementRuleBroken):
    db.session.rollback()
    for name, problem in broken.problems.items():
        target = getattr(form, name, None)
        (target.errors if target is not None else form.form_errors).append(problem)
    return _move_page(form, case_or_404(current_user, engagement_id), 422)


def _stale(form, engagement_id: int):
    """Someone changed the engagement first: show it as it stands, keep the reason typed (409)."""
    db.session.rollback()
    engagement = case_or_404(current_user, engagement_id)
    form.version.data = str(engagement.version)
    form.form_errors.append(
        _("Someone else changed this engagement while you were moving it (it is now in %(phase)s). "
          "Your reason is kept: check, then move it again.", phase=engagement.phase.label)
    )
    return _move_page(form, engagement, 409)


def _moved_card(engagement_id: int, message: str):
    """For the board's script: the card as it now stands, to put in its new column."""
    row = rows_by_ids([engagement_id], local_today())[0]
    card = render_template(
        "pipeline/_card.html", row=row, can_move=True, can_write=can_write_case_records(current_user),
        words=card_words(), board_url=safe_next(request.form.get("next")) or url_for("pipeline.board"),
    )
    return jsonify(ok=True, phase=row.phase.value, message=message, card=card, version=row.version)
