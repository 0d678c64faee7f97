"""The sign-in forms: password, then (for two-factor accounts) a code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, StopValidation

from tracker.auth.passwords import MAX_LENGTH
from tracker.auth.two_factor import TOTP, code_kind, normalise_code
from tracker.forms import LineField


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


def _code_shape(recovery_allowed: bool):
    """A validator: the typed code, spaces and hyphens aside, has the shape of a code."""

    def check(form, field):
        code = normalise_code(field.data)
        if not code:
            raise StopValidation(_l("Enter the code."))
        kind = code_kind(code)
        if kind is None or (kind != TOTP and not recovery_allowed):
            raise StopValidation(
                _l("Enter the 6-digit code from your authenticator app, or a recovery code.")
                if recovery_allowed
                else _l("Enter the 6-digit code your authenticator app shows.")
            )

    return check


class CodeForm(FlaskForm):
    """The second step of signing in: a code from the authenticator app or a recovery code."""

    code = LineField(
        _l("Code"),
        validators=[Length(max=40, message=_l("A code has at most %(max)d characters.", max=40)), _code_shape(True)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"},
    )
    submit = SubmitField(_l("Sign in"))


class EnrolForm(FlaskForm):
    """Setting up an authenticator app: the code it shows proves it was set up right."""

    code = LineField(
        _l("Code"),
        validators=[Length(max=40, message=_l("A code has at most %(max)d characters.", max=40)), _code_shape(False)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Confirm"))
