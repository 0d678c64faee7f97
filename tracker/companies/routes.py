"""Company pages: the list, a profile, and the forms for companies and their contacts."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.trail import record_refusal
from tracker.auth.pending import form_data
from tracker.companies import bp
from tracker.companies.forms import CompanyForm, ContactForm
from tracker.companies.queries import (
    NO_ENGAGEMENT,
    CompanyFilters,
    company_list,
    current_engagements,
    engagement_count,
    engagements_of,
    readable_engagement_ids,
    support_summaries,
    support_summary,
)
from tracker.companies.services import (
    add_contact,
    contact_version,
    create_company,
    delete_company,
    find_duplicates,
    update_company,
    update_contact,
)
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.extensions import db
from tracker.forms import ConfirmForm
from tracker.idempotency import claim_form, saved
from tracker.models import Industry, Phase
from tracker.permissions import (
    allowed,
    can_browse_companies,
    can_delete_company,
    can_edit_companies,
    can_edit_contacts,
    can_manage_engagements,
    can_see_case_details,
    can_see_contacts,
    company_or_404,
    contact_or_404,
    regions_in_scope,
    require,
)


def _industries() -> list[Industry]:
    return list(db.session.scalars(sa.select(Industry).order_by(Industry.code)))


def _industry_groups(industries) -> list[tuple[Industry, list[Industry]]]:
    """JSIC as (major group, its middle groups), for grouped lists."""
    majors = [industry for industry in industries if industry.major_code is None]
    return [(major, [i for i in industries if i.major_code == major.code]) for major in majors]


def _filters(regions, industries) -> CompanyFilters:
    """The list's filters from the query string; values outside the choices are ignored."""
    region = request.args.get("region", type=int)
    industry = request.args.get("industry", "")
    phase = request.args.get("phase", "")
    return CompanyFilters(
        q=request.args.get("q", "").strip()[:100],
        region=region if region in {r.id for r in regions} else None,
        industry=industry if industry in {i.code for i in industries} else "",
        phase=phase if phase == NO_ENGAGEMENT or phase in Phase._value2member_map_ else "",
    )


@bp.get("/")
@allowed(can_browse_companies)
def index():
    """The companies of the user's regions: search, filters, current phase."""
    regions = list(db.session.scalars(regions_in_scope(current_user)))
    industries = _industries()
    filters = _filters(regions, industries)
    per_page = current_app.config["PER_PAGE"]
    page = db.paginate(company_list(current_user, filters), per_page=per_page, error_out=False)
    company_ids = [company.id for company in page.items]
    # Officials get the support summary of each company and nothing of the team's working columns.
    details = can_see_case_details(current_user)
    return render_template(
        "companies/index.html", page=page, filters=filters, regions=regions,
        industry_groups=_industry_groups(industries), phases=list(Phase), no_engagement=NO_ENGAGEMENT,
        details=details, current=current_engagements(company_ids) if details else {},
        summaries={} if details else support_summaries(company_ids),
        can_edit=can_edit_companies(current_user),
    )


@bp.get("/<int:company_id>")
@allowed(can_browse_companies)
def show(company_id: int):
    """A company's profile; officials see the summary of its support, not the case."""
    company = company_or_404(current_user, company_id)
    engagements = engagements_of(company)
    major = db.session.get(Industry, company.industry.major_code) if company.industry else None
    details = can_see_case_details(current_user)
    return render_template(
        "companies/show.html", company=company, major=major, summary=support_summary(company, engagements),
        details=details, engagements=engagements if details else [],
        readable=readable_engagement_ids(current_user, company) if details else set(),
        can_edit=can_edit_companies(current_user), can_open_engagement=can_manage_engagements(current_user),
        can_delete=can_delete_company(current_user, company),
        show_contacts=can_see_contacts(current_user, company),
        can_edit_contacts=can_edit_contacts(current_user, company),
    )


# ---- company form ------------------------------------------------------------


def _company_form(company=None) -> CompanyForm:
    form = CompanyForm(formdata=form_data(), obj=company)
    form.set_choices(db.session.scalars(regions_in_scope(current_user)), _industries())
    return form


def _company_page(form, company=None, status=200, **context):
    return render_template("companies/form.html", form=form, company=company, **context), status


def _duplicate_problem(form: CompanyForm, duplicates) -> bool:
    """True if the form must come back: a taken corporate number, or an unconfirmed same name."""
    if duplicates.same_number is not None:
        if not duplicates.number_in_scope:
            # Out of the user's regions: neither where nor whether it is deleted, only that the number is taken.
            message = _("This corporate number cannot be used.")
            record_refusal("access_refused", "corporate number held out of scope",
                           target=("Company", duplicates.same_number.id))
        elif duplicates.same_number.is_deleted:
            message = _("A deleted company has this corporate number: an administrator can restore it.")
        else:
            message = _("%(name)s already has this corporate number.", name=duplicates.same_number.name)
        form.corporate_number.errors.append(message)
        return True
    return bool(duplicates.same_name) and not form.save_anyway.data


def _number_taken(form, company=None):
    """The unique corporate number was taken by a save made at the same moment."""
    db.session.rollback()
    form.corporate_number.errors.append(_("This corporate number cannot be used."))
    return _company_page(form, company, 422)


@bp.route("/new", methods=["GET", "POST"])
@allowed(can_edit_companies)
def new():
    """Record a company; a likely duplicate is shown before anything is saved."""
    form = _company_form()
    if not form.is_submitted():
        return _company_page(form)
    if not form.validate() or not claim_form(form):
        return _company_page(form, status=422)
    duplicates = find_duplicates(form.details(), current_user)
    if _duplicate_problem(form, duplicates):
        return _company_page(form, status=422, duplicates=duplicates)
    company = create_company(form.details())
    try:
        return saved(form, lambda: url_for("companies.show", company_id=company.id),
                     _("%(name)s has been recorded.", name=company.name))
    except IntegrityError:
        return _number_taken(form)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@allowed(can_browse_companies)
def edit(company_id: int):
    """Change a company's profile; a save based on an old version is refused (409)."""
    company = company_or_404(current_user, company_id)
    require(can_edit_companies(current_user))
    form = _company_form(company)
    if not form.is_submitted():
        return _company_page(form, company)
    if not form.validate():
        return _company_page(form, company, 422)
    duplicates = find_duplicates(form.details(), current_user, company)
    if _duplicate_problem(form, duplicates):
        return _company_page(form, company, 422, duplicates=duplicates)
    try:
        ensure_fresh(company, form.version.data)
        update_company(company, form.details())
        db.session.commit()
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        form.version.data = company.version
        return _company_page(form, company, 409, stale=True)
    except IntegrityError:
        return _number_taken(form, company)
    flash(_("Changes to %(name)s saved.", name=company.name), "success")
    return redirect(url_for("companies.show", company_id=company.id))


@bp.route("/<int:company_id>/delete", methods=["GET", "POST"])
@allowed(can_browse_companies)
def delete(company_id: int):
    """Ask, then delete the company with its engagements (soft: an admin can restore them)."""
    company = company_or_404(current_user, company_id)
    require(can_delete_company(current_user, company))
    form = ConfirmForm()
    if not form.validate_on_submit():
        count = engagement_count(company)
        consequences = [ngettext(
            "Its engagement, with its sessions, insights and actions, goes with it.",
            "Its %(num)d engagements, with their sessions, insights and actions, go with it.", count,
        )] if count else []
        return render_template(
            "confirm_delete.html", form=form, heading=_("Delete this company?"), record=company.name,
            consequences=consequences, cancel_url=url_for("companies.show", company_id=company.id),
        )
    delete_company(company, current_user)
    db.session.commit()
    flash(_("%(name)s has been deleted. An administrator can restore it.", name=company.name), "success")
    return redirect(url_for("companies.index"))


# ---- contacts ----------------------------------------------------------------


def _contact_page(form, company, contact=None, status=200, **context):
    return render_template(
        "companies/contact_form.html", form=form, company=company, contact=contact, **context
    ), status


@bp.route("/<int:company_id>/contacts/new", methods=["GET", "POST"])
@allowed(can_browse_companies)
def new_contact(company_id: int):
    """Add a person at the company (the team's: see can_see_contacts)."""
    company = company_or_404(current_user, company_id)
    require(can_edit_contacts(current_user, company))
    form = ContactForm(formdata=form_data())
    if not form.is_submitted():
        return _contact_page(form, company)
    if not form.validate() or not claim_form(form):
        return _contact_page(form, company, status=422)
    contact = add_contact(company, form.details())
    return saved(form, lambda: url_for("companies.show", company_id=company.id, _anchor="contacts"),
                 _("%(name)s has been added.", name=contact.name))


@bp.route("/<int:company_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allowed(can_browse_companies)
def edit_contact(company_id: int, contact_id: int):
    """Change a contact of this company (another company's contact is not found)."""
    company = company_or_404(current_user, company_id)
    require(can_edit_contacts(current_user, company))
    contact = contact_or_404(current_user, company.id, contact_id)
    form = ContactForm(formdata=form_data(), obj=contact, version=contact_version(contact))
    if not form.is_submitted():
        return _contact_page(form, company, contact)
    if not form.validate():
        return _contact_page(form, company, contact, 422)
    try:
        update_contact(contact, form.details(), form.version.data)
    except StaleEdit:
        db.session.rollback()
        form.version.data = contact_version(contact)
        return _contact_page(form, company, contact, 409, stale=True)
    db.session.commit()
    flash(_("Changes to %(name)s saved.", name=contact.name), "success")
    return redirect(url_for("companies.show", company_id=company.id, _anchor="contacts"))
