"""Every route × every role: the status each one gets.

The matrix must name every route the app has: a new route without a row makes
`test_every_route_has_a_row` fail, so nobody forgets to decide who may use it.
"""

import pytest

from tests.conftest import csrf_token, login

ROLES = ("anonymous", "admin", "manager", "consultant", "official")
SIGN_IN = 302  # anonymous visitors are sent to the sign-in page


def everyone(status):
    return dict.fromkeys(ROLES, status)


def admin_only(allowed_status):
    return {"anonymous": SIGN_IN, "admin": allowed_status, "manager": 403, "consultant": 403, "official": 403}


def signed_in(status):
    return {"anonymous": SIGN_IN, **dict.fromkeys(ROLES[1:], status)}


# (endpoint, method): (path, {role: status}). `{user}` is another user's id.
MATRIX = {
    ("health.healthz", "GET"): ("/healthz", everyone(200)),
    ("auth.sign_in", "GET"): ("/auth/sign-in", {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    # An empty form: 422 with messages; a signed-in user is sent home.
    ("auth.sign_in", "POST"): ("/auth/sign-in", {"anonymous": 422, **dict.fromkeys(ROLES[1:], 302)}),
    ("auth.sign_out", "POST"): ("/auth/sign-out", everyone(302)),
    ("home.index", "GET"): ("/", signed_in(200)),
    ("admin.users", "GET"): ("/admin/users", admin_only(200)),
    ("admin.new_user", "GET"): ("/admin/users/new", admin_only(200)),
    ("admin.new_user", "POST"): ("/admin/users/new", admin_only(422)),
    ("admin.edit_user", "GET"): ("/admin/users/{user}/edit", admin_only(200)),
    ("admin.edit_user", "POST"): ("/admin/users/{user}/edit", admin_only(422)),
    ("admin.reset_password", "POST"): ("/admin/users/{user}/password", admin_only(422)),
    ("profile.show", "GET"): ("/profile/", signed_in(200)),
    ("profile.set_language", "POST"): ("/profile/language", signed_in(422)),
    ("profile.change_password", "POST"): ("/profile/password", signed_in(422)),
}
# Records that do not exist answer 404 to those allowed to look, 403 to the others.
MISSING = {
    ("admin.edit_user", "GET"): ("/admin/users/999999/edit", admin_only(404)),
    ("admin.edit_user", "POST"): ("/admin/users/999999/edit", admin_only(404)),
    ("admin.reset_password", "POST"): ("/admin/users/999999/password", admin_only(404)),
}


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "routes without a row in the permission matrix"
    assert MATRIX.keys() - routes == set(), "rows for routes that no longer exist"


def _request(client, method, path):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client)})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(MATRIX))
def test_route_answers_each_role_as_designed(client, users, role, endpoint, method):
    path, expected = MATRIX[(endpoint, method)]
    if role != "anonymous":
        assert login(client, users[role]).status_code == 302
    response = _request(client, method, path.format(user=users["official"].id))
    assert response.status_code == expected[role], f"{role} {method} {path}"
    if response.status_code == SIGN_IN and role == "anonymous" and endpoint not in ("auth.sign_out",):
        assert response.headers["Location"].startswith("/auth/sign-in")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(MISSING))
def test_missing_records_answer_404_to_those_allowed(client, users, role, endpoint, method):
    path, expected = MISSING[(endpoint, method)]
    if role != "anonymous":
        login(client, users[role])
    assert _request(client, method, path).status_code == expected[role]
