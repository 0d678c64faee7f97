"""How an import's findings are put into words: column names, progress, the text report."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "corporate_number": _l("Corporate number"),
    "name": _l("Company name"),
    "kana": _l("Reading (kana)"),
    "prefecture": _l("Prefecture"),
    "municipality": _l("City, town or village"),
    "region_id": _l("Region"),
    "industry_code": _l("Industry (JSIC)"),
    "employees": _l("Employees"),
    "capital": _l("Capital (yen)"),
    "leader_selection_year": _l("Selected as a Regional Future Leading Company (year)"),
    "representative": _l("Representative"),
}


def progress_label(record) -> str:
    """One line saying where a running import is."""
    if record.state.value == "done":
        return _("Import finished: %(created)d companies created, %(updated)d updated.",
                 created=record.created_count or 0, updated=record.updated_count or 0)
    if record.step == "saving":
        if record.processed:
            return _("Saving: %(done)s of %(total)s companies", done=f"{record.processed:,}",
                     total=f"{record.total:,}")
        return _("Saving the companies…")
    if record.step == "checking":
        return _("Checking: %(done)s of %(total)s rows", done=f"{record.processed:,}", total=f"{record.total:,}")
    return _("Waiting to start…")


def text_report(plan, filename: str) -> list[str]:
    """The preview as lines of text, for the command line."""
    lines = [_("%(file)s: %(total)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
               "%(errors)d with errors.", file=filename, total=plan.total, new=len(plan.new),
               updated=len(plan.updates), unchanged=plan.unchanged, errors=plan.error_rows)]
    for entry in plan.report()["new_regions"]:
        lines.append(_("New region: %(name)s (%(code)s), %(rows)d rows.", name=entry["name"], code=entry["code"],
                       rows=entry["rows"]))
    for update in plan.updates[:20]:
        changes = "; ".join(f"{FIELD_LABELS[name]}: {before or '–'} → {after or '–'}"
                            for name, (before, after) in update.changed.items())
        lines.append(_("Row %(row)d, %(name)s: %(changes)s", row=update.row, name=update.values["name"],
                       changes=changes))
    for error in plan.errors:
        lines.append(_("Row %(row)d, %(column)s: %(message)s", row=error.row, column=FIELD_LABELS[error.column],
                       message=error.message))
    return lines
