"""Sign-in, home, health, profile and user administration."""

from tests.access import admin_only, everyone, signed_in, statuses

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
    # Signed-in sessions: everyone ends their own (no one else's: tests/test_user_sessions.py
    # guesses ids); an admin ends anyone's.
    ("profile.end_other_sessions", "POST", ""): ("/profile/sessions/end-others", signed_in(302)),
    ("profile.end_session", "POST", "missing"): ("/profile/sessions/999999/end", signed_in(404)),
    ("admin.end_all_sessions", "POST", ""): ("/admin/users/{official_id}/sessions/end-all", admin_only(302)),
    ("admin.end_all_sessions", "POST", "missing"): ("/admin/users/999999/sessions/end-all", admin_only(404)),
    ("admin.end_session", "POST", "missing"): (
        "/admin/users/{official_id}/sessions/999999/end", admin_only(404)
    ),
    # The second step of signing in needs a right password a moment before in this
    # browser; without one, everyone is sent (back) to the sign-in page.
    ("auth.code", "GET", ""): ("/auth/code", everyone(302)),
    ("auth.code", "POST", ""): ("/auth/code", everyone(302)),
    ("auth.enrol", "GET", ""): ("/auth/enrol", everyone(302)),
    ("auth.enrol", "POST", ""): ("/auth/enrol", everyone(302)),
    # Admins and managers have a second factor already (they are sent back to the profile);
    # the others may set one up.
    ("profile.enrol_two_factor", "GET", ""): (
        "/profile/two-factor", statuses(admin=302, manager=302, consultant=200, official=200)),
    ("profile.enrol_two_factor", "POST", ""): (
        "/profile/two-factor", statuses(admin=302, manager=302, consultant=422, official=422)),
    ("profile.renew_recovery_codes", "POST", ""): (
        "/profile/two-factor/recovery-codes", statuses(admin=422, manager=422, consultant=403, official=403)),
    # Required for admins and managers; the others have none to turn off.
    ("profile.turn_off_two_factor", "POST", ""): ("/profile/two-factor/off", signed_in(403)),
    ("admin.reset_two_factor", "POST", ""): ("/admin/users/{official_id}/two-factor/reset", admin_only(302)),
    ("admin.reset_two_factor", "POST", "missing"): ("/admin/users/999999/two-factor/reset", admin_only(404)),
}
