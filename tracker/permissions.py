"""Who may do what: the one place where access rules live.

Views and templates ask these functions; none of them writes a rule of its
own. Lists and look-ups start from the scoped queries here, so a record out
of the user's scope is simply not found (404); an in-scope action the role
may not take answers 403 (see DESIGN.md, "What each role may do").
"""

from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.models import Company, Contact, Engagement, EngagementMember, Region, Role, User, UserSession
from tracker.models.accounts import user_regions
from tracker.models.outcomes import OutcomeSnapshot

# ---- roles -----------------------------------------------------------------


def can_manage_accounts(user: User) -> bool:
    """Accounts, organisations, regions and catalogues are the admin's."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_use_profile(user: User) -> bool:
    """Everyone signed in keeps their own password and language."""
    return user.is_authenticated


def must_use_two_factor(user: User) -> bool:
    """Roles named in TWO_FACTOR_REQUIRED_ROLES sign in with a second factor, always."""
    return user.role.value in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def can_turn_off_two_factor(user: User) -> bool:
    """Anyone who chose a second factor may drop it, unless their role requires one."""
    return can_use_profile(user) and user.has_two_factor and not must_use_two_factor(user)


def can_renew_recovery_codes(user: User) -> bool:
    """Recovery codes belong to a second factor: only someone who has one makes new ones."""
    return can_use_profile(user) and user.has_two_factor


def can_browse_companies(user: User) -> bool:
    """Every role sees the company profiles of its regions (officials a summary)."""
    return user.is_authenticated


def can_edit_companies(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER, Role.CONSULTANT)


def can_see_case_details(user: User) -> bool:
    """Sessions, insights, actions and teams: never for regional officials."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER, Role.CONSULTANT)


def can_manage_engagements(user: User) -> bool:
    """Open an engagement, set its team, change its phase."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER)


def can_write_case_records(user: User) -> bool:
    """Log sessions, record insights and actions (admins read but do not write)."""
    return user.is_authenticated and user.role in (Role.MANAGER, Role.CONSULTANT)


def can_review_sessions(user: User) -> bool:
    return user.is_authenticated and user.role == Role.MANAGER


def can_edit_session(user: User, session) -> bool:
    """Writers edit a session report in any state but reviewed; once reviewed,
    only a manager (the reviewing role) may still correct it."""
    if not can_write_case_records(user):
        return False
    return session.state != "reviewed" or user.role == Role.MANAGER


def can_use_pipeline(user: User) -> bool:
    """The pipeline board: admins, managers and consultants (officials never)."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER, Role.CONSULTANT)


def can_manage_catalogues(user: User) -> bool:
    """The support-measure catalogue (and other reference lists) are the admin's."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_see_summaries(user: User) -> bool:
    """Regional summaries and their exports: admins, managers and officials (counts only)."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER, Role.OFFICIAL)


def sees_exact_figures(user: User) -> bool:
    """Officials see small counts of companies hidden ("<3"); the team sees them exact."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER)


def can_export_company_list(user: User) -> bool:
    """The company list of the user's scope as a file: admins and managers."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER)


def can_import_companies(user: User) -> bool:
    """Bulk import of companies from a file: admins anywhere, managers into their regions."""
    return user.is_authenticated and user.role in (Role.ADMIN, Role.MANAGER)


def can_search_notes(user: User) -> bool:
    """Search in the text of sessions, statements and insights, within the cases one
    may read: managers and consultants (officials never see the notes)."""
    return user.is_authenticated and user.role in (Role.MANAGER, Role.CONSULTANT)


def can_see_audit_log(user: User) -> bool:
    """The audit trail is the system owner's."""
    return user.is_authenticated and user.role == Role.ADMIN


def can_restore_deleted(user: User) -> bool:
    """Deleting is soft; only an admin sees deleted records and restores them."""
    return user.is_authenticated and user.role == Role.ADMIN


# ---- deleting (soft; see can_restore_deleted) --------------------------------
# Scope comes from the look-up (company_or_404, case_or_404...): these rules
# only say which roles may delete a record they have found.


def can_delete_company(user: User, company: Company) -> bool:
    """A company's whole history goes with it: admins, and the managers of its
    region. Consultants edit a company but do not delete it."""
    if not user.is_authenticated:
        return False
    return user.role == Role.ADMIN or (user.role == Role.MANAGER and _covers(user, company))


def can_delete_engagement(user: User, engagement: Engagement) -> bool:
    """Those who open engagements and set their teams."""
    return can_manage_engagements(user)


def can_delete_session(user: User, session) -> bool:
    """Those who may still edit the session report."""
    return can_edit_session(user, session)


def can_delete_case_record(user: User, record) -> bool:
    """Insights and actions: those who write the case's records."""
    return can_write_case_records(user)


def _on_a_team_of(user: User, company: Company) -> bool:
    """The user is on the team of one of the company's engagements."""
    return bool(db.session.scalar(sa.select(sa.exists().where(
        EngagementMember.user_id == user.id,
        EngagementMember.engagement_id == Engagement.id,
        Engagement.company_id == company.id,
    ))))


def _covers(user: User, company: Company) -> bool:
    return user.all_regions or company.region_id in user.region_ids


def _serves(user: User, company: Company) -> bool:
    """Admins, the managers of the company's region and the consultants on the
    team of one of its engagements: those who work with the company's people."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.MANAGER:
        return _covers(user, company)
    return user.role == Role.CONSULTANT and _on_a_team_of(user, company)


def can_see_outcomes(user: User, company: Company) -> bool:
    """A company's own outcome figures (成果指標): admins, the managers of its region
    and the consultants on its team. Officials see outcomes only as medians and
    distributions in the summaries, never one company's figures."""
    return _serves(user, company)


def can_see_contacts(user: User, company: Company) -> bool:
    """The company's contacts (names, titles, e-mails, phones) are personal data for
    the team: admins, the managers of its region and the consultants on the team of
    one of its engagements. Other consultants of the region see the profile without
    them; officials never. (Case pages, which name contacts as attendees, speakers
    and action owners, reach only these people already.)"""
    return _serves(user, company)


def can_edit_contacts(user: User, company: Company) -> bool:
    """Add or change a contact: those who see them and edit companies (not officials)."""
    return can_edit_companies(user) and can_see_contacts(user, company)


def can_record_outcomes(user: User, company: Company) -> bool:
    """Outcome snapshots are entered by the team: the managers of the company's
    region and the consultants on its team (admins read but do not write)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.MANAGER:
        return _covers(user, company)
    return user.role == Role.CONSULTANT and _on_a_team_of(user, company)


# ---- scope -----------------------------------------------------------------


def in_regions_of(user: User, region_id_column) -> sa.ColumnElement[bool]:
    """SQL condition: the region is one of the user's (or the user has all)."""
    if user.all_regions:
        return sa.true()
    return region_id_column.in_(sa.select(user_regions.c.region_id).where(user_regions.c.user_id == user.id))


def visible_companies(user: User) -> sa.Select:
    """Companies whose profile the user may open: those of the user's regions."""
    query = sa.select(Company)
    if user.role == Role.ADMIN:
        return query
    return query.where(in_regions_of(user, Company.region_id))


def regions_in_scope(user: User) -> sa.Select:
    """Regions the user works in: where they may record and find companies."""
    query = sa.select(Region).order_by(Region.code)
    if user.role == Role.ADMIN:
        return query
    return query.where(in_regions_of(user, Region.id))


def case_engagements(user: User) -> sa.Select:
    """Engagements whose records (team, sessions, insights, actions) the user may read.

    Admins: all. Managers: their regions. Consultants: those whose team they
    are on. Officials: none.
    """
    query = sa.select(Engagement)
    if user.role == Role.ADMIN:
        return query
    if user.role == Role.MANAGER:
        # A subquery rather than a join, so that callers may join Company themselves.
        company_ids = sa.select(Company.id).where(in_regions_of(user, Company.region_id))
        return query.where(Engagement.company_id.in_(company_ids))
    if user.role == Role.CONSULTANT:
        # The consultant's teams read once from the user_id index; a correlated EXISTS
        # made SQLite visit every engagement of the country (7 ms a statement at 9,000).
        teams = sa.select(EngagementMember.engagement_id).where(EngagementMember.user_id == user.id)
        return query.where(Engagement.id.in_(teams))
    return query.where(sa.false())


def case_engagement_ids(user: User) -> sa.Select:
    """The ids of case_engagements(user), for `... .in_()` conditions."""
    return case_engagements(user).with_only_columns(Engagement.id)


def scoped_to_cases(user: User, model) -> sa.Select:
    """Records of `model` (anything with an engagement_id) the user may read."""
    return sa.select(model).where(model.engagement_id.in_(case_engagement_ids(user)))


def team_candidates(company: Company) -> sa.Select:
    """Users who may join the team of `company`'s engagement: active managers and
    consultants whose regions cover the company's region."""
    covers_region = sa.or_(
        User.all_regions,
        sa.exists().where(user_regions.c.user_id == User.id, user_regions.c.region_id == company.region_id),
    )
    return sa.select(User).where(
        User.active.is_(True), User.role.in_((Role.MANAGER, Role.CONSULTANT)), covers_region
    )


# ---- load and authorise ------------------------------------------------------
# Every look-up of a record by its id goes through in_scope_or_404: the one path
# that answers 404 out of scope and writes the refusal to the audit trail
# (ASVS 16.3.2). `options` are the loader options (selectinload...) of the page.


def company_or_404(user: User, company_id: int, *options) -> Company:
    return in_scope_or_404(visible_companies(user).where(Company.id == company_id), Company, company_id, *options)


def contact_or_404(user: User, company_id: int, contact_id: int) -> Contact:
    """A contact of a company the user may see, or 404 (also when it is another company's)."""
    company_ids = visible_companies(user).with_only_columns(Company.id)
    query = sa.select(Contact).where(
        Contact.id == contact_id, Contact.company_id == company_id, Contact.company_id.in_(company_ids)
    )
    return in_scope_or_404(query, Contact, contact_id)


def engagement_or_404(user: User, engagement_id: int, *options) -> Engagement:
    query = case_engagements(user).where(Engagement.id == engagement_id)
    return in_scope_or_404(query, Engagement, engagement_id, *options)


def case_record_or_404(user: User, model, record_id: int, *options):
    """A session, insight, action or referral within the user's cases, or 404."""
    return in_scope_or_404(scoped_to_cases(user, model).where(model.id == record_id), model, record_id, *options)


def outcome_company_or_404(user: User, company_id: int) -> Company:
    """A company whose outcome pages the user may ask for. Officials never find one:
    single-company figures do not exist for them (404, and the refusal is noted)."""
    query = visible_companies(user).where(Company.id == company_id)
    if user.role == Role.OFFICIAL:
        query = query.where(sa.false())
    return in_scope_or_404(query, Company, company_id)


def outcome_snapshot_or_404(user: User, snapshot_id: int) -> OutcomeSnapshot:
    """An outcome snapshot of a company the user may see (never for officials), or 404."""
    company_ids = visible_companies(user).with_only_columns(Company.id)
    query = sa.select(OutcomeSnapshot).where(
        OutcomeSnapshot.id == snapshot_id, OutcomeSnapshot.company_id.in_(company_ids)
    )
    if user.role == Role.OFFICIAL:
        query = query.where(sa.false())
    return in_scope_or_404(query, OutcomeSnapshot, snapshot_id)


def company_import_or_404(user: User, import_id: int):
    """A company import the user uploaded (a file is its uploader's alone), or 404."""
    from tracker.models import CompanyImport

    query = sa.select(CompanyImport).where(CompanyImport.id == import_id, CompanyImport.user_id == user.id)
    return in_scope_or_404(query, CompanyImport, import_id)


def user_session_or_404(user: User, owner: User, session_id: int) -> UserSession:
    """One of `owner`'s signed-in sessions, which `user` may see and end: their own,
    or anyone's for an admin. Another person's session id answers 404 (audited)."""
    query = sa.select(UserSession).where(UserSession.id == session_id, UserSession.user_id == owner.id)
    if not can_manage_accounts(user):
        query = query.where(UserSession.user_id == user.id)
    return in_scope_or_404(query, UserSession, session_id)


def in_scope_or_404(query: sa.Select, model, record_id: int, *options):
    """What the scoped query finds (loaded with `options`), or 404.

    A record that exists out of the user's scope also goes to the audit trail:
    a refused access, though it answers 404. An id that names nothing (or a
    deleted record) is not noted: there was nothing to refuse.
    """
    record = db.session.scalar(query.options(*options) if options else query)
    if record is None:
        if db.session.get(model, record_id) is not None:
            from tracker.audit.trail import record_refusal  # the audit package imports this module

            record_refusal("access_refused", "404 out of scope", target=(model.__name__, record_id))
        abort(404)
    return record


def require(allowed_: bool) -> None:
    """403 unless allowed: for an in-scope record the role may not act on."""
    if not allowed_:
        abort(403)


def allowed(check):
    """Decorate a view: sign-in required, then `check(current_user)` or 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
