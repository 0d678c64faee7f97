"""The filters of the audit trail, read from the query string."""

from flask_babel import lazy_gettext as _l
from wtforms import Form, IntegerField, SelectChoice, SelectField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from tracker.audit.trail import ACTIONS
from tracker.forms import DayField, LineField

DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD.")


def _at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Type at most %(max)d characters.", max=limit))


class AuditFilterForm(Form):
    """What happened, who did it, to which record, when and from where: every field optional."""

    action = SelectField(
        _l("What happened"), validate_choice=False,
        choices=[SelectChoice("", _l("Anything"))] + [SelectChoice(value, label) for value, label in ACTIONS.items()],
    )
    actor = LineField(_l("Who (email address contains)"), validators=[Optional(), _at_most(254)])
    record_type = LineField(
        _l("Record type"), validators=[Optional(), _at_most(40)], render_kw={"list": "record-types"}
    )
    record_id = IntegerField(
        _l("Record number"),
        validators=[Optional(), NumberRange(min=1, max=2**31 - 1, message=_l("Enter a record number (1 or more)."))],
        invalid_value_message=_l("Enter a record number (1 or more)."),
    )
    date_from = DayField(_l("From"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    date_to = DayField(_l("To"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    address = LineField(_l("IP address (starts with)"), validators=[Optional(), _at_most(45)])

    def validate_action(self, field):
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose what happened from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def used(self) -> dict:
        """The filters as typed, for the links of the page (pagination keeps them)."""
        return {name: field.raw_data[0] for name, field in self._fields.items() if field.raw_data and field.raw_data[0]}
