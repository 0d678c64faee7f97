"""The insight form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length

from tracker.forms import CheckboxListField, OneTimeForm, TextField
from tracker.models import Barrier, InsightCategory, InsightHolder, InsightState


def _choices(choice_class) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in choice_class.choices()]


class InsightForm(OneTimeForm, FlaskForm):
    """An insight as the team records it; `session_ids` get their choices per engagement."""

    text = TextField(
        _l("Insight"),
        validators=[DataRequired(message=_l("Write the insight.")), Length(max=4000)],
        render_kw={"rows": 4},
    )
    holder = SelectField(_l("Who holds it"), choices=_choices(InsightHolder))
    category = SelectField(_l("Category"), choices=_choices(InsightCategory))
    barrier = SelectField(
        _l("Self-change barrier"), choices=[SelectChoice("", _l("(none)"))] + _choices(Barrier)
    )
    state = SelectField(_l("State"), choices=_choices(InsightState), default=InsightState.HYPOTHESIS.value)
    is_essential = BooleanField(_l("This is the essential issue (本質的課題)"))
    session_ids = CheckboxListField(
        _l("Sessions where it surfaced"), coerce=int,
        invalid_choice_message=_l("Choose sessions of this engagement only."),
    )
    version = HiddenField()

    def set_sessions(self, sessions) -> None:
        self.session_ids.choices = [
            SelectChoice(session.id, f"{session.held_on.isoformat()} {session.kind.label}")
            for session in sessions
        ]

    def fields_for_operation(self, sessions_by_id: dict) -> dict:
        """The form's values as change_insight()/create_insight() take them."""
        return {
            "text": self.text.data,
            "holder": InsightHolder(self.holder.data),
            "category": InsightCategory(self.category.data),
            "barrier": Barrier(self.barrier.data) if self.barrier.data else None,
            "state": InsightState(self.state.data),
            "is_essential": self.is_essential.data,
            "sessions": [sessions_by_id[session_id] for session_id in self.session_ids.data or []],
        }
