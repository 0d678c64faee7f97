"""The review form: a comment and one of two decisions (the form's two buttons)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, ValidationError
from wtforms.validators import Length

from tracker.forms import TextField
from tracker.models import SessionState

COMMENT_MAX = 10_000


class ReviewForm(FlaskForm):
    comment = TextField(
        _l("Comment for the team"),
        validators=[Length(max=COMMENT_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 6},
    )
    # Set by the button pressed: "reviewed" or "returned".
    decision = HiddenField()
    version = HiddenField()

    def validate_decision(self, field):
        if field.data not in (SessionState.REVIEWED.value, SessionState.RETURNED.value):
            raise ValidationError(_l("Choose “Mark reviewed” or “Return for changes”."))

    def validate_comment(self, field):
        if self.decision.data == SessionState.RETURNED.value and not field.data:
            raise ValidationError(_l("Say what should change before returning the session."))
