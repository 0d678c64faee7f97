"""Form pieces shared by several features.

What people type is read by the same few rules everywhere (tracker.imports
applies the text ones to imported rows too):

- Single-line text (names, titles: `LineField`): zero-width characters
  (U+200B-U+200D, U+2060, U+FEFF) are dropped, tabs and line breaks become
  spaces, surrounding blanks (full-width ones too) are trimmed; a
  text-direction control (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069,
  U+061C) or any other control character is refused beside the field, since
  it would make a name read differently from what is stored.
- Multi-line text (notes: `TextField`): the text is kept, but direction
  controls, control characters other than tab and line breaks, and invisible
  spaces are dropped, so nothing stored can reorder what others read.
- Dates (`DayField`): blank is no date; from EARLIEST_DATE (2000-01-01,
  before any support the tracker records) to YEARS_AHEAD (10) years from
  today. A date out of that range or unreadable is refused beside the field.
- `Required`: blanks alone are no answer, and a typed field (a date, a
  number) is judged on the value read, so " " in a required date is
  "enter a date", never a missing value that reaches the database.
"""

import re
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import EqualTo, InputRequired, StopValidation

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
    # Imported here: the auth package's own forms are built from this module's fields.
    from tracker.auth.passwords import password_problem

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


# ---- what people type: one rule for every form ---------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# In notes, joiners stay: they join emoji and some scripts, and reorder nothing.
_INVISIBLE_IN_TEXT = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
_LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_DIRECTION = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")

EARLIEST_DATE = date(2000, 1, 1)
YEARS_AHEAD = 10


def one_line(text):
    """Filter for single-line text: zero-width characters dropped, tabs and line
    breaks made spaces, surrounding blanks (full-width too) trimmed."""
    if not isinstance(text, str):
        return text
    return _LINE_BREAKS.sub(" ", text.translate(_ZERO_WIDTH)).strip()


def line_problem(text: str):
    """Why a single-line text (after `one_line`) cannot be kept, or None."""
    if _DIRECTION.search(text):
        return _l("Remove the text-direction characters: they make the text read differently from what is saved.")
    if _CONTROL.search(text):
        return _l("Remove the control characters (invisible characters such as ESC).")
    return None


def text_block(text):
    """Filter for multi-line text: kept as typed, less what could hide or reorder it
    (direction controls, control characters but tab and line breaks, invisible spaces)."""
    if not isinstance(text, str):
        return text
    text = _DIRECTION.sub("", _CONTROL_IN_TEXT.sub("", text.translate(_INVISIBLE_IN_TEXT)))
    return text.strip()


class LineField(StringField):
    """Single-line text a person types (a name, a title): `one_line`, then `line_problem` beside the field."""

    def __init__(self, label=None, validators=None, filters=(), **kwargs):
        super().__init__(label, validators, filters=(one_line, *filters), **kwargs)

    def pre_validate(self, form):
        problem = line_problem(self.data) if isinstance(self.data, str) else None
        if problem:
            raise StopValidation(problem)


class TextField(TextAreaField):
    """Multi-line text (notes, descriptions): `text_block` before the field's own filters."""

    def __init__(self, label=None, validators=None, filters=(), **kwargs):
        super().__init__(label, validators, filters=(text_block, *filters), **kwargs)


def latest_date() -> date:
    """The last date any field accepts: YEARS_AHEAD years from today."""
    from tracker.engagements.services import local_today  # the engagements package imports this module

    today = local_today()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


class DayField(DateField):
    """A date typed as 2025-04-30 (what a date picker sends; full-width digits are read too).

    Blank (spaces, a full-width space, a line break) is no date, for
    `Required` or `Optional` to judge; a date before `earliest` or after
    `latest_date()` is refused beside the field. What was typed is shown back.
    """

    def __init__(self, label=None, validators=None, *, earliest: date = EARLIEST_DATE, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("Enter a date such as 2025-04-30."))
        super().__init__(label, validators, **kwargs)
        self.earliest = earliest

    def process_formdata(self, valuelist):
        text = unicodedata.normalize("NFKC", valuelist[0]).strip() if valuelist else ""
        self.data = None
        if text:
            super().process_formdata([text])

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data < self.earliest:
            raise StopValidation(_l("Enter a date from %(date)s on.", date=self.earliest.isoformat()))
        if self.data > latest_date():
            raise StopValidation(_l("Enter a date up to %(date)s.", date=latest_date().isoformat()))

    def __call__(self, **kwargs):
        """The date picker offers the same range (unless the form narrows it)."""
        own = self.render_kw or {}
        if "min" not in own:
            kwargs.setdefault("min", self.earliest.isoformat())
        if "max" not in own:
            kwargs.setdefault("max", latest_date().isoformat())
        return super().__call__(**kwargs)


class Required:
    """Validator: an answer was given. As with InputRequired, a field missing from
    the post is no answer (an edit form's stored value does not stand in for it);
    unlike it, blanks alone are no answer, and a date or number is judged on the
    value read from it. After a value that could not be read, only that message shows."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, _form, field):
        if field.process_errors:
            raise StopValidation()
        data = field.data
        missing = not field.raw_data
        if missing or data is None or (isinstance(data, str) and not data.strip()) or data == []:
            field.errors[:] = []
            raise StopValidation(self.message)


class OneTimeForm:
    """Mixin for a form that creates a record: a random key, made when the form is
    shown, lets it be saved once (tracker.idempotency). Its template renders
    `form.form_key` when creating (an edit is made once by the record's version);
    its route calls claim_form() and saved()."""

    form_key = HiddenField(default=new_form_key)
