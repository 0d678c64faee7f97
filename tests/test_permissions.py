"""Every route × every role × scope: the status each one gets.

The rows live in tests/access/, one module per feature. The matrix must name
every route the app has: a new route without a row makes
`test_every_route_has_a_row` fail, so nobody forgets to decide who may use it.
"""

import pytest

from tests.access import ROLES, SIGN_IN, all_rows
from tests.conftest import csrf_token, login

MATRIX = all_rows()


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(endpoint, method) for endpoint, method, _variant in MATRIX}
    assert routes - covered == set(), "routes without a row in the permission matrix (tests/access/)"
    assert covered - routes == set(), "rows for routes that no longer exist"


def _request(client, method, path):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client)})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method", "variant"), sorted(MATRIX))
def test_route_answers_each_role_as_designed(client, world, role, endpoint, method, variant):
    path, expected = MATRIX[(endpoint, method, variant)]
    if role != "anonymous":
        assert login(client, world.users[role]).status_code == 302
    response = _request(client, method, path.format(**world.ids))
    assert response.status_code == expected[role], f"{role} {method} {path} ({variant})"
    if response.status_code == SIGN_IN and role == "anonymous" and endpoint != "auth.sign_out":
        assert response.headers["Location"].startswith("/auth/sign-in")
