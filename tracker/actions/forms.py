"""Forms of the action pages: the action itself and a progress update."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from tracker.engagements.services import local_today
from tracker.forms import CheckboxListField, DayField, LineField, OneTimeForm, Required, TextField
from tracker.models import ActionState

NO_OWNER = ""
STATE_CHOICES = [SelectChoice(value, label) for value, label in ActionState.choices()]


def owner_value(action) -> str:
    """The owner select's value for an action's owner: "contact-<id>", "user-<id>" or ""."""
    if action.owner_contact_id:
        return f"contact-{action.owner_contact_id}"
    if action.owner_user_id:
        return f"user-{action.owner_user_id}"
    return NO_OWNER


class ActionForm(OneTimeForm, FlaskForm):
    """An action; the owner, insight and referral choices are those of its engagement."""

    title = LineField(
        _l("Title"), validators=[DataRequired(message=_l("Give the action a title.")), Length(max=200)],
    )
    description = TextField(_l("Description"), validators=[Length(max=10000)], render_kw={"rows": 4})
    owner = SelectField(
        _l("Owner"), invalid_choice_message=_l("Choose a contact of the company or a member of the team.")
    )
    due_on = DayField(_l("Due date"), validators=[Optional()])
    state = SelectField(_l("State"), choices=STATE_CHOICES, default=ActionState.PLANNED.value)
    insight_ids = CheckboxListField(
        _l("Insights it follows from"), coerce=int,
        invalid_choice_message=_l("Choose insights of this engagement only."),
    )
    referral_ids = CheckboxListField(
        _l("Support measures and partners it uses"), coerce=int,
        invalid_choice_message=_l("Choose referrals of this engagement only."),
    )
    version = HiddenField()

    def set_choices(self, contacts, members, insights, referrals) -> None:
        company, team = str(_l("Company contacts")), str(_l("Team members"))
        self.owner.choices = (
            [SelectChoice(NO_OWNER, _l("(not decided yet)"))]
            + [SelectChoice(f"contact-{c.id}", _with_title(c), optgroup=company) for c in contacts]
            + [SelectChoice(f"user-{u.id}", u.name, optgroup=team) for u in members]
        )
        self.insight_ids.choices = [SelectChoice(i.id, _short(i.text)) for i in insights]
        self.referral_ids.choices = [
            SelectChoice(r.id, f"{r.measure.display_name} ({r.referred_on.isoformat()})") for r in referrals
        ]


def _with_title(contact) -> str:
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


class UpdateForm(OneTimeForm, FlaskForm):
    """A dated note of progress, which may move the action to another state."""

    noted_on = DayField(
        _l("Date"), validators=[Required(_l("Enter the date of this update."))], default=local_today
    )
    text = TextField(
        _l("Progress"),
        validators=[DataRequired(message=_l("Write what has happened.")), Length(max=10000)],
        render_kw={"rows": 3},
    )
    state = SelectField(
        _l("New state"), choices=[SelectChoice("", _l("(no change)"))] + STATE_CHOICES, default=""
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.noted_on.render_kw = {"max": local_today().isoformat()}

    def validate_noted_on(self, field):
        if field.data and field.data > local_today():
            raise ValidationError(_l("The date cannot be in the future."))
