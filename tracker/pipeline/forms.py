"""The board's phase move: the engagement page's phase fields, dated today."""

from flask_wtf import FlaskForm
from wtforms import HiddenField

from tracker.engagements.forms import PhaseMoveFields


class MoveForm(PhaseMoveFields, FlaskForm):
    """Dated today; the reason and the closing reason are checked by change_phase()
    with the other rules, so every problem shows at once."""

    next = HiddenField()
