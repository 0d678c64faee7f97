"""Sign-in, home, health, profile and user administration."""

from tests.access import admin_only, everyone, signed_in

ROWS = {
    ("health.healthz", "GET", ""): ("/healthz", everyone(200)),
    ("auth.sign_in", "GET", ""): ("/auth/sign-in", signed_in(302) | {"anonymous": 200}),
    # An empty form: 422 with messages; a signed-in user is sent home.
    ("auth.sign_in", "POST", ""): ("/auth/sign-in", signed_in(302) | {"anonymous": 422}),
    ("auth.sign_out", "POST", ""): ("/auth/sign-out", everyone(302)),
    ("home.index", "GET", ""): ("/", signed_in(200)),
    ("admin.users", "GET", ""): ("/admin/users", admin_only(200)),
    ("admin.new_user", "GET", ""): ("/admin/users/new", admin_only(200)),
    ("admin.new_user", "POST", ""): ("/admin/users/new", admin_only(422)),
    ("admin.edit_user", "GET", ""): ("/admin/users/{official_id}/edit", admin_only(200)),
    ("admin.edit_user", "POST", ""): ("/admin/users/{official_id}/edit", admin_only(422)),
    ("admin.reset_password", "POST", ""): ("/admin/users/{official_id}/password", admin_only(422)),
    # Records that do not exist: 404 to those allowed to look, 403 to the others.
    ("admin.edit_user", "GET", "missing"): ("/admin/users/999999/edit", admin_only(404)),
    ("admin.edit_user", "POST", "missing"): ("/admin/users/999999/edit", admin_only(404)),
    ("admin.reset_password", "POST", "missing"): ("/admin/users/999999/password", admin_only(404)),
    ("profile.show", "GET", ""): ("/profile/", signed_in(200)),
    ("profile.set_language", "POST", ""): ("/profile/language", signed_in(422)),
    ("profile.change_password", "POST", ""): ("/profile/password", signed_in(422)),
}
