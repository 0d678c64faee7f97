"""User administration: list, create, edit, disable, reset; and `flask users create`."""

import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tracker.auth.passwords import verify_password
from tracker.extensions import db
from tracker.models import Role, User, UserSession

NEW_PASSWORD = "Shinano-River-Lantern-88"


def user_form(**overrides):
    data = {
        "name": "新規 利用者",
        "email": "New.Person@Example.org",
        "organisation_id": "0",
        "role": "manager",
        "language": "ja",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def test_list_shows_users_and_filters(client, admin, manager, official):
    login(client, admin)
    page = client.get("/admin/users")
    assert manager.email in page.text and official.email in page.text
    filtered = client.get("/admin/users?role=official")
    assert official.email in filtered.text and manager.email not in filtered.text
    searched = client.get(f"/admin/users?q={manager.name[-3:]}")
    assert manager.email in searched.text
    by_email = client.get(f"/admin/users?q={official.email.upper()}")
    assert official.email in by_email.text and manager.email not in by_email.text
    assert manager.email not in client.get("/admin/users?q=%25_").text  # wildcards are literal


def test_list_escapes_names(client, admin, region):
    UserFactory(name="<script>alert(1)</script>", regions=[region])
    login(client, admin)
    page = client.get("/admin/users")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_list_paginates(app, client, admin, region):
    for _ in range(app.config["PER_PAGE"] + 2):
        UserFactory(regions=[region])
    login(client, admin)
    assert 'rel="next"' in client.get("/admin/users").text
    assert client.get("/admin/users?page=2").status_code == 200
    assert client.get("/admin/users?page=999").status_code == 200


def test_admin_creates_a_user_who_can_sign_in(client, admin, region):
    org = OrganisationFactory()
    login(client, admin)
    response = post(
        client,
        "/admin/users/new",
        user_form(organisation_id=str(org.id), region_ids=[str(region.id)]),
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.person@example.org"))
    assert user.role == Role.MANAGER and user.organisation_id == org.id and user.region_ids == [region.id]
    other = client.application.test_client()
    assert login(other, user, NEW_PASSWORD).status_code == 302


def test_bad_input_is_explained_and_kept(client, admin):
    login(client, admin)
    response = post(
        client,
        "/admin/users/new",
        user_form(email="not-an-email", name="残す名前", password="short", confirm="different"),
    )
    assert response.status_code == 422
    assert 'value="残す名前"' in response.text
    assert 'value="not-an-email"' in response.text
    # Each message stands beside its own field.
    for field in ("email", "password", "confirm", "region_ids"):
        assert f'id="{field}-error"' in response.text, field
    assert "12文字以上" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_common_password_is_refused(client, admin, region):
    login(client, admin)
    response = post(
        client,
        "/admin/users/new",
        user_form(password="password1234", confirm="password1234", region_ids=[str(region.id)]),
    )
    assert response.status_code == 422
    assert "推測されやすい" in response.text or "too common" in response.text


def test_duplicate_email_differing_in_case_is_refused(client, admin, manager, region):
    login(client, admin)
    response = post(
        client, "/admin/users/new", user_form(email=manager.email.upper(), region_ids=[str(region.id)])
    )
    assert response.status_code == 422
    assert manager.email.upper() in response.text


def test_wrong_type_values_get_a_4xx(client, admin):
    login(client, admin)
    response = post(
        client, "/admin/users/new", user_form(role="emperor", organisation_id="abc", region_ids=["x"])
    )
    assert response.status_code == 422


def test_disabling_a_user_signs_them_out(client, admin, manager, region):
    other = client.application.test_client()
    login(other, manager)
    assert other.get("/").status_code == 200
    login(client, admin)
    response = post(
        client,
        f"/admin/users/{manager.id}/edit",
        {"name": manager.name, "email": manager.email, "organisation_id": "0", "role": "manager",
         "language": "ja", "region_ids": [str(region.id)]},
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert login(other, manager).status_code == 403


def test_admin_cannot_disable_themselves(client, admin):
    login(client, admin)
    response = post(
        client,
        f"/admin/users/{admin.id}/edit",
        {"name": admin.name, "email": admin.email, "organisation_id": "0", "role": "admin",
         "language": "ja", "all_regions": "y"},
    )
    assert response.status_code == 422
    assert db.session.get(User, admin.id).active


def test_password_reset_ends_sessions_and_sets_the_password(client, admin, consultant):
    other = client.application.test_client()
    login(other, consultant)
    login(client, admin)
    response = post(
        client, f"/admin/users/{consultant.id}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(UserSession).where(UserSession.user_id == consultant.id)
    ) == 0
    assert verify_password(db.session.get(User, consultant.id).password_hash, NEW_PASSWORD)
    assert not verify_password(db.session.get(User, consultant.id).password_hash, PASSWORD)


def test_cli_creates_a_user(app, app_context, region):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--email", "Cli@Example.org", "--name", "コマンド 太郎", "--role", "official",
              "--region", region.code, "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli@example.org"))
    assert user.role == Role.OFFICIAL and user.region_ids == [region.id]


def test_cli_refuses_weak_password_and_unknown_region(app, app_context, region):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role",
                               "official", "--region", region.code, "--password", "short"])
    assert weak.exit_code != 0 and "12" in weak.output
    unknown = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A", "--role",
                                  "official", "--region", "999999", "--password", NEW_PASSWORD])
    assert unknown.exit_code != 0 and "999999" in unknown.output
