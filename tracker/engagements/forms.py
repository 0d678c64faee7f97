"""Forms of the engagement pages: open, edit, team, phase change."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, ValidationError
from wtforms.validators import Length

from tracker.engagements.services import local_today
from tracker.forms import CheckboxListField, DayField, LineField, OneTimeForm, Required, TextField
from tracker.models import ClosingReason, Phase, ReferralSource, User

NO_LEAD = 0


def chosen(message):
    """Validator: a select whose blank (0 or "") option is still selected."""

    def check(_form, field):
        if not field.data:
            raise ValidationError(message)

    return check


def date_field(label, **kwargs):
    """A required date, within the range every date field keeps (tracker.forms.DayField)."""
    return DayField(
        label,
        validators=[Required(_l("Enter a date."))],
        invalid_value_message=_l("Enter a date as YYYY-MM-DD."),
        **kwargs,
    )


def person_label(user: User) -> str:
    """A user as the team form lists them: name, role and organisation."""
    parts = [user.name, str(user.role.label)]
    if user.organisation is not None:
        parts.append(user.organisation.display_name)
    return " · ".join(parts)


class DetailsFields:
    """What the engagement is about and where it came from."""

    theme = TextField(
        _l("Theme"),
        validators=[Length(max=2000, message=_l("Keep the theme under %(max)d characters."))],
        render_kw={"rows": 3},
    )
    referral_source = SelectField(
        _l("Referral source"),
        choices=[SelectChoice(source.value, source.label) for source in ReferralSource],
        invalid_choice_message=_l("Choose where the case came from."),
    )
    referral_note = LineField(
        _l("Referral note"),
        validators=[Length(max=200, message=_l("Keep the note under %(max)d characters."))],
    )


class TeamFields:
    """Members (checkboxes) and the lead (one select: exactly one lead)."""

    members = CheckboxListField(
        _l("Team members"),
        coerce=int,
        invalid_choice_message=_l("Choose team members among the people listed."),
    )
    lead = SelectField(
        _l("Lead"),
        coerce=int,
        default=NO_LEAD,
        validators=[chosen(_l("Choose the lead of the team."))],
        invalid_choice_message=_l("Choose the lead among the people listed."),
    )

    def set_people(self, people) -> None:
        self.members.choices = [SelectChoice(user.id, person_label(user)) for user in people]
        self.lead.choices = [SelectChoice(NO_LEAD, _l("(choose the lead)"))] + [
            SelectChoice(user.id, person_label(user)) for user in people
        ]

    def chosen_ids(self) -> tuple[list[int], int]:
        """The member ids (the lead included) and the lead's id."""
        ids = list(self.members.data or [])
        if self.lead.data not in ids:
            ids.insert(0, self.lead.data)
        return ids, self.lead.data


class NewEngagementForm(OneTimeForm, DetailsFields, TeamFields, FlaskForm):
    started_on = date_field(_l("Start date"), default=local_today)
    phase = SelectField(
        _l("Initial phase"),
        choices=[SelectChoice(phase.value, phase.label) for phase in Phase if phase != Phase.CLOSED],
        default=Phase.CANDIDATE.value,
        invalid_choice_message=_l("Choose the phase the engagement starts in."),
    )


class EngagementForm(DetailsFields, FlaskForm):
    version = HiddenField()


class TeamForm(TeamFields, FlaskForm):
    version = HiddenField()


class PhaseMoveFields:
    """The new phase, why, and the closing reason when closing (shared with the board)."""

    to_phase = SelectField(
        _l("New phase"),
        choices=[SelectChoice(phase.value, phase.label) for phase in Phase],
        invalid_choice_message=_l("Choose the phase to move to."),
    )
    reason = TextField(
        _l("Reason"),
        # Required, but checked by change_phase() with the other rules, so that
        # every problem is shown at once.
        validators=[Length(max=2000, message=_l("Keep the reason under %(max)d characters."))],
        render_kw={"rows": 3},
    )
    closing_reason = SelectField(
        _l("Closing reason"),
        choices=[SelectChoice("", _l("(only when closing)"))]
        + [SelectChoice(reason.value, reason.label) for reason in ClosingReason],
        default="",
        invalid_choice_message=_l("Choose a closing reason from the list."),
    )
    version = HiddenField()


class PhaseChangeForm(PhaseMoveFields, FlaskForm):
    changed_on = date_field(_l("Date of the change"), default=local_today)
