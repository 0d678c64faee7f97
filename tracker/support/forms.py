"""Forms of the catalogue (admin) and of referrals (the team)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length

from tracker.engagements.forms import chosen, date_field
from tracker.engagements.services import local_today
from tracker.forms import LineField, OneTimeForm, TextField
from tracker.models import MeasureKind, ReferralOutcome

NO_MEASURE = 0


class MeasureForm(OneTimeForm, FlaskForm):
    """An entry of the catalogue: a support measure or a partner."""

    name = LineField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter a name.")),
            Length(max=200, message=_l("Keep the name under %(max)d characters.")),
        ],
    )
    name_en = LineField(
        _l("English name"),
        validators=[Length(max=250, message=_l("Keep the name under %(max)d characters."))],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, kind.label) for kind in MeasureKind],
        invalid_choice_message=_l("Choose a kind from the list."),
    )
    provider = LineField(
        _l("Provider"),
        validators=[Length(max=200, message=_l("Keep the provider under %(max)d characters."))],
    )
    description = TextField(
        _l("Description"),
        validators=[Length(max=5000, message=_l("Keep the description under %(max)d characters."))],
        render_kw={"rows": 4},
    )
    active = BooleanField(_l("Active (offered for new referrals)"), default=True)


class ReferralForm(OneTimeForm, FlaskForm):
    """Refer an engagement to an active catalogue entry."""

    measure_id = SelectField(
        _l("Measure or partner"),
        coerce=int,
        default=NO_MEASURE,
        validators=[chosen(_l("Choose a measure or partner."))],
        invalid_choice_message=_l("Choose a measure or partner from the list."),
    )
    referred_on = date_field(_l("Date of the referral"), default=local_today)
    note = TextField(
        _l("Note"),
        validators=[Length(max=5000, message=_l("Keep the note under %(max)d characters."))],
        render_kw={"rows": 3},
    )

    def set_measures(self, measures) -> None:
        """Active entries, grouped by kind."""
        self.measure_id.choices = [SelectChoice(NO_MEASURE, _l("(choose)"))] + [
            SelectChoice(measure.id, measure.display_name, optgroup=str(measure.kind.label))
            for measure in measures
        ]


class OutcomeForm(FlaskForm):
    """What came of a referral."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(outcome.value, outcome.label) for outcome in ReferralOutcome],
        invalid_choice_message=_l("Choose an outcome from the list."),
    )
    outcome_note = TextField(
        _l("Outcome note"),
        validators=[Length(max=5000, message=_l("Keep the note under %(max)d characters."))],
        render_kw={"rows": 3},
    )
    version = HiddenField()
