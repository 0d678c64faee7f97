"""Demo data: loaded once, safe to load again, never in production."""

import sqlalchemy as sa

from tests.conftest import login
from tracker.demo import data, load_demo_data
from tracker.extensions import db
from tracker.models import Organisation, Region, User
from tracker.models.accounts import jis_check_digit


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_is_idempotent(app_context):
    first = load_demo_data()
    assert {key: first[key] for key in ("regions", "organisations", "accounts")} == {
        "regions": 9, "organisations": len(data.ORGANISATIONS), "accounts": len(data.ACCOUNTS)}
    assert set(load_demo_data().values()) == {0}
    assert (count(Region), count(User)) == (9, len(data.ACCOUNTS))
    assert count(Organisation) >= 7  # every kind of organisation


def test_pilot_regions_have_valid_jis_codes(app_context):
    load_demo_data()
    codes = {region.code: region for region in db.session.scalars(sa.select(Region))}
    assert codes["152137"].municipality == "燕市"  # 新潟県燕市
    for code in codes:
        assert jis_check_digit(code[:5]) == code[5]


def test_demo_accounts_sign_in_with_the_documented_password(client):
    load_demo_data()
    for email in ("admin@example.com", "manager@example.com", "consultant@example.com", "official@example.com"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        other = client.application.test_client()
        assert login(other, user, "bansou-demo-2026").status_code == 302, email


def test_cli_load_refuses_in_production(app):
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load"])
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
    assert result.exit_code != 0
    assert "never" in result.output
