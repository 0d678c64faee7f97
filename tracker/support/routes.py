"""The catalogue of support measures and partners (admin), and referrals to them (the team)."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.extensions import db
from tracker.idempotency import claim_form, saved
from tracker.models import Referral, ReferralOutcome, SupportMeasure
from tracker.permissions import (
    allowed,
    can_manage_catalogues,
    can_write_case_records,
    case_record_or_404,
    engagement_or_404,
    require,
)
from tracker.support import bp
from tracker.support.forms import MeasureForm, OutcomeForm, ReferralForm
from tracker.support.services import SupportRuleBroken, create_measure, record_outcome, refer, update_measure


def _details(form: MeasureForm) -> dict:
    names = ("name", "name_en", "kind", "provider", "description", "active")
    # A text field missing from the post has None as data: count it as empty.
    return {name: "" if getattr(form, name).data is None else getattr(form, name).data for name in names}


def _refused(form, broken: SupportRuleBroken, template: str, **context):
    db.session.rollback()
    for field, message in broken.problems.items():
        getattr(form, field).errors.append(message)
    return render_template(template, form=form, **context), 422


# ---- the catalogue (admin) ----------------------------------------------------


@bp.get("/admin/measures")
@allowed(can_manage_catalogues)
def measures():
    """Every entry, active ones first, by kind and name."""
    entries = db.session.scalars(
        sa.select(SupportMeasure).order_by(
            SupportMeasure.active.desc(), SupportMeasure.kind, SupportMeasure.name
        )
    )
    return render_template("support/measures.html", measures=list(entries))


@bp.route("/admin/measures/new", methods=["GET", "POST"])
@allowed(can_manage_catalogues)
def new_measure():
    form = MeasureForm(formdata=form_data())
    if not form.is_submitted():
        return render_template("support/measure_form.html", form=form, measure=None)
    if not form.validate() or not claim_form(form):
        return render_template("support/measure_form.html", form=form, measure=None), 422
    try:
        measure = create_measure(_details(form))
    except SupportRuleBroken as broken:
        return _refused(form, broken, "support/measure_form.html", measure=None)
    return saved(form, lambda: url_for("support.measures"), _("%(name)s added to the catalogue.", name=measure.name))


@bp.route("/admin/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@allowed(can_manage_catalogues)
def edit_measure(measure_id: int):
    measure = db.get_or_404(SupportMeasure, measure_id)
    form = MeasureForm(formdata=form_data(), obj=None if request.method == "POST" else measure)
    if not form.is_submitted():
        return render_template("support/measure_form.html", form=form, measure=measure)
    if not form.validate():
        return render_template("support/measure_form.html", form=form, measure=measure), 422
    try:
        update_measure(measure, _details(form))
    except SupportRuleBroken as broken:
        return _refused(form, broken, "support/measure_form.html", measure=measure)
    db.session.commit()
    flash(_("Changes to %(name)s saved.", name=measure.name), "success")
    return redirect(url_for("support.measures"))


# ---- referrals (the team) -------------------------------------------------------


@bp.route("/engagements/<int:engagement_id>/referrals/new", methods=["GET", "POST"])
@login_required
def new_referral(engagement_id: int):
    """Refer the engagement to an active measure or partner of the catalogue."""
    engagement = engagement_or_404(current_user, engagement_id)
    require(can_write_case_records(current_user))
    active = list(
        db.session.scalars(
            sa.select(SupportMeasure)
            .where(SupportMeasure.active)
            .order_by(SupportMeasure.kind, SupportMeasure.name)
        )
    )
    form = ReferralForm(formdata=form_data())
    form.set_measures(active)
    context = {"engagement": engagement, "has_measures": bool(active)}
    if not form.is_submitted():
        return render_template("support/referral_new.html", form=form, **context)
    if not form.validate() or not claim_form(form):
        return render_template("support/referral_new.html", form=form, **context), 422
    measure = next(m for m in active if m.id == form.measure_id.data)
    try:
        refer(engagement, current_user, measure, form.referred_on.data, form.note.data)
    except SupportRuleBroken as broken:
        return _refused(form, broken, "support/referral_new.html", **context)
    return saved(form, lambda: url_for("engagements.show", engagement_id=engagement.id, _anchor="referrals"),
                 _("Referral to %(name)s recorded.", name=measure.display_name))


def _referral_or_404(referral_id: int) -> Referral:
    return case_record_or_404(current_user, Referral, referral_id)


@bp.route("/referrals/<int:referral_id>/edit", methods=["GET", "POST"])
@login_required
def edit_referral(referral_id: int):
    """Record what came of a referral."""
    referral = _referral_or_404(referral_id)
    require(can_write_case_records(current_user))
    form = OutcomeForm(formdata=form_data(), obj=None if request.method == "POST" else referral)
    if not form.is_submitted():
        return render_template("support/referral_edit.html", form=form, referral=referral)
    if not form.validate():
        return render_template("support/referral_edit.html", form=form, referral=referral), 422
    try:
        ensure_fresh(referral, form.version.data)
        record_outcome(referral, ReferralOutcome(form.outcome.data), form.outcome_note.data)
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        referral = _referral_or_404(referral_id)
        form.version.data = str(referral.version)
        form.form_errors.append(
            _("Someone else changed this referral while you were editing. What you typed is kept below; "
              "the referral as it now stands is shown above. Check, then save again.")
        )
        return render_template("support/referral_edit.html", form=form, referral=referral, stale=True), 409
    flash(_("Outcome saved."), "success")
    return redirect(url_for("engagements.show", engagement_id=referral.engagement_id, _anchor="referrals"))
