"""The method dimension of the permission matrix, and its scope variants, from the URL map.

- every route answers 405 (with a page) to the methods it does not accept, for every role;
- every POST without a valid CSRF token is refused with 400 for every role and changes nothing;
- no GET changes the database, whoever asks and whatever record it names;
- every route naming a case record has matrix rows (tests/access/) for each scope variant.
"""

import html

import pytest

from tests.access import all_rows
from tests.routewalk import (
    CASE_VARIANTS,
    EXTRA_METHODS,
    ROLES,
    Clients,
    changed_tables,
    database_state,
    fill,
    forms_on,
    new_audit_actions,
    rules,
    scope_kind,
    variants,
)


@pytest.fixture
def clients(app_context, world):
    """A signed-in client per role (signing in writes; it happens before any state is taken)."""
    signed_in = Clients(app_context, world.users)
    for role in ROLES:
        assert signed_in[role] is not None
    return signed_in


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_405_to_methods_it_does_not_accept(app_context, world, clients, role):
    refused = 0
    adapter = app_context.url_map.bind("localhost")
    for rule in rules(app_context):
        path = fill(rule, world.ids)
        accepted = set(adapter.allowed_methods(path))  # several rules may share a path
        for method in sorted(set(EXTRA_METHODS) - accepted):
            response = clients[role].open(path, method=method, data={"csrf_token": clients.token(role)})
            assert response.status_code == 405, f"{role} {method} {path}: {response.status_code}"
            assert set(response.headers["Allow"].split(", ")) == accepted, path
            assert 'class="error-page"' in response.text, path
            refused += 1
    assert refused > len(rules(app_context))


@pytest.mark.parametrize("role", ROLES)
def test_every_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app_context, world, clients, role):
    client = clients[role]
    before = database_state()
    for rule in rules(app_context, "POST"):
        for variant in variants(rule, world.ids):
            path = fill(rule, world.ids, variant)
            data = _as_shown(client, path, rule) or {"name": "fuzz", "text": "fuzz"}
            data.pop("csrf_token", None)
            for token in ({}, {"csrf_token": "forged"}):
                response = client.post(path, data={**data, **token})
                assert response.status_code == 400, f"{role} POST {path} {token}: {response.status_code}"
                assert 'class="error-page"' in response.text, path
                typed = [value for name, value in data.items() if value and "password" not in name]
                assert all(html.escape(value) in response.text for value in typed), f"{path}: typed text lost"
    assert changed_tables(before, database_state()) == {}
    assert new_audit_actions(before) <= {"access_refused"}  # the refusal itself is in the audit trail


def _as_shown(client, path, rule) -> dict:
    """The values of the form at `path` as this client sees it, if the page shows one."""
    if "GET" not in rule.methods:
        return {}
    for form in forms_on(client.get(path), path):
        if form.method == "POST" and form.action == path:
            return dict(form.values())
    return {}


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_changes_the_database(app_context, world, clients, role):
    before = database_state()
    answered = set()
    for rule in rules(app_context, "GET"):
        for variant in variants(rule, world.ids):
            response = clients[role].get(fill(rule, world.ids, variant))
            answered.add(response.status_code)
    assert changed_tables(before, database_state()) == {}
    # Reading leaves a trace in the audit trail only when it exports or is refused.
    assert new_audit_actions(before) <= {"export", "access_refused", "throttled"}
    assert answered & {200, 302}


def test_every_route_naming_a_case_record_has_a_row_for_each_scope(app_context, world):
    """Own team, same region, other region, missing: a row each, for every method of the route.

    A route naming another kind of record (a user, a snapshot, an import) needs at least its "missing" row.
    """
    matrix = all_rows()
    lacking = []
    for rule in rules(app_context):
        if not rule.arguments:
            continue
        scoped = any(scope_kind(argument, world.ids) for argument in rule.arguments)
        needed = set(CASE_VARIANTS) if scoped else {"missing"}
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            listed = {variant for endpoint, row_method, variant in matrix
                      if (endpoint, row_method) == (rule.endpoint, method)}
            lacking += [(rule.endpoint, method, variant) for variant in sorted(needed - listed)]
    assert not lacking, f"add these rows in tests/access/<feature>.py: {lacking}"
