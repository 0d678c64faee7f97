"""Form pieces shared by several features (tracker/forms.py)."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectChoice, widgets

from tracker.forms import CheckboxListField

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
