"""Form pieces shared by several features (tracker/forms.py)."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    EmailField,
    Form,
    HiddenField,
    PasswordField,
    SelectChoice,
    StringField,
    widgets,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Optional

from tracker.forms import (
    EARLIEST_DATE,
    CheckboxListField,
    DayField,
    LineField,
    Required,
    TextField,
    latest_date,
    line_problem,
    one_line,
    text_block,
)

CHOICES = [SelectChoice(value, label) for value, label in (
    ("1", "北海道 <札幌>"), ("2", '"quoted" & more'), ("3", "plain"), ("4&", "value to escape"),
)]


class Chooser(Form):
    region = CheckboxListField("Regions", choices=CHOICES, validate_choice=False)


class Reference(Form):
    """The same field drawn by WTForms' own list widget."""

    region = CheckboxListField("Regions", choices=CHOICES, validate_choice=False,
                               widget=widgets.ListWidget(prefix_label=False))


def reference_html(data: MultiDict, render_kw=None, **kwargs) -> str:
    form = Reference(data, prefix="x" if render_kw else "")
    form.region.render_kw = render_kw
    return str(form.region(**kwargs))


@pytest.mark.parametrize("ticked", [[], ["2"], ["1", "3", "4&"]])
def test_the_checkbox_list_renders_exactly_what_wtforms_renders(ticked):
    form = Chooser(MultiDict([("region", value) for value in ticked]))
    data = MultiDict([("region", value) for value in ticked])
    assert str(form.region(class_="checkbox-list")) == reference_html(data, class_="checkbox-list")
    assert form.region(class_="checkbox-list").count("<input checked ") == len(ticked)
    assert "&lt;札幌&gt;" in form.region() and "<札幌>" not in form.region()


def test_options_with_their_own_attributes_are_rendered_by_wtforms():
    form = Chooser(MultiDict(), prefix="x")
    form.region.render_kw = {"disabled": True}
    assert "disabled" in form.region() and str(form.region()) == reference_html(MultiDict(), {"disabled": True})


# ---- what people type: one rule for every form (tracker/forms.py) -------------------------------

@pytest.fixture
def english(app_context):
    """Messages read in English (the default language is Japanese)."""
    with force_locale("en"):
        yield


BIDI = ["\u202e", "\u202a", "\u202d", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("zero_width", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_zero_width_characters_are_dropped_from_a_line(zero_width):
    assert one_line(f" 燕{zero_width}精密\u3000") == "燕精密"


@pytest.mark.parametrize("blank", [" ", "\t", "\u3000", "\n", "\r\n", "\u2028", " \u200b "])
def test_blanks_alone_are_an_empty_line(blank):
    assert one_line(blank) == ""


@pytest.mark.parametrize("character", BIDI)
def test_a_direction_control_is_refused_in_a_line(english, character):
    assert "text-direction" in str(line_problem(f"Acme{character}Corp"))


@pytest.mark.parametrize("character", ["\x1b", "\x7f", "\x08", "\x9b"])
def test_a_control_character_is_refused_in_a_line(english, character):
    assert "control characters" in str(line_problem(f"Acme{character}"))


def test_notes_keep_their_text_but_nothing_that_reorders_or_hides_it():
    typed = "社長は\u202e言った\u202c。\r\n次回\u200bは\x1b来月\t（👨\u200d👩\u200d👧）"
    assert text_block(typed) == "社長は言った。\r\n次回は来月\t（👨\u200d👩\u200d👧）"


class Dated(Form):
    day = DayField("Day", validators=[Required("Enter a day.")])
    due = DayField("Due", validators=[Optional()])


@pytest.mark.parametrize("typed", [" ", "\t", "\u3000", "\n", ""])
def test_a_blank_required_date_asks_for_a_date(english, typed):
    form = Dated(MultiDict({"day": typed, "due": typed}))
    assert not form.validate()
    assert form.day.errors == ["Enter a day."] and form.due.errors == []
    assert form.day.data is None


@pytest.mark.parametrize("typed", ["\x00", "\x1b", "\x7f", "\u202e2025-04-30", "2025-04-30\x1b", "tomorrow"])
def test_an_unreadable_date_says_so_once_and_is_shown_back(english, typed):
    form = Dated(MultiDict({"day": typed}))
    assert not form.validate()
    assert [str(error) for error in form.day.errors] == ["Enter a date such as 2025-04-30."]
    assert f'value="{escape(typed)}"' in str(form.day())


@pytest.mark.parametrize(("typed", "message"), [
    ("0001-01-01", "Enter a date from 2000-01-01 on."),
    ("1999-12-31", "Enter a date from 2000-01-01 on."),
    ("9999-12-31", "Enter a date up to"),
])
def test_dates_out_of_the_range_are_refused(english, typed, message):
    form = Dated(MultiDict({"day": typed}))
    assert not form.validate()
    assert str(form.day.errors[0]).startswith(message)


def test_the_range_ends_ten_years_ahead_and_the_picker_offers_it(english):
    last = latest_date()
    assert Dated(MultiDict({"day": last.isoformat()})).validate()
    assert not Dated(MultiDict({"day": (last + timedelta(days=1)).isoformat()})).validate()
    assert Dated(MultiDict({"day": "２０２５－０４－３０"})).day.data == date(2025, 4, 30)
    html = str(Dated().day())
    assert f'min="{EARLIEST_DATE.isoformat()}"' in html and f'max="{last.isoformat()}"' in html


def _text_fields(form_class):
    """(name, field class) of every text field a form class declares, inherited ones included."""
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, StringField):
            yield name, unbound.field_class


def _form_classes(base=Form):
    for subclass in base.__subclasses__():
        yield subclass
        yield from _form_classes(subclass)


def test_every_text_field_of_every_form_follows_the_shared_rule(app):
    """A name or note added later without LineField/TextField (or a date without DayField) fails here."""
    exempt = (PasswordField, HiddenField, EmailField, LineField, TextField)
    forms = {cls for cls in _form_classes() if cls.__module__.startswith("tracker.")}
    assert len(forms) >= 20
    loose = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in forms for name, field in _text_fields(cls)
             if not issubclass(field, exempt)]
    assert loose == []
    dates = [f"{cls.__name__}.{name}" for cls in forms for name in dir(cls)
             if isinstance(getattr(cls, name, None), UnboundField)
             and issubclass(getattr(cls, name).field_class, DateField)
             and not issubclass(getattr(cls, name).field_class, DayField)]
    assert dates == []
