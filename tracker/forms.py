"""Form pieces shared by several features."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectMultipleField, ValidationError, widgets
from wtforms.validators import EqualTo, InputRequired

from tracker.auth.passwords import password_problem

# Language names are shown in their own language, so anyone can find theirs.
LANGUAGE_CHOICES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable on a phone)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def strong_password(form, field):
    """Validator: the password policy of tracker.auth.passwords."""
    inputs = tuple(
        getattr(form, name).data for name in ("email", "name") if hasattr(form, name)
    )
    problem = password_problem(field.data or "", inputs)
    if problem:
        raise ValidationError(problem)


def new_password_fields(label):
    """A new password and its confirmation, checked against the policy."""
    password = PasswordField(
        label,
        validators=[InputRequired(message=_l("Enter a password.")), strong_password],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(message=_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class ConfirmForm(FlaskForm):
    """A form that is only its button (and the CSRF token): confirm a deletion, restore a record."""
