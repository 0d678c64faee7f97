"""User administration pages (admin only)."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.admin import bp
from tracker.admin.forms import NewUserForm, PasswordResetForm, TwoFactorResetForm, UserForm
from tracker.admin.services import AccountRuleBroken, create_user, update_user
from tracker.auth.services import set_password
from tracker.auth.sessions import described_sessions
from tracker.auth.two_factor import reset_by_admin
from tracker.extensions import db
from tracker.idempotency import claim_form, saved
from tracker.models import Organisation, Region, Role, User
from tracker.permissions import allowed, can_manage_accounts


def _choices(form):
    """Fill the organisation and region choices of a user form."""
    form.set_choices(
        db.session.scalars(sa.select(Organisation).order_by(Organisation.name)),
        db.session.scalars(sa.select(Region).order_by(Region.code)),
    )
    return form


def _details(form: UserForm) -> dict:
    return {
        "name": form.name.data,
        "email": form.email.data,
        "organisation_id": form.organisation_id.data or None,
        "role": form.role.data,
        "all_regions": form.all_regions.data,
        "region_ids": form.region_ids.data or [],
        "language": form.language.data,
        "active": form.active.data,
    }


def _refused(form, broken: AccountRuleBroken, template: str, **context):
    db.session.rollback()
    getattr(form, broken.field).errors.append(broken.message)
    return render_template(template, form=form, **context), 422


@bp.get("/users")
@allowed(can_manage_accounts)
def users():
    """All accounts, searchable by name or email, filterable by role and state."""
    query = sa.select(User).options(sa.orm.selectinload(User.organisation)).order_by(User.name, User.id)
    text = request.args.get("q", "").strip()[:100]
    if text:
        query = query.where(
            sa.or_(User.name.icontains(text, autoescape=True), User.email.icontains(text, autoescape=True))
        )
    role = request.args.get("role", "")
    if role in Role._value2member_map_:
        query = query.where(User.role == role)
    state = request.args.get("state", "")
    if state in ("active", "disabled"):
        query = query.where(User.active.is_(state == "active"))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", page=page, q=text, role=role, state=state, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@allowed(can_manage_accounts)
def new_user():
    form = _choices(NewUserForm())
    if not form.is_submitted():
        return render_template("admin/user_form.html", form=form, user=None)
    if not form.validate() or not claim_form(form):
        return render_template("admin/user_form.html", form=form, user=None), 422
    try:
        user = create_user(_details(form), form.password.data)
    except AccountRuleBroken as broken:
        return _refused(form, broken, "admin/user_form.html", user=None)
    return saved(form, lambda: url_for("admin.users"), _("Account created for %(name)s.", name=user.name))


def _user_page(user: User, reset: PasswordResetForm | None = None) -> dict:
    """What the user's edit page shows beside its form: the password reset, the
    second-factor reset and the account's signed-in sessions."""
    return {"user": user, "reset": reset or PasswordResetForm(formdata=None),
            "two_factor_reset": TwoFactorResetForm(), "sessions": described_sessions(user)}


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allowed(can_manage_accounts)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _choices(UserForm(obj=user))
    context = _user_page(user)
    if not form.is_submitted():
        return render_template("admin/user_form.html", form=form, **context)
    if not form.validate():
        return render_template("admin/user_form.html", form=form, **context), 422
    try:
        update_user(user, _details(form), acting=current_user)
    except AccountRuleBroken as broken:
        return _refused(form, broken, "admin/user_form.html", **context)
    db.session.commit()
    flash(_("Changes to %(name)s saved.", name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@allowed(can_manage_accounts)
def reset_password(user_id: int):
    """Set a new password for someone; their sessions end everywhere."""
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    if not reset.validate():
        form = _choices(UserForm(obj=user, formdata=None))
        return render_template("admin/user_form.html", form=form, **_user_page(user, reset=reset)), 422
    set_password(user, reset.password.data)
    db.session.commit()
    flash(_("New password set for %(name)s. They have been signed out everywhere.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/two-factor/reset")
@allowed(can_manage_accounts)
def reset_two_factor(user_id: int):
    """Remove someone's second factor (a lost phone): audited, signed out everywhere,
    they set it up again at their next sign-in if their role requires it."""
    user = db.get_or_404(User, user_id)
    if not TwoFactorResetForm().validate():
        abort(400)
    reset_by_admin(user)
    db.session.commit()
    flash(_("Two-factor sign-in of %(name)s has been reset. They have been signed out everywhere.",
            name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
