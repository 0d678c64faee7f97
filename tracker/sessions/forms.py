"""The session form: one screen, usable on a phone, with rows for the client's
words, the people added on the spot, and the insights and actions that came up.

Row groups are FieldLists of small row forms. A row left blank is ignored; a
row partly filled is validated, and its errors show beside its own fields.
"""


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.engagements.services import local_today
from tracker.forms import CheckboxListField, DayField, LineField, OneTimeForm, Required, TextField
from tracker.models import (
    Barrier,
    ContactSide,
    InsightCategory,
    InsightHolder,
    InsightState,
    SessionFormat,
    SessionKind,
)

# Limits, said beside each field. A long session's notes run to a few
# thousand characters; 50,000 leaves room and keeps pages and rows sane.
LONG_TEXT_MAX = 50_000
SHORT_TEXT_MAX = 5_000
TITLE_MAX = 200
NAME_MAX = 100
MAX_DURATION = 24 * 60

# Blank rows shown below what is already there; "Add more rows" adds as many again.
BLANK_ROWS = {"statements": 3, "new_contacts": 2, "insights": 2, "actions": 2}
ROW_GROUPS = tuple(BLANK_ROWS)
NO_SPEAKER = 0
NO_OWNER = ""

TOO_LONG = _l("At most %(max)d characters (this has %(length)d).")


def not_in_future(_form, field):
    if field.data is not None and field.data > local_today():
        raise ValidationError(_l("The date cannot be in the future."))


class BlankableIntegerField(IntegerField):
    """A whole number where an empty box (blanks alone) means no number, for `Required` to judge."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata([valuelist[0].strip()] if valuelist else valuelist)


def labelled(choice_class, blank=None) -> list[SelectChoice]:
    choices = [SelectChoice(value, label) for value, label in choice_class.choices()]
    return ([SelectChoice("", blank)] if blank is not None else []) + choices


def long_text(label, rows=6):
    return TextField(
        label,
        validators=[Length(max=LONG_TEXT_MAX, message=TOO_LONG)],
        render_kw={"rows": rows},
    )


class RowForm(FlaskForm):
    """One row of a row group. CONTENT names the typed fields that make a row
    count: while all of them are empty the row is ignored (not validated, not
    saved), whatever its selects say, so clearing the text drops the row."""

    class Meta:
        csrf = False

    CONTENT: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        return not any(_filled(getattr(self, name)) for name in self.CONTENT)

    def validate(self, extra_validators=None) -> bool:
        if self.is_blank():
            return True
        return super().validate(extra_validators)


def _filled(field) -> bool:
    """Something typed: text, or a date (even one that cannot be read)."""
    if isinstance(field, DateField):
        return bool(field.raw_data and field.raw_data[0].strip()) or field.data is not None
    return bool((field.data or "").strip())


class StatementRow(RowForm):
    CONTENT = ("text",)

    text = TextField(
        _l("Words heard"),
        validators=[
            DataRequired(message=_l("Write the words as heard, or clear this row.")),
            Length(max=SHORT_TEXT_MAX, message=TOO_LONG),
        ],
        render_kw={"rows": 2},
    )
    speaker_id = SelectField(_l("Speaker"), coerce=int, default=NO_SPEAKER)


class NewContactRow(RowForm):
    CONTENT = ("name", "title")

    name = LineField(
        _l("Name"),
        validators=[
            DataRequired(message=_l("Enter the person's name, or clear this row.")),
            Length(max=NAME_MAX, message=TOO_LONG),
        ],
    )
    title = LineField(_l("Job title"), validators=[Length(max=NAME_MAX, message=TOO_LONG)])
    side = SelectField(_l("Side"), choices=labelled(ContactSide), default=ContactSide.EMPLOYEE.value)


class InsightRow(RowForm):
    CONTENT = ("text",)

    text = TextField(
        _l("Insight"),
        validators=[
            DataRequired(message=_l("Write the insight, or clear this row.")),
            Length(max=SHORT_TEXT_MAX, message=TOO_LONG),
        ],
        render_kw={"rows": 2},
    )
    holder = SelectField(
        _l("Who holds it"),
        choices=labelled(InsightHolder, blank=_l("Choose…")),
        default="",
        validators=[InputRequired(message=_l("Choose who holds this insight."))],
    )
    category = SelectField(
        _l("Category"),
        choices=labelled(InsightCategory, blank=_l("Choose…")),
        default="",
        validators=[InputRequired(message=_l("Choose a category."))],
    )
    barrier = SelectField(
        _l("Barrier it relates to"), choices=labelled(Barrier, blank=_l("(none)")), default=""
    )
    state = SelectField(_l("State"), choices=labelled(InsightState), default=InsightState.HYPOTHESIS.value)
    is_essential = BooleanField(_l("Essential issue"))


class ActionRow(RowForm):
    CONTENT = ("title", "due_on")

    title = LineField(
        _l("Action"),
        validators=[
            DataRequired(message=_l("Write what will be done, or clear this row.")),
            Length(max=TITLE_MAX, message=TOO_LONG),
        ],
    )
    owner = SelectField(_l("Owner"), default=NO_OWNER)
    due_on = DayField(_l("Due date"), validators=[Optional()])


class SessionForm(OneTimeForm, FlaskForm):
    """A dialogue session as the team member logs it."""

    version = HiddenField()
    held_on = DayField(
        _l("Date"),
        default=local_today,
        validators=[Required(_l("Enter the date of the session.")), not_in_future],
    )
    duration_minutes = BlankableIntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[
            Required(_l("Enter how long the session took, in minutes.")),
            NumberRange(min=0, max=MAX_DURATION, message=_l("Enter minutes between 0 and 1440.")),
        ],
        invalid_value_message=_l("Enter a whole number of minutes, such as 90."),
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_DURATION},
    )
    format = SelectField(_l("Format"), choices=labelled(SessionFormat), default=SessionFormat.VISIT.value)
    kind = SelectField(
        _l("Kind"), choices=labelled(SessionKind), default=SessionKind.PRESIDENT_DIALOGUE.value
    )
    company_attendee_ids = CheckboxListField(_l("Company attendees"), coerce=int)
    new_contacts = FieldList(FormField(NewContactRow), min_entries=BLANK_ROWS["new_contacts"], max_entries=20)
    team_attendee_ids = CheckboxListField(_l("Team attendees"), coerce=int)
    notes = long_text(_l("What was heard"), rows=12)
    statements = FieldList(FormField(StatementRow), min_entries=BLANK_ROWS["statements"], max_entries=200)
    reflection = long_text(_l("Our reflection on our listening"))
    next_steps = long_text(_l("Next steps"), rows=4)
    insights = FieldList(FormField(InsightRow), min_entries=BLANK_ROWS["insights"], max_entries=50)
    actions = FieldList(FormField(ActionRow), min_entries=BLANK_ROWS["actions"], max_entries=50)

    def add_blank_rows(self, group: str) -> None:
        """Append a few blank rows to one row group (up to its maximum)."""
        rows = getattr(self, group)
        for _ in range(BLANK_ROWS[group]):
            if len(rows.entries) < rows.max_entries:
                rows.append_entry()

    def ensure_blank_rows(self) -> None:
        """Below what is already there, leave each row group its few blank rows."""
        for group, wanted in BLANK_ROWS.items():
            rows = getattr(self, group)
            blank = sum(1 for row in rows if row.form.is_blank())
            for _ in range(max(0, wanted - blank)):
                rows.append_entry()

    def filled_rows(self, group: str) -> list:
        return [row.form for row in getattr(self, group) if not row.form.is_blank()]

    def set_choices(self, contacts, team, owners) -> None:
        """Fill every select and checkbox list (services.form_choices()).

        Call it after rows are added: each row has its own select.
        """
        contact_choices = [SelectChoice(c.id, _contact_label(c)) for c in contacts]
        self.company_attendee_ids.choices = contact_choices
        self.team_attendee_ids.choices = [SelectChoice(u.id, u.name) for u in team]
        speakers = [SelectChoice(NO_SPEAKER, _l("(not noted)"))] + contact_choices
        company, support_team = _l("Company"), _l("Support team")
        owner_choices = (
            [SelectChoice(NO_OWNER, _l("(not decided)"))]
            + [SelectChoice(f"c-{c.id}", _contact_label(c), optgroup=company) for c in contacts]
            + [SelectChoice(f"u-{u.id}", u.name, optgroup=support_team) for u in owners]
        )
        for row in self.statements:
            row.form.speaker_id.choices = speakers
        for row in self.actions:
            row.form.owner.choices = owner_choices

    def details(self) -> dict:
        """What was entered, blank rows left out, for services.save_session()."""
        filled = self.filled_rows
        return {
            "held_on": self.held_on.data,
            "duration_minutes": self.duration_minutes.data,
            "format": SessionFormat(self.format.data),
            "kind": SessionKind(self.kind.data),
            "notes": self.notes.data or "",
            "reflection": self.reflection.data or "",
            "next_steps": self.next_steps.data or "",
            "contact_ids": self.company_attendee_ids.data or [],
            "user_ids": self.team_attendee_ids.data or [],
            "new_contacts": [
                {"name": row.name.data, "title": row.title.data or "", "side": ContactSide(row.side.data)}
                for row in filled("new_contacts")
            ],
            "statements": [(row.text.data, row.speaker_id.data or None) for row in filled("statements")],
            "insights": [
                {
                    "text": row.text.data,
                    "holder": InsightHolder(row.holder.data),
                    "category": InsightCategory(row.category.data),
                    "barrier": Barrier(row.barrier.data) if row.barrier.data else None,
                    "state": InsightState(row.state.data),
                    "is_essential": row.is_essential.data,
                }
                for row in filled("insights")
            ],
            "actions": [
                {"title": row.title.data, "owner": row.owner.data or NO_OWNER, "due_on": row.due_on.data}
                for row in filled("actions")
            ],
        }


def _contact_label(contact) -> str:
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


def initial_data(session) -> dict:
    """The form's starting values for an existing session."""
    return {
        "version": session.version,
        "held_on": session.held_on,
        "duration_minutes": session.duration_minutes,
        "format": session.format.value,
        "kind": session.kind.value,
        "notes": session.notes,
        "reflection": session.reflection,
        "next_steps": session.next_steps,
        "company_attendee_ids": [c.id for c in session.company_attendees],
        "team_attendee_ids": [u.id for u in session.team_attendees],
        "statements": [
            {"text": statement.text, "speaker_id": statement.speaker_id or NO_SPEAKER}
            for statement in session.statements
        ],
    }
