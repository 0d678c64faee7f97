"""Helpers for tests that walk every route of the app: paths, forms, clients per role, database state.

Nothing here names a route: rules come from app.url_map and forms from the
pages themselves, so routes added later are covered without editing tests.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from tests.conftest import csrf_token, login
from tests.factories import PASSWORD
from tracker import create_app
from tracker.extensions import db

MISSING_ID = 999_999
CASE_VARIANTS = ("team", "region", "out", "missing")
# Roles tried in this order to find a form: the ones who write most first.
FORM_ROLES = ("manager", "consultant", "admin", "official", "anonymous")
ROLES = ("anonymous", "admin", "manager", "consultant", "official")
EXTRA_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# An error answer must say what went wrong: a message beside a field, an alert, or the error page.
ERROR_MESSAGE = re.compile(r'class="error|role="alert"|class="error-page"')

# An app built only to read the URL map when tests are collected.
LISTING_APP = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def rules(app=LISTING_APP, method: str | None = None) -> list:
    """Every rule of the app but static files, optionally only those accepting `method`."""
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if rule.endpoint != "static" and (method is None or method in rule.methods)),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def endpoints(method: str) -> list[str]:
    """Endpoint names that accept `method` (one rule per endpoint here)."""
    return sorted({rule.endpoint for rule in rules(method=method)})


def rule_for(app, endpoint: str, method: str | None = None):
    return next(rule for rule in rules(app, method) if rule.endpoint == endpoint)


def scope_kind(argument: str, ids: dict) -> str | None:
    """The world record an argument names when it has team/region/out variants ("company_id" → "company")."""
    kind = argument.removesuffix("_id")
    return kind if f"{kind}_team" in ids else None


def argument_value(argument: str, ids: dict, variant: str):
    """The value of one path argument for a scope variant of the world."""
    if variant == "missing":
        return MISSING_ID
    kind = argument.removesuffix("_id")
    for key in (f"{kind}_{variant}", f"{kind}_team", f"{kind}_id", "official_id" if kind == "user" else ""):
        if key in ids:
            return ids[key]
    return MISSING_ID


def fill(rule, ids: dict, variant: str = "team", **values) -> str:
    """The rule's path with the world's ids of `variant` (or `values`) in place of its arguments."""
    arguments = {}
    for argument in rule.arguments:
        if argument in values:
            arguments[argument] = values[argument]
        elif isinstance(rule._converters[argument], IntegerConverter):
            arguments[argument] = argument_value(argument, ids, variant)
        else:
            arguments[argument] = str(date.today().year)
    return rule.build(arguments, append_unknown=False)[1]


def variants(rule, ids: dict) -> tuple[str, ...]:
    """The scope variants a rule's path can take: team/region/out/missing when it names a case record."""
    if any(scope_kind(argument, ids) for argument in rule.arguments):
        return CASE_VARIANTS
    if rule.arguments:
        return ("team", "missing")
    return ("team",)


# ---- forms --------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea", "select" or "submit"
    value: str = ""
    options: list = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list = field(default_factory=list)

    def values(self) -> list[tuple[str, str]]:
        """The form submitted as shown: checked boxes, selected options, the first submit button."""
        pairs, buttons = [], [f for f in self.fields if f.kind == "submit"]
        for f in self.fields:
            if f.kind in ("checkbox", "radio", "submit") and not f.value.startswith("\0checked\0"):
                continue
            pairs.append((f.name, f.value.removeprefix("\0checked\0")))
        if buttons:
            pairs.append((buttons[0].name, buttons[0].value))
        return pairs


class FormParser(HTMLParser):
    """Every <form> of a page with its fields, as a browser would submit them."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms = page_url, []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(urljoin(f"http://localhost{self.page_url}", attrs.get("action") or self.page_url))
            self._form = Form(attrs.get("method", "get").upper(), action.path)
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select.options.append(value)
            if "selected" in attrs or (not self._select.value and len(self._select.options) == 1):
                self._select.value = value
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input" and attrs.get("type", "text") not in ("submit", "button", "image", "reset"):
            kind, value = attrs.get("type", "text"), attrs.get("value") or ""
            if kind in ("checkbox", "radio"):
                value = ("\0checked\0" if "checked" in attrs else "") + (attrs.get("value") or "on")
            self._form.fields.append(Field(attrs["name"], kind, value))
        elif tag in ("button", "input"):
            self._form.fields.append(Field(attrs["name"], "submit", attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = Field(attrs["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(attrs["name"], "select", multiple="multiple" in attrs)
            self._form.fields.append(self._select)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_on(response, page_url: str) -> list[Form]:
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    parser = FormParser(page_url)
    parser.feed(response.text)
    return parser.forms


def encode(pairs) -> bytes:
    """An application/x-www-form-urlencoded body; values may be bytes that are not valid UTF-8."""
    def raw(value):
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")

    return b"&".join(
        quote_from_bytes(raw(name)).encode() + b"=" + quote_from_bytes(raw(value)).encode() for name, value in pairs
    )


# ---- clients and database state -----------------------------------------------------------------


class Clients(dict):
    """One test client per role, signed in on first use: `clients["manager"]`."""

    def __init__(self, app, users):
        super().__init__()
        self.app, self.users = app, users

    def __missing__(self, role):
        client = self.app.test_client()
        if role != "anonymous":
            assert login(client, self.users[role], PASSWORD).status_code == 302
        self[role] = client
        return client

    def token(self, role: str) -> str:
        return csrf_token(self[role], "/" if role != "anonymous" else "/auth/sign-in")


# Bookkeeping that any request may write: the server-side session's last_seen_at. The audit trail
# is compared apart (new_audit_actions): refusing or exporting is recorded, and changes no record.
VOLATILE = {"user_sessions": {"last_seen_at"}}
AUDIT = "audit_events"


def database_state() -> dict:
    """A digest of every table's rows (volatile bookkeeping columns left out)."""
    state = {}
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if column.name not in VOLATILE.get(table.name, ())]
        rows = db.session.execute(sa.select(*columns)).all()
        digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        state[table.name] = (len(rows), digest, max((row.id for row in rows), default=0) if "id" in table.c else 0)
    db.session.rollback()
    return state


def changed_tables(before: dict, after: dict) -> dict:
    """Tables whose rows differ (the audit trail aside), with their row counts before and after."""
    return {name: (before[name][0], after[name][0]) for name in before
            if name != AUDIT and before[name][:2] != after[name][:2]}


def new_audit_actions(before: dict) -> set[str]:
    """The actions of the audit events recorded since `before` was taken."""
    table = db.metadata.tables[AUDIT]
    actions = set(db.session.scalars(sa.select(table.c.action).where(table.c.id > before[AUDIT][2])))
    db.session.rollback()
    return actions
