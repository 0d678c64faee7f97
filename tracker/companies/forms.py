"""Forms of the company pages: a company's profile and its contacts."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, HiddenField, SelectChoice, SelectField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from tracker.companies.text import (
    digits_only,
    is_kana_reading,
    is_valid_corporate_number,
    nfkc,
    normalise_kana,
    parse_amount,
)
from tracker.engagements.services import local_today
from tracker.forms import LineField, OneTimeForm, Required
from tracker.models import ContactSide

NO_INDUSTRY = ""
FIRST_LEADER_SELECTION = 2017  # 地域未来牽引企業 were first selected in 2017


class WholeNumberField(Field):
    """A whole number typed as people write it: "50,000,000", full-width digits.

    Shown with thousands separators; empty means "not known" (None).
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, minimum=0, maximum=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.maximum = maximum

    @staticmethod
    def shown(number: int) -> str:
        return f"{number:,}"

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.shown(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        number = parse_amount(text)
        if number is None:
            raise ValueError(_l("Enter a whole number, such as 1,200."))
        self.data = number

    def pre_validate(self, form):
        if self.data is None:
            return
        if self.data < self.minimum:
            raise ValidationError(_l("Enter %(min)s or more.", min=self.shown(self.minimum)))
        if self.maximum is not None and self.data > self.maximum:
            raise ValidationError(_l("Enter %(max)s or less.", max=self.shown(self.maximum)))


class YearField(WholeNumberField):
    """A calendar year; shown without a thousands separator."""

    @staticmethod
    def shown(number: int) -> str:
        return str(number)


def valid_kana(form, field):
    if field.data and not is_kana_reading(field.data):
        raise ValidationError(_l("Write the reading in katakana or hiragana."))


def valid_corporate_number(form, field):
    if not field.data:
        return
    if len(field.data) != 13 or not field.data.isdigit():
        raise ValidationError(_l("A corporate number has 13 digits."))
    if not is_valid_corporate_number(field.data):
        raise ValidationError(_l("This is not a valid corporate number: check the digits."))


class CompanyForm(OneTimeForm, FlaskForm):
    """A company's profile, as a team member records it."""

    name = LineField(
        _l("Company name"),
        validators=[Required(_l("Enter the company's name.")), Length(max=200)],
        filters=[lambda text: " ".join(text.split()) if text else text],
    )
    kana = LineField(
        _l("Reading (kana)"),
        validators=[Length(max=200), valid_kana],
        filters=[lambda text: normalise_kana(text) if text else ""],
    )
    corporate_number = LineField(
        _l("Corporate number"),
        validators=[valid_corporate_number],
        filters=[lambda text: digits_only(text) if text else ""],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    region_id = SelectField(
        _l("Region"), coerce=int, validators=[InputRequired(message=_l("Choose a region."))]
    )
    address = LineField(
        _l("Address"), validators=[Length(max=300)], filters=[lambda t: t.strip() if t else ""]
    )
    industry_code = SelectField(_l("Industry (JSIC)"), default=NO_INDUSTRY)
    employees = WholeNumberField(_l("Employees"), maximum=10_000_000)
    capital = WholeNumberField(_l("Capital (yen)"), maximum=10**15)
    founded_year = YearField(_l("Year founded"), minimum=500)
    leader_selection_year = YearField(
        _l("Selected as a Regional Future Leading Company (year)"), minimum=FIRST_LEADER_SELECTION
    )
    representative = LineField(
        _l("Representative"), validators=[Length(max=100)], filters=[lambda t: t.strip() if t else ""]
    )
    save_anyway = BooleanField(_l("Save anyway: this is a different company"))
    version = HiddenField()

    def set_choices(self, regions, industries) -> None:
        """Regions in the user's scope; middle groups of JSIC under their major group."""
        self.region_id.choices = [SelectChoice(region.id, region.name) for region in regions]
        majors = {industry.code: industry for industry in industries if industry.major_code is None}
        self.industry_code.choices = [SelectChoice(NO_INDUSTRY, _l("(not recorded)"))] + [
            SelectChoice(
                industry.code,
                f"{industry.code} {industry.display_name}",
                optgroup=f"{industry.major_code} {majors[industry.major_code].display_name}",
            )
            for industry in industries
            if industry.major_code is not None
        ]
        current = local_today().year
        self.founded_year.maximum = current
        self.leader_selection_year.maximum = current

    def details(self) -> dict:
        """The company's fields as services.py takes them."""
        return {
            "name": self.name.data,
            "kana": self.kana.data or "",
            "corporate_number": self.corporate_number.data or None,
            "region_id": self.region_id.data,
            "address": self.address.data or "",
            "industry_code": self.industry_code.data or None,
            "employees": self.employees.data,
            "capital": self.capital.data,
            "founded_year": self.founded_year.data,
            "leader_selection_year": self.leader_selection_year.data,
            "representative": self.representative.data or "",
        }


class ContactForm(OneTimeForm, FlaskForm):
    """A person at the company."""

    name = LineField(
        _l("Name"),
        validators=[Required(_l("Enter the person's name.")), Length(max=100)],
        filters=[lambda t: " ".join(t.split()) if t else t],
    )
    title = LineField(
        _l("Job title"), validators=[Length(max=100)], filters=[lambda t: t.strip() if t else ""]
    )
    side = SelectField(_l("Side"), choices=[SelectChoice(side.value, side.label) for side in ContactSide])
    email = EmailField(
        _l("Email address"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
        filters=[lambda t: t.strip() if t else ""],
    )
    phone = LineField(
        _l("Phone number"),
        validators=[Optional(), Length(max=30)],
        filters=[lambda t: " ".join(nfkc(t).split()) if t else ""],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )
    version = HiddenField()

    def validate_phone(self, field):
        if field.data and not re.fullmatch(r"[+()0-9]+", digits_only(field.data)):
            raise ValidationError(_l("Use digits, spaces, hyphens, brackets and + only."))

    def details(self) -> dict:
        return {
            "name": self.name.data,
            "title": self.title.data or "",
            "side": ContactSide(self.side.data),
            "email": self.email.data or "",
            "phone": self.phone.data or "",
        }
