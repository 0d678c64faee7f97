"""The sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker.auth.passwords import MAX_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("An email address has at most 254 characters.")),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(message=_l("Enter your password.")),
            Length(max=MAX_LENGTH, message=_l("A password has at most %(max)d characters.", max=MAX_LENGTH)),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))
