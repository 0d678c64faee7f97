"""Bad input, everywhere: every form, every route, every role — never a 500, always a clear message.

The forms are found on the app's own pages: for each route that accepts a
POST, the page at the same address (or, failing that, any page) is read as
each role until a form posting there turns up; its fields (names, types,
options, hidden ones such as the record's version) are then filled by
hypothesis with random, oversized, wrongly typed, malformed-Unicode, missing
and repeated values. Routes come from app.url_map when the tests run, so a
route added later is attacked without this file naming it.
"""

import re
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from tests.routewalk import (
    ERROR_MESSAGE,
    FORM_ROLES,
    ROLES,
    Clients,
    Field,
    Form,
    encode,
    endpoints,
    fill,
    forms_on,
    rule_for,
    rules,
)
from tracker.extensions import db
from tracker.idempotency import new_form_key
from tracker.models import Company, OutcomeSnapshot, SessionState, SupportMeasure

FORM = "application/x-www-form-urlencoded"
# Stable in CI: the same examples every run, none remembered between runs.
FUZZ = settings(
    max_examples=15, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "", " ", "\x00", "a\x00b", "\u202eevil\u202c", "\u200f\u200e", "\ufeff", "😀" * 2600, "x" * 10_001, "ｱｲｳ１２３",
    "<script>alert(1)</script>", "' OR 1=1 --", "\r\n\t", "%", "-1", "0", "-0", "3.5", "1e309", "NaN", "-inf",
    "2147483648", "9223372036854775808", "-99999999999999999999", "9" * 40, "2026-02-30", "abc", "0000-00-00",
    "9999-12-31", "0001-01-01", "2026-13-01", "26/02/2026", "T", "on", "true",
]
# Bytes that are not UTF-8: a lone surrogate (U+D800), stray continuation and overlong forms.
MALFORMED = [b"\xed\xa0\x80", b"\xff\xfe", b"abc\xc3", b"\xc0\xaf", "\ud800x".encode("utf-8", "surrogatepass")]
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(MALFORMED),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
)


def field_values(field) -> st.SearchStrategy:
    """What one field sends: as shown, nothing, one bad value, or the name repeated."""
    shown = [field.value.removeprefix("\0checked\0")]
    choices = [st.just(shown), st.just([]), VALUES.map(lambda value: [value]), st.lists(VALUES, min_size=2, max_size=3)]
    if field.options:
        choices += [st.sampled_from(field.options).map(lambda value: [value]), st.just(["no-such-option"])]
    return st.one_of(choices)


@st.composite
def submissions(draw, form):
    """The form's fields filled at random; the CSRF token is always the real one.

    Half the time only one field is bad and the others are as shown, so that
    the bad value gets past validation of the rest and reaches the database.
    """
    fields = [field for field in form.fields if field.kind != "submit" and field.name != "csrf_token"]
    only = draw(st.sampled_from([None, *fields])) if fields and draw(st.booleans()) else None
    pairs = [("csrf_token", field.value) for field in form.fields if field.name == "csrf_token"]
    for field in fields:
        if only is None or field is only:
            pairs += [(field.name, value) for value in draw(field_values(field))]
        elif field.kind not in ("checkbox", "radio") or field.value.startswith("\0checked\0"):
            pairs.append((field.name, field.value.removeprefix("\0checked\0")))
    buttons = [field for field in form.fields if field.kind == "submit"]
    if buttons:
        button = draw(st.sampled_from([*buttons, None])) if only is None else buttons[0]
        pairs += [(button.name, button.value)] if button else []
    if only is None and draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["", "unknown", "id", "deleted_at"])), draw(VALUES)))
    return pairs


def assert_clear_answer(response, what: str) -> None:
    """No server error; a refusal carries a message the user can read."""
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code >= 400 and response.mimetype == "text/html":
        assert ERROR_MESSAGE.search(response.text), f"{what}: {response.status_code} without a message"


# ---- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def fuzz_world(world):
    """The world, plus what some forms need to show: a session waiting for review, an outcome snapshot."""
    world.session_team.state = SessionState.SUBMITTED
    snapshot = OutcomeSnapshot(company_id=world.company_team.id, fiscal_year=date.today().year - 2, sales=1000)
    db.session.add(snapshot)
    db.session.commit()
    world.ids["snapshot_team"] = world.ids["snapshot_id"] = snapshot.id
    return world


@pytest.fixture
def clients(app_context, fuzz_world):
    return Clients(app_context, fuzz_world.users)


# endpoint → (role, page endpoint) where its form was found, so later tests look there first.
_FORM_PAGES: dict = {}


def find_form(app, clients, ids, endpoint):
    """(role, page path, form) of a form that posts to the endpoint's path, or None if no page has one.

    Pages are read nearest first (the same address, then those sharing the
    longest part of it), each as every role in turn.
    """
    target = fill(rule_for(app, endpoint, "POST"), ids)
    pages = sorted(rules(app, "GET"), key=lambda rule: (rule.endpoint != endpoint, -_shared(rule.rule, target)))
    candidates = [(role, rule.endpoint) for rule in pages for role in FORM_ROLES]
    if _FORM_PAGES.get(endpoint):
        candidates.insert(0, _FORM_PAGES[endpoint])
    elif endpoint in _FORM_PAGES:  # looked for on every page before, in vain: only the same address again
        candidates = candidates[:len(FORM_ROLES)]
    for role, page_endpoint in candidates:
        page = fill(rule_for(app, page_endpoint, "GET"), ids)
        for form in forms_on(clients[role].get(page), page):
            if form.method == "POST" and form.action == target:
                _FORM_PAGES[endpoint] = (role, page_endpoint)
                return role, page, form
    _FORM_PAGES[endpoint] = None
    return None


def _shared(rule: str, path: str) -> int:
    """How many leading path segments a rule has in common with a path (placeholders match anything)."""
    count = 0
    for pattern, segment in zip(rule.strip("/").split("/"), path.strip("/").split("/"), strict=False):
        if pattern != segment and not pattern.startswith("<"):
            break
        count += 1
    return count


@pytest.fixture
def target(app_context, clients, fuzz_world, endpoint):
    found = find_form(app_context, clients, fuzz_world.ids, endpoint)
    if found is None:  # no page shows this form to anyone in the world: attack it blind, as the manager
        path = fill(rule_for(app_context, endpoint, "POST"), fuzz_world.ids)
        found = ("manager", "/", Form("POST", path, [Field("csrf_token", "hidden", clients.token("manager"))]))
    return found


# ---- every form ----------------------------------------------------------------------------


def refreshed(client, page: str, form: Form) -> Form:
    """`form` with the hidden values its page shows now (the record's version, a new one-time
    key), its fields otherwise as first read. The fields stay the same ones, so what Hypothesis
    draws from them has the same shape in every example, whatever earlier saves added to the
    page (a new contact is one more attendee box: a changing shape is "inconsistent data")."""
    shown = [f for f in forms_on(client.get(page), page) if f.method == "POST" and f.action == form.action]
    hidden = {f.name: f.value for f in shown[0].fields if f.kind == "hidden"} if shown else {}
    return replace(form, fields=[replace(f, value=hidden[f.name]) if f.kind == "hidden" and f.name in hidden else f
                                 for f in form.fields])


@pytest.mark.parametrize("endpoint", endpoints("POST"))
@FUZZ
@given(data=st.data())
def test_every_form_answers_bad_input_with_a_message_never_a_500(app_context, clients, target, endpoint, data):
    role, page, form = target
    client = clients[role]
    if data.draw(st.booleans(), label="fresh form"):  # the record's current version, after earlier saves
        form = refreshed(client, page, form)
    pairs = data.draw(submissions(form), label="fields")
    response = client.post(form.action, data=encode(pairs), content_type=FORM)
    assert_clear_answer(response, f"{role} POST {form.action}")


# Blanks alone and invisible control characters, in each field in turn (the rest as shown, so that
# a value that passes validation reaches the database): a whitespace date once gave a 500 there.
BLANKS = [" ", "\t", "\u3000", "\n"]
CONTROLS = ["\x00", "\x1b", "\x7f", "\u202e"]


def swept_fields(form) -> list:
    """The names worth a sweep: every field's but buttons' and the CSRF token's, once each (a
    list of checkboxes shares one), and of repeated rows (statements-0-text, statements-1-text...)
    only the first row's."""
    names = [field.name for field in form.fields
             if field.kind != "submit" and field.name != "csrf_token" and not re.search(r"-[1-9]\d*-", field.name)]
    return list(dict.fromkeys(names))


@pytest.mark.parametrize("endpoint", endpoints("POST"))
def test_every_field_answers_blanks_and_control_characters_clearly(app_context, clients, target, endpoint):
    role, page, form = target
    client = clients[role]
    # A form carrying the record's version (or a one-time key) is read again after each save.
    stateful = any(field.kind == "hidden" and field.name != "csrf_token" for field in form.fields)
    for swept in swept_fields(form):
        for value in BLANKS + CONTROLS:
            pairs = [(name, shown) for name, shown in form.values() if name != swept] + [(swept, value)]
            response = client.post(form.action, data=encode(pairs), content_type=FORM)
            assert_clear_answer(response, f"{role} POST {form.action} {swept}={value!r}")
            if response.status_code < 400 and stateful:  # saved: the next post needs the record's new version
                form = refreshed(client, page, form)


def test_the_forms_are_found_and_a_valid_submission_is_accepted(app_context, clients, fuzz_world):
    """The control: most POST routes have a form in the world, and sending it as shown is not a 500."""
    found = {endpoint: find_form(app_context, clients, fuzz_world.ids, endpoint) for endpoint in endpoints("POST")}
    # Three in four: the sign-in's second step, the session ends and a second factor's reset show
    # their forms only in states the world does not hold (a half sign-in, another's session, a
    # factor to reset); they are still attacked blind (`target`).
    missing = sorted(endpoint for endpoint, value in found.items() if not value)
    assert len(found) - len(missing) >= 0.75 * len(found), missing
    for endpoint, value in found.items():
        if value:
            role, _page, form = value
            response = clients[role].post(form.action, data=encode(form.values()), content_type=FORM)
            assert_clear_answer(response, f"{endpoint} as shown")


# ---- every route, random ids and query strings ---------------------------------------------------

QUERY_NAMES = ["page", "per_page", "q", "lang", "next", "sort", "direction", "view", "year", "fy", "region"]


def path_values(rule, ids) -> st.SearchStrategy:
    """Arguments for a rule: the world's ids, huge and zero ids, or random text where text goes."""
    known = sorted({value for value in ids.values() if isinstance(value, int)})
    arguments = {}
    for argument in rule.arguments:
        if isinstance(rule._converters[argument], IntegerConverter):
            arguments[argument] = st.one_of(st.sampled_from(known), st.integers(0, 2**80),
                                            st.sampled_from([0, 2**31, 2**63, 10**30]))
        else:
            arguments[argument] = st.text(min_size=1, max_size=30)
    return st.fixed_dictionaries(arguments)


@pytest.mark.parametrize("endpoint", sorted({rule.endpoint for rule in rules()}))
@settings(FUZZ, max_examples=3)
@given(data=st.data())
def test_every_route_answers_random_ids_and_queries_for_every_role(app_context, clients, fuzz_world, endpoint, data):
    rule = next(rule for rule in rules(app_context) if rule.endpoint == endpoint)
    values = data.draw(path_values(rule, fuzz_world.ids), label="path")
    path = rule.build(values, append_unknown=False)[1]
    names = QUERY_NAMES + _query_fields(app_context, clients, fuzz_world.ids, endpoint)
    query = data.draw(st.lists(st.tuples(st.sampled_from(names), VALUES), max_size=4), label="query")
    for role in ROLES:
        client = clients[role]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = encode([("csrf_token", clients.token(role))]) if method == "POST" else None
            response = client.open(path, method=method, query_string=encode(query).decode(), data=body,
                                   content_type=FORM)
            assert_clear_answer(response, f"{role} {method} {path}?{encode(query)!r}")
    if rule.endpoint == "auth.sign_out":
        clients.clear()  # signed out: sign in again next time


_QUERY_FIELDS: dict = {}


def _query_fields(app, clients, ids, endpoint) -> list[str]:
    """Names of the GET forms' fields (filters) on the route's page, read once as the manager and admin."""
    if endpoint not in _QUERY_FIELDS:
        names = set()
        if "GET" in rule_for(app, endpoint).methods:
            page = fill(rule_for(app, endpoint), ids)
            for role in ("manager", "admin"):
                names |= {f.name for form in forms_on(clients[role].get(page), page) if form.method == "GET"
                          for f in form.fields}
        _QUERY_FIELDS[endpoint] = sorted(names)
    return _QUERY_FIELDS[endpoint]


# ---- oversized requests ------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", endpoints("POST"))
def test_a_post_over_the_size_limit_is_refused_with_a_page(app_context, clients, fuzz_world, endpoint):
    limit = app_context.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 64 * 1024 * 1024
    body = b"x=" + b"a" * (limit - 1)
    path = fill(rule_for(app_context, endpoint, "POST"), fuzz_world.ids)
    for role in ROLES:
        response = clients[role].post(path, data=body, content_type=FORM)
        assert response.status_code == 413, f"{role} {path}"
        assert "error-page" in response.text and "Content-Security-Policy" in response.headers


def test_an_upload_over_the_size_limit_is_refused_and_one_under_it_is_read(app_context, clients, fuzz_world):
    import io

    limit = app_context.config["MAX_CONTENT_LENGTH"]
    path = fill(rule_for(app_context, "companies.new", "POST"), fuzz_world.ids)
    client = clients["manager"]
    big = {"csrf_token": clients.token("manager"), "file": (io.BytesIO(b"a" * limit), "companies.csv")}
    response = client.post(path, data=big, content_type="multipart/form-data")
    assert response.status_code == 413 and 'class="error-page"' in response.text
    small = {"csrf_token": clients.token("manager"), "file": (io.BytesIO(b"a" * 1000), "companies.csv")}
    assert client.post(path, data=small, content_type="multipart/form-data").status_code == 422


def test_a_huge_text_field_is_refused_clearly(app_context, clients, fuzz_world):
    """A field of a megabyte (under the request limit, over what a form field may hold): a 4xx with a message."""
    path = fill(rule_for(app_context, "companies.new", "POST"), fuzz_world.ids)
    pairs = [("csrf_token", clients.token("manager")), ("name", "社" * 400_000)]
    response = clients["manager"].post(path, data=encode(pairs), content_type=FORM)
    assert 400 <= response.status_code < 500
    assert_clear_answer(response, "huge name")



# ---- what the fuzzing found (kept as plain examples) ----------------------------------------------


def test_a_nul_character_is_dropped_not_a_500(app_context, clients, fuzz_world):
    """PostgreSQL refuses NUL in text: it is dropped from what was typed, and the rest is saved."""
    path = f"/companies/{fuzz_world.ids['company_team']}/edit"
    form = next(f for f in forms_on(clients["manager"].get(path), path) if f.method == "POST" and f.action == path)
    pairs = [(name, "株式会社\x00ヌル" if name == "name" else value) for name, value in form.values()]
    assert clients["manager"].post(path, data=encode(pairs), content_type=FORM).status_code == 302
    assert db.session.get(Company, fuzz_world.ids["company_team"]).name == "株式会社ヌル"


@pytest.mark.parametrize(("path", "status"), [
    ("/companies/99999999999999999999", 404),
    ("/admin/users/9223372036854775808/edit", 404),
    ("/companies/?page=99999999999999999999", 200),  # the first page
    ("/companies/?region=99999999999999999999", 200),  # no such region: the filter is ignored
    ("/admin/users?page=-99999999999999999999", 200),
])
def test_numbers_too_large_for_the_database_name_no_record_and_no_page(clients, fuzz_world, path, status):
    assert clients["admin"].get(path).status_code == status


def test_a_measure_posted_without_its_optional_fields_is_saved(clients, fuzz_world):
    """A post that leaves out fields (not a browser, but it happens) counts them as empty."""
    data = [("csrf_token", clients.token("admin")), ("form_key", new_form_key()), ("name", "ものづくり補助金（試験）"),
            ("kind", "subsidy")]
    response = clients["admin"].post("/admin/measures/new", data=encode(data), content_type=FORM)
    assert response.status_code == 302
    measure = db.session.scalar(sa.select(SupportMeasure).where(SupportMeasure.name == "ものづくり補助金（試験）"))
    assert measure.provider == "" and measure.description == ""
