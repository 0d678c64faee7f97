"""Outcome pages: a company's yearly snapshots with their indicators, and the snapshot form.

Entered and read by the team (managers of the region, consultants on the
company's team); admins read. Officials never see one company's figures:
these pages do not exist for them (404).
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.extensions import db
from tracker.idempotency import claim_form, saved
from tracker.outcomes import bp
from tracker.outcomes.forms import SnapshotForm
from tracker.outcomes.indicators import INDICATORS, format_value
from tracker.outcomes.services import company_snapshots, create_snapshot, fiscal_year_taken, update_snapshot
from tracker.permissions import (
    allowed,
    can_browse_companies,
    can_record_outcomes,
    can_see_outcomes,
    outcome_company_or_404,
    outcome_snapshot_or_404,
    require,
)
from tracker.pipeline.fiscal import year_label


@bp.get("/companies/<int:company_id>/outcomes")
@allowed(can_browse_companies)
def index(company_id: int):
    """The company's snapshots by fiscal year, with the six indicators."""
    company = outcome_company_or_404(current_user, company_id)
    require(can_see_outcomes(current_user, company))
    return render_template(
        "outcomes/index.html", company=company, rows=company_snapshots(company), indicators=INDICATORS,
        can_record=can_record_outcomes(current_user, company), year_label=year_label, format_value=format_value,
    )


def _form_page(form, company, snapshot=None, status=200, **context):
    return render_template(
        "outcomes/form.html", form=form, company=company, snapshot=snapshot, year_label=year_label, **context
    ), status


def _year_taken(form) -> None:
    form.fiscal_year.errors.append(_("This fiscal year is already recorded for this company: edit it instead."))


@bp.route("/companies/<int:company_id>/outcomes/new", methods=["GET", "POST"])
@allowed(can_browse_companies)
def new(company_id: int):
    """Enter a fiscal year's figures."""
    company = outcome_company_or_404(current_user, company_id)
    require(can_record_outcomes(current_user, company))
    form = SnapshotForm(formdata=form_data())
    if not form.is_submitted():
        return _form_page(form, company)
    if not form.validate() or not claim_form(form):
        return _form_page(form, company, status=422)
    if fiscal_year_taken(company, form.fiscal_year.data):
        _year_taken(form)
        return _form_page(form, company, status=422)
    snapshot = create_snapshot(company, current_user, **form.details())
    try:
        return saved(form, lambda: url_for("outcomes.index", company_id=company.id),
                     _("Figures for %(year)s saved.", year=year_label(snapshot.fiscal_year)))
    except IntegrityError:  # the same year saved by someone else a moment ago
        db.session.rollback()
        _year_taken(form)
        return _form_page(form, company, status=422)


@bp.route("/outcomes/<int:snapshot_id>/edit", methods=["GET", "POST"])
@allowed(can_browse_companies)
def edit(snapshot_id: int):
    """Correct a fiscal year's figures; a save based on an old version is refused (409)."""
    snapshot = outcome_snapshot_or_404(current_user, snapshot_id)
    company = snapshot.company
    require(can_record_outcomes(current_user, company))
    form = SnapshotForm(formdata=form_data(), obj=snapshot)
    if not form.is_submitted():
        return _form_page(form, company, snapshot)
    if not form.validate() or fiscal_year_taken(company, form.fiscal_year.data, snapshot):
        if not form.errors:
            _year_taken(form)
        return _form_page(form, company, snapshot, 422)
    try:
        ensure_fresh(snapshot, form.version.data)
        update_snapshot(snapshot, **form.details())
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        form.version.data = snapshot.version
        return _form_page(form, company, snapshot, 409, stale=True)
    except IntegrityError:
        db.session.rollback()
        _year_taken(form)
        return _form_page(form, company, snapshot, 422)
    flash(_("Figures for %(year)s saved.", year=year_label(snapshot.fiscal_year)), "success")
    return redirect(url_for("outcomes.index", company_id=company.id))


@bp.app_context_processor
def outcome_helpers() -> dict:
    """Lets the company profile ask whether to link to the outcome pages."""
    return {"can_see_outcomes": can_see_outcomes}
