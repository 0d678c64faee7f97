"""Forms of the profile page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, ValidationError
from wtforms.validators import InputRequired, Length

from tracker.auth.passwords import MAX_LENGTH, verify_password
from tracker.forms import LANGUAGE_CHOICES, new_password_fields


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class CurrentPasswordForm(FlaskForm):
    """A change to how one signs in, confirmed with the current password."""

    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current(self, field):
        if not verify_password(self.user.password_hash, field.data):
            raise ValidationError(_l("The current password is incorrect."))


class PasswordChangeForm(CurrentPasswordForm):
    password, confirm = new_password_fields(_l("New password"))

    def validate_password(self, field):
        if field.data and field.data == self.current.data:
            raise ValidationError(_l("Choose a password different from the current one."))
