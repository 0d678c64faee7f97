"""The regional summary page and its exports (CSV, XLSX, and the company list)."""

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.trail import record_event
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.outcomes.services import indicator_changes
from tracker.permissions import (
    allowed,
    can_export_company_list,
    can_see_summaries,
    regions_in_scope,
    sees_exact_figures,
)
from tracker.pipeline.fiscal import fiscal_year, year_label, year_quarter_label
from tracker.summaries import bp
from tracker.summaries.charts import bar_charts
from tracker.summaries.exports import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    company_list_csv,
    summary_csv,
    summary_xlsx,
)
from tracker.summaries.forms import SummaryForm
from tracker.summaries.queries import Scope, company_ids, summary_figures
from tracker.summaries.tables import outcome_table, summary_tables


def _read_choice():
    """The form and, when its choice is valid, the scope it describes (else None)."""
    regions = list(db.session.scalars(regions_in_scope(current_user)))
    current = fiscal_year(local_today())
    form = SummaryForm(request.args or None, regions=regions, current_year=current, data={"fy": str(current)})
    if request.args and not form.validate():
        return form, regions, None
    quarter = int(form.quarter.data) if form.quarter.data else None
    return form, regions, Scope(current_user, form.region_ids(), int(form.fy.data), quarter)


def _minimum() -> int:
    return 0 if sees_exact_figures(current_user) else current_app.config["SMALL_CELL_MINIMUM"]


def _tables(scope: Scope) -> list:
    """Every table of the summary, protected for officials; the page and the exports show these."""
    minimum = _minimum()
    tables = summary_tables(summary_figures(scope), scope, minimum)
    return [*tables, outcome_table(indicator_changes(company_ids(scope)), minimum)]


def _period_label(scope: Scope) -> str:
    return year_quarter_label(scope.year, scope.quarter) if scope.quarter else year_label(scope.year)


def _heading(scope: Scope, regions) -> list[tuple[str, str]]:
    """What a file says about itself: regions, period, and the small-cell rule when applied."""
    names = [region.name for region in regions if region.id in scope.region_ids]
    heading = [(_("Regional summary"), ""), (_("Regions"), ", ".join(names)), (_("Period"), _period_label(scope))]
    if _minimum():
        rule = _("Figures counting fewer than %(minimum)d companies are shown as <%(minimum)d.", minimum=_minimum())
        heading.append((_("Small-cell protection"), rule))
    return heading


def _download(body: bytes, media_type: str, name: str) -> Response:
    """A file to save, with its media type exactly as given. (As `mimetype`, a
    text/* type that already names its charset gets a second one from werkzeug.)"""
    return Response(body, content_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _invalid(form, regions):
    return render_template("summaries/index.html", form=form, regions=regions, tables=None), 422


@bp.get("/")
@allowed(can_see_summaries)
def index():
    """Counts for the chosen regions and period, with charts and their tables."""
    form, regions, scope = _read_choice()
    if scope is None:
        return _invalid(form, regions)
    tables = _tables(scope)
    return render_template(
        "summaries/index.html", form=form, regions=regions, tables=tables, charts=bar_charts,
        period=_period_label(scope), minimum=_minimum(), export_args=request.args.to_dict(flat=False),
        can_export_companies=can_export_company_list(current_user),
    )


def _file_name(scope: Scope, extension: str) -> str:
    return f"summary-fy{scope.year}{f'-q{scope.quarter}' if scope.quarter else ''}.{extension}"


def _export(kind: str):
    """The summary as a file of `kind` ("csv" or "xlsx"), with the same protected tables as the page."""
    form, regions, scope = _read_choice()
    if scope is None:
        return _invalid(form, regions)
    write, media_type = {"csv": (summary_csv, CSV_MEDIA_TYPE), "xlsx": (summary_xlsx, XLSX_MEDIA_TYPE)}[kind]
    body = write(_heading(scope, regions), _tables(scope))
    _record_export(_file_name(scope, kind), scope)
    return _download(body, media_type, _file_name(scope, kind))


def _record_export(name: str, scope: Scope) -> None:
    """Who took which file of which regions: the audit trail keeps every export."""
    record_event("export", detail=f"{name}; regions {', '.join(map(str, scope.region_ids))}")
    db.session.commit()


@bp.get("/export.csv")
@allowed(can_see_summaries)
def export_csv():
    return _export("csv")


@bp.get("/export.xlsx")
@allowed(can_see_summaries)
def export_xlsx():
    return _export("xlsx")


@bp.get("/companies.csv")
@allowed(can_export_company_list)
def companies_csv():
    """The companies of the chosen regions (profile facts only), for managers and admins."""
    form, regions, scope = _read_choice()
    if scope is None:
        return _invalid(form, regions)
    body = company_list_csv(scope)
    _record_export("companies.csv", scope)
    return _download(body, CSV_MEDIA_TYPE, "companies.csv")
