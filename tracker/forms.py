"""Form pieces shared by several features."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, PasswordField, SelectChoice, SelectMultipleField, ValidationError, widgets
from wtforms.validators import EqualTo, InputRequired

from tracker.auth.passwords import password_problem
from tracker.idempotency import new_form_key

# Language names are shown in their own language, so anyone can find theirs.
LANGUAGE_CHOICES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


class CheckboxList(widgets.ListWidget):
    """The HTML of `ListWidget(prefix_label=False)` over `CheckboxInput`s, written in
    one pass. WTForms makes a field, a widget call and sorted attributes for each
    option: with every region of a national installation (~250) that took
    ~100 ms of the summary page. Options with their own attributes (render_kw)
    go the general way."""

    def __init__(self):
        super().__init__(prefix_label=False)

    def __call__(self, field, **kwargs):
        choices = list(field.iter_choices())
        if field.render_kw or any(choice[3] for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        name = escape(field.name)
        items = []
        for index, (value, label, selected, _render_kw) in enumerate(choices):
            option_id = escape(f"{field.id}-{index}")
            items.append(
                f'<li><input{" checked" if selected else ""} id="{option_id}" name="{name}" type="checkbox" '
                f'value="{escape(value)}"> <label for="{option_id}">{escape(label)}</label></li>'
            )
        # Every value in it is escaped above, or by html_params.
        html = f"<{self.html_tag} {widgets.html_params(**kwargs)}>{''.join(items)}</{self.html_tag}>"
        return Markup(html)  # noqa: S704  # nosec B704


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes (usable on a phone)."""

    widget = CheckboxList()
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


class OneTimeForm:
    """Mixin for a form that creates a record: a random key, made when the form is
    shown, lets it be saved once (tracker.idempotency). Its template renders
    `form.form_key` when creating (an edit is made once by the record's version);
    its route calls claim_form() and saved()."""

    form_key = HiddenField(default=new_form_key)
