"""Import pages: upload a file, see what it would do, confirm, watch the progress.

Works as plain form posts; static/js/import.js adds an upload bar and a
progress bar fed by the JSON status of the running import.
"""

from flask import current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.audit.trail import record_refusal
from tracker.extensions import db
from tracker.idempotency import claim_form, saved
from tracker.imports import bp
from tracker.imports.forms import ConfirmForm, UploadForm
from tracker.imports.presenting import FIELD_LABELS, progress_label
from tracker.imports.progress import DatabaseProgress
from tracker.imports.reading import FileProblem, Limits
from tracker.imports.services import (
    ChangedMeanwhile,
    ImportRefused,
    claim,
    keep_for_import,
    preview_file,
    release,
    run_import,
)
from tracker.imports.slots import NoFreeSlot, reading_slot
from tracker.models import ImportState
from tracker.permissions import allowed, can_import_companies, company_import_or_404

SHOWN_ERRORS = 500


@bp.app_context_processor
def import_helpers() -> dict:
    """Lets the company list ask whether to offer the import."""
    return {"can_import_companies": can_import_companies}


def _max_bytes() -> int:
    """The app's one upload limit (MAX_UPLOAD_MB, 10 MB: about 80,000 rows of CSV).
    Werkzeug refuses a larger request before it reaches the view; this check
    catches a file that fits only because the limit was raised elsewhere."""
    return current_app.config["MAX_CONTENT_LENGTH"]


def _upload_page(form, status=200, headers=None):
    """The upload form, with its errors beside the file field."""
    return render_template("imports/upload.html", form=form, max_bytes=_max_bytes()), status, headers or {}


def _busy_page(form, busy: NoFreeSlot):
    """Every reading slot is taken: refused at once (429), audited, with when to try again."""
    record_refusal("throttled", f"import: {busy}")
    form.file.errors.append(_("Another file is being read just now, so this one was not read. Choose it again "
                              "and send it in a minute."))
    return _upload_page(form, 429, {"Retry-After": str(busy.retry_after)})


def _preview_page(report: dict, errors=(), record=None, status=200, **context):
    return render_template(
        "imports/preview.html", report=report, errors=list(errors)[:SHOWN_ERRORS], error_count=len(errors),
        error_rows=len({error.row for error in errors}), record=record, labels=FIELD_LABELS,
        confirm=ConfirmForm(), **context,
    ), status


@bp.route("/", methods=["GET", "POST"])
@allowed(can_import_companies)
def upload():
    """Upload a file; with errors, the report comes back (422) and nothing is kept.
    While other files are being read (IMPORT_MAX_CONCURRENT), it is refused unread (429)."""
    form = UploadForm()
    if not form.is_submitted():
        return _upload_page(form)
    if not form.validate():
        return _upload_page(form, 422)
    data = form.file.data.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        form.file.errors.append(_("The file is larger than %(size)d MB: split it into smaller files.",
                                  size=_max_bytes() // (1024 * 1024)))
        return _upload_page(form, 413)
    filename = form.file.data.filename or "upload"
    try:
        with reading_slot(current_user, current_app.config):
            table, plan = preview_file(filename, data, current_user, Limits.from_config(current_app.config))
    except NoFreeSlot as busy:
        return _busy_page(form, busy)
    except FileProblem as problem:
        form.file.errors.append(str(problem.message))  # a plain str, so that Jinja escapes it
        return _upload_page(form, 422)
    if plan.errors:
        return _preview_page(plan.report() | {"ignored": table.ignored}, plan.errors, status=422,
                             filename=filename, upload_form=UploadForm(formdata=None))
    # Claimed only now: on SQLite the claim takes the write lock, which reading the file must not hold.
    if not claim_form(form):
        return _upload_page(form, 422)
    record = keep_for_import(current_user, filename, table, plan)
    return saved(form, lambda: url_for("imports.preview", import_id=record.id), None, 303)


@bp.get("/<int:import_id>")
@allowed(can_import_companies)
def preview(import_id: int):
    """What the kept file will do; once imported, what it did."""
    record = company_import_or_404(current_user, import_id)
    return _preview_page(record.report, record=record, filename=record.filename)


@bp.post("/<int:import_id>")
@allowed(can_import_companies)
def confirm(import_id: int):
    """Import the previewed file: all rows in one transaction, or none."""
    record = company_import_or_404(current_user, import_id)  # CSRFProtect has checked the form's token
    if record.state == ImportState.DONE:
        return redirect(url_for("imports.preview", import_id=record.id), 303)
    if not claim(record):
        return _preview_page(record.report, record=record, filename=record.filename, status=409, busy=True)
    try:
        created, updated = run_import(record, current_user, DatabaseProgress(record.id))
        db.session.commit()
    except ImportRefused as refused:
        db.session.rollback()
        release(record, ImportState.FAILED)
        return _preview_page(refused.plan.report(), refused.plan.errors, status=422, filename=record.filename,
                             refused=True, upload_form=UploadForm(formdata=None))
    except (ChangedMeanwhile, IntegrityError):
        db.session.rollback()
        release(record)
        db.session.refresh(record)
        return _preview_page(record.report, record=record, filename=record.filename, status=409, changed=True)
    except Exception:
        db.session.rollback()
        release(record)
        raise
    flash(_("Import finished: %(created)d companies created, %(updated)d updated.", created=created,
            updated=updated), "success")
    return redirect(url_for("imports.preview", import_id=record.id), 303)


@bp.get("/<int:import_id>/status")
@allowed(can_import_companies)
def status(import_id: int):
    """The progress of the import, for the browser's progress bar."""
    record = company_import_or_404(current_user, import_id)
    return jsonify(state=record.state.value, step=record.step, processed=record.processed, total=record.total,
                   label=progress_label(record), url=url_for("imports.preview", import_id=record.id))
