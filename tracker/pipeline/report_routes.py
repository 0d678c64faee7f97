"""Flow over time (per fiscal quarter) and workload (per team member) pages."""

from datetime import date

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form, ValidationError

from tracker.engagements.services import local_today
from tracker.forms import DayField, Required
from tracker.models import Role
from tracker.permissions import allowed, can_use_pipeline
from tracker.pipeline import bp
from tracker.pipeline.fiscal import fiscal_year, quarter_bounds, quarter_label, quarter_of, year_bounds, year_label
from tracker.pipeline.reports import QUARTERS, fiscal_years_with_data, phase_flow, workload

# The longest period the workload page adds up.
MAX_YEARS = 2


@bp.get("/flow")
@allowed(can_use_pipeline)
def flow():
    """Engagements entering and leaving each phase per quarter of a fiscal year."""
    current = fiscal_year(local_today())
    years = sorted({current, *fiscal_years_with_data(current_user)}, reverse=True)
    chosen, error = request.args.get("fy", str(current)).strip(), None
    if not (chosen.isascii() and chosen.isdigit()) or int(chosen) not in years:
        error = _l("Choose a fiscal year from the list.")
    context = {"years": years, "chosen": chosen, "error": error, "is_consultant": current_user.role == Role.CONSULTANT}
    if error:
        return render_template("pipeline/flow.html", flows=None, **context), 422
    year = int(chosen)
    quarters = [(quarter, quarter_label(quarter), quarter_bounds(year, quarter)) for quarter in QUARTERS]
    return render_template(
        "pipeline/flow.html", flows=phase_flow(current_user, year), year=year, year_label=year_label,
        bounds=year_bounds(year), quarters=quarters, **context,
    )


class PeriodForm(Form):
    """The period of the workload page, read from the query string."""

    start = DayField(
        _l("From"), validators=[Required(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
    )
    end = DayField(
        _l("To"), validators=[Required(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
    )

    def validate_end(self, field):
        start = self.start.data
        if start is None or field.data is None:
            return
        if field.data < start:
            raise ValidationError(_l("The end cannot be before the start."))
        if field.data >= _years_after(start, MAX_YEARS):
            raise ValidationError(_l("Choose a period of at most two years."))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@bp.get("/workload", endpoint="workload")
@allowed(can_use_pipeline)
def workload_page():
    """Per team member over a period: active engagements, sessions and hours, open actions."""
    form = PeriodForm(request.args)
    is_consultant = current_user.role == Role.CONSULTANT
    if "start" not in request.args and "end" not in request.args:
        form.start.data, form.end.data = quarter_of(local_today())
    elif not form.validate():
        return render_template("pipeline/workload.html", form=form, loads=None, is_consultant=is_consultant), 422
    loads = workload(current_user, form.start.data, form.end.data)
    return render_template(
        "pipeline/workload.html", form=form, loads=loads, is_consultant=is_consultant
    )
