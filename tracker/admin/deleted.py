"""The admin's page of deleted records, and restoring one (deleting is soft)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.admin import bp
from tracker.admin.deletions import KINDS, deleted_listing, record_or_404, restore
from tracker.engagements.services import RestoreRefused
from tracker.extensions import db
from tracker.permissions import allowed, can_restore_deleted


def _shown_kind() -> str:
    """The kind filter of the list ("" for every kind); unknown values are ignored."""
    kind = request.args.get("kind", "")
    return kind if kind in KINDS else ""


def _listing_page(status: int = 200, refused=None):
    kind = _shown_kind()
    page = request.args.get("page", 1, type=int)
    listing = deleted_listing(kind or None, page, current_app.config["PER_PAGE"])
    return render_template(
        "admin/deleted.html", listing=listing, kind=kind, kinds=KINDS, refused=refused,
    ), status


@bp.get("/deleted")
@allowed(can_restore_deleted)
def deleted():
    """Deleted companies, engagements, sessions, insights and actions, the latest first."""
    return _listing_page()


@bp.post("/deleted/<record_kind>/<int:record_id>/restore")
@allowed(can_restore_deleted)
def restore_deleted(record_kind: str, record_id: int):
    """Bring one record back; refused (409) while the case or company it belongs to is deleted.

    The query string carries the list's filter and page, to come back to.
    """
    if record_kind not in KINDS:
        abort(404)
    record = record_or_404(record_kind, record_id)
    back = url_for("admin.deleted", kind=_shown_kind() or None, page=request.args.get("page", type=int))
    if not record.is_deleted:  # restored meanwhile, e.g. by another admin
        flash(_("This record is not deleted: there is nothing to restore."), "info")
        return redirect(back)
    try:
        engagements_back = restore(record_kind, record)
    except RestoreRefused as refused:
        db.session.rollback()
        return _listing_page(409, refused=refused.message)
    db.session.commit()
    message = _("The record has been restored and is shown again.")
    if record_kind == "company" and engagements_back:
        message += " " + ngettext(
            "The engagement deleted with the company is back too.",
            "The %(num)d engagements deleted with the company are back too.", engagements_back,
        )
    flash(message, "success")
    return redirect(back)
