"""Engagement pages: open a case, read it, edit it, set its team, move its phase, tell its story."""

import sqlalchemy as sa
from babel.dates import format_skeleton
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from tracker.auth.pending import form_data
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.engagements import bp
from tracker.engagements.forms import EngagementForm, NewEngagementForm, PhaseChangeForm, TeamForm
from tracker.engagements.queries import case_or_404, case_records, days_in_phase
from tracker.engagements.services import (
    EngagementRuleBroken,
    change_phase,
    delete_engagement,
    local_today,
    open_engagement,
    set_team,
    update_engagement,
)
from tracker.engagements.timeline import by_month, journey
from tracker.extensions import db
from tracker.forms import ConfirmForm
from tracker.idempotency import claim_form, saved
from tracker.models import ClosingReason, Company, Engagement, Phase, ReferralSource, User
from tracker.permissions import (
    can_delete_engagement,
    can_manage_engagements,
    can_write_case_records,
    company_or_404,
    require,
    team_candidates,
)


def month_label(day) -> str:
    """A month heading in the reader's language: "April 2024", "2024年4月"."""
    return format_skeleton("yMMMM", day, locale=get_locale())


@bp.context_processor
def page_helpers() -> dict:
    return {"month_label": month_label, "days_in_phase": days_in_phase}


def _shown(record):
    """Fill a form from the record only when it is shown, never over a post."""
    return None if request.method == "POST" else record


def _people(company: Company, engagement: Engagement | None = None) -> list[User]:
    """Who may be chosen for the team; current members stay listed so they can be kept or removed."""
    eligible = team_candidates(company).with_only_columns(User.id)
    current = [member.user_id for member in engagement.members] if engagement else []
    query = sa.select(User).where(sa.or_(User.id.in_(eligible), User.id.in_(current)))
    return list(db.session.scalars(query.options(joinedload(User.organisation)).order_by(User.name, User.id)))


def _team(form, people) -> tuple[list[User], User]:
    by_id = {user.id: user for user in people}
    member_ids, lead_id = form.chosen_ids()
    return [by_id[user_id] for user_id in member_ids], by_id[lead_id]


def _refused(form, broken: EngagementRuleBroken, template: str, **context):
    db.session.rollback()
    for field, message in broken.problems.items():
        getattr(form, field).errors.append(message)
    return render_template(template, form=form, **context), 422


def _stale(form, engagement_id: int, template: str, **context):
    """Someone saved first: show the engagement as it now stands, keep what was typed (409)."""
    db.session.rollback()
    engagement = case_or_404(current_user, engagement_id)
    form.version.data = str(engagement.version)
    form.form_errors.append(
        _("Someone else changed this engagement while you were editing. What you typed is kept below; "
          "the engagement as it now stands is shown above. Check, then save again.")
    )
    return render_template(template, form=form, engagement=engagement, stale=True, **context), 409


@bp.route("/companies/<int:company_id>/engagements/new", methods=["GET", "POST"])
@login_required
def new(company_id: int):
    """Open an engagement for a company: theme, referral, start, team, first phase."""
    company = company_or_404(current_user, company_id)
    require(can_manage_engagements(current_user))
    people = _people(company)
    form = NewEngagementForm(formdata=form_data())
    form.set_people(people)
    if not form.is_submitted():
        return render_template("engagements/new.html", form=form, company=company)
    if not form.validate() or not claim_form(form):
        return render_template("engagements/new.html", form=form, company=company), 422
    members, lead = _team(form, people)
    try:
        engagement = open_engagement(
            company, current_user, theme=form.theme.data,
            referral_source=ReferralSource(form.referral_source.data), referral_note=form.referral_note.data,
            started_on=form.started_on.data, phase=Phase(form.phase.data), members=members, lead=lead,
        )
    except EngagementRuleBroken as broken:
        return _refused(form, broken, "engagements/new.html", company=company)
    return saved(form, lambda: url_for("engagements.show", engagement_id=engagement.id),
                 _("Engagement opened for %(company)s.", company=company.name))


@bp.get("/engagements/<int:engagement_id>")
@login_required
def show(engagement_id: int):
    """The case: who, what, which phase since when, and everything recorded below it."""
    engagement = case_or_404(current_user, engagement_id)
    return render_template(
        "engagements/show.html", engagement=engagement, records=case_records(current_user, engagement),
        today=local_today(), can_manage=can_manage_engagements(current_user),
        can_write=can_write_case_records(current_user), can_delete=can_delete_engagement(current_user, engagement),
    )


@bp.route("/engagements/<int:engagement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(engagement_id: int):
    engagement = case_or_404(current_user, engagement_id)
    require(can_manage_engagements(current_user))
    form = EngagementForm(formdata=form_data(), obj=_shown(engagement))
    if not form.is_submitted():
        return render_template("engagements/edit.html", form=form, engagement=engagement)
    if not form.validate():
        return render_template("engagements/edit.html", form=form, engagement=engagement), 422
    try:
        ensure_fresh(engagement, form.version.data)
        update_engagement(
            engagement, theme=form.theme.data, referral_source=ReferralSource(form.referral_source.data),
            referral_note=form.referral_note.data,
        )
        db.session.commit()
    except (StaleEdit, StaleDataError):
        return _stale(form, engagement_id, "engagements/edit.html")
    flash(_("Engagement saved."), "success")
    return redirect(url_for("engagements.show", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/team", methods=["GET", "POST"])
@login_required
def team(engagement_id: int):
    """Choose the team members and the one lead."""
    engagement = case_or_404(current_user, engagement_id)
    require(can_manage_engagements(current_user))
    people = _people(engagement.company, engagement)
    shown = {
        "members": [member.user_id for member in engagement.members],
        "lead": engagement.lead.id if engagement.lead else 0,
        "version": engagement.version,
    }
    form = TeamForm(formdata=form_data(), data=_shown(shown))
    form.set_people(people)
    if not form.is_submitted():
        return render_template("engagements/team.html", form=form, engagement=engagement)
    if not form.validate():
        return render_template("engagements/team.html", form=form, engagement=engagement), 422
    try:
        ensure_fresh(engagement, form.version.data)
        set_team(engagement, *_team(form, people))
        db.session.commit()
    except (StaleEdit, StaleDataError):
        return _stale(form, engagement_id, "engagements/team.html")
    flash(_("Team saved."), "success")
    return redirect(url_for("engagements.show", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/phase", methods=["GET", "POST"], endpoint="change_phase")
@login_required
def phase(engagement_id: int):
    """Move the engagement to another phase, with a date and a reason."""
    engagement = case_or_404(current_user, engagement_id)
    require(can_manage_engagements(current_user))
    form = PhaseChangeForm(formdata=form_data(), data=_shown(_phase_defaults(engagement)))
    if not form.is_submitted():
        return render_template("engagements/phase.html", form=form, engagement=engagement)
    if not form.validate():
        return render_template("engagements/phase.html", form=form, engagement=engagement), 422
    closing_reason = ClosingReason(form.closing_reason.data) if form.closing_reason.data else None
    try:
        ensure_fresh(engagement, form.version.data)
        change = change_phase(
            engagement, current_user, Phase(form.to_phase.data), form.changed_on.data, form.reason.data,
            closing_reason,
        )
        db.session.commit()
    except EngagementRuleBroken as broken:
        return _refused(form, broken, "engagements/phase.html", engagement=engagement)
    except (StaleEdit, StaleDataError):
        return _stale(form, engagement_id, "engagements/phase.html")
    flash(_("Phase changed to %(phase)s.", phase=change.to_phase.label), "success")
    return redirect(url_for("engagements.show", engagement_id=engagement.id))


@bp.route("/engagements/<int:engagement_id>/delete", methods=["GET", "POST"])
@login_required
def delete(engagement_id: int):
    """Ask, then delete the engagement and so everything recorded in it (an admin can restore it)."""
    engagement = case_or_404(current_user, engagement_id)
    require(can_delete_engagement(current_user, engagement))
    form = ConfirmForm()
    if not form.validate_on_submit():
        record = _("Engagement with %(company)s, started on %(day)s", company=engagement.company.name,
                   day=format_date(engagement.started_on))
        return render_template(
            "confirm_delete.html", form=form, heading=_("Delete this engagement?"), record=record,
            consequences=[_("Its sessions, insights, actions and referrals go with it.")],
            cancel_url=url_for("engagements.show", engagement_id=engagement.id),
        )
    delete_engagement(engagement, current_user)
    db.session.commit()
    flash(_("The engagement has been deleted. An administrator can restore it."), "success")
    return redirect(url_for("companies.show", company_id=engagement.company_id))


def _phase_defaults(engagement: Engagement) -> dict:
    """Suggest the next phase of the lifecycle (a closed case: none)."""
    phases = list(Phase)
    following = phases[phases.index(engagement.phase) + 1] if engagement.phase != Phase.CLOSED else None
    return {"to_phase": following, "version": engagement.version}


@bp.get("/engagements/<int:engagement_id>/timeline")
@login_required
def timeline(engagement_id: int):
    """The company's journey: every session, insight, action, referral and phase change, oldest first."""
    engagement = case_or_404(current_user, engagement_id)
    page = journey(current_user, engagement, request.args.get("page", 1, type=int))
    return render_template(
        "engagements/timeline.html", engagement=engagement, months=by_month(page.events), journey=page
    )
