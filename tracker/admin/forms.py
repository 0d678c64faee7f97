"""Forms of the user administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectChoice, SelectField
from wtforms.validators import Email, InputRequired, Length

from tracker.forms import LANGUAGE_CHOICES, CheckboxListField, LineField, OneTimeForm, Required, new_password_fields
from tracker.models import Role

NO_ORGANISATION = 0


class UserForm(FlaskForm):
    """An account's details, as an administrator sets them."""

    name = LineField(
        _l("Name"),
        validators=[Required(_l("Enter a name.")), Length(max=100)],
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Enter an email address.")),
            Length(max=254),
            Email(message=_l("Enter a valid email address."), check_deliverability=False),
        ],
    )
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, role.label) for role in Role])
    all_regions = BooleanField(_l("All regions"))
    region_ids = CheckboxListField(_l("Regions in scope"), coerce=int)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    active = BooleanField(_l("Active (may sign in)"), default=True)

    def set_choices(self, organisations, regions) -> None:
        self.organisation_id.choices = [SelectChoice(NO_ORGANISATION, _l("(none)"))] + [
            SelectChoice(org.id, org.display_name) for org in organisations
        ]
        self.region_ids.choices = [SelectChoice(region.id, region.name) for region in regions]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        role = Role(self.role.data) if self.role.data in Role._value2member_map_ else None
        if role and role.works_in_regions and not self.all_regions.data and not self.region_ids.data:
            self.region_ids.errors.append(_l("Choose at least one region, or all regions."))
            ok = False
        return ok


class NewUserForm(OneTimeForm, UserForm):
    password, confirm = new_password_fields(_l("Initial password"))


class PasswordResetForm(FlaskForm):
    password, confirm = new_password_fields(_l("New password"))


class TwoFactorResetForm(FlaskForm):
    """Reset someone's second factor: nothing to type, the CSRF token is the form."""
