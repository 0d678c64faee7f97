"""The board's phase move: the new phase, why, and a closing reason when closing."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from tracker.models import ClosingReason, Phase


class MoveForm(FlaskForm):
    """Dated today; the reason and the closing reason are checked by change_phase()
    with the other rules, so every problem shows at once."""

    to_phase = SelectField(
        _l("New phase"),
        choices=[SelectChoice(phase.value, phase.label) for phase in Phase],
        invalid_choice_message=_l("Choose the phase to move to."),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000, message=_l("Keep the reason under %(max)d characters."))],
        render_kw={"rows": 2},
    )
    closing_reason = SelectField(
        _l("Closing reason"),
        choices=[SelectChoice("", _l("(only when closing)"))]
        + [SelectChoice(reason.value, reason.label) for reason in ClosingReason],
        default="",
        invalid_choice_message=_l("Choose a closing reason from the list."),
    )
    version = HiddenField()
    next = HiddenField()
