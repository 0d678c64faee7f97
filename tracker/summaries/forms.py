"""The summary's choice of regions and period, read from the query string."""

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, ValidationError

from tracker.forms import CheckboxListField

# How many fiscal years back the summary offers.
YEARS_BACK = 10


class SummaryForm(Form):
    """Regions (none ticked: all of the user's), a fiscal year, and optionally a quarter."""

    region = CheckboxListField(_l("Regions"), validate_choice=False)
    fy = SelectField(_l("Fiscal year"), validate_choice=False)
    quarter = SelectField(_l("Period"), validate_choice=False)

    def __init__(self, formdata, *, regions, current_year: int, **kwargs):
        super().__init__(formdata, **kwargs)
        self.region.choices = [(str(region.id), region.name) for region in regions]
        self.fy.choices = [(str(year), _l("FY%(year)d", year=year))
                           for year in range(current_year, current_year - YEARS_BACK, -1)]
        self.quarter.choices = [("", _l("Whole year"))] + [
            (str(quarter), _l("Q%(quarter)d", quarter=quarter)) for quarter in (1, 2, 3, 4)
        ]

    def validate_region(self, field):
        known = {value for value, _label in field.choices}
        if any(value not in known for value in field.data or []):
            raise ValidationError(_l("Choose regions from the list."))

    def validate_fy(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a fiscal year from the list."))

    def validate_quarter(self, field):
        if (field.data or "") not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose the whole year or one of its quarters."))

    def region_ids(self) -> tuple[int, ...]:
        """The ticked regions, or all of the user's when none is."""
        chosen = self.region.data or [value for value, _label in self.region.choices]
        return tuple(int(value) for value in chosen)
