"""Support measures: the admin's catalogue, referrals by the team and their outcomes."""

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import SupportMeasureFactory
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import MeasureKind, Referral, ReferralOutcome, SupportMeasure


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def measure_form(**overrides) -> dict:
    data = {
        "name": "ものづくり補助金",
        "name_en": "Manufacturing subsidy",
        "kind": "subsidy",
        "provider": "中小企業庁",
        "description": "設備投資を支援する。",
        "active": "y",
    }
    data.update(overrides)
    return data


# ---- the catalogue ----------------------------------------------------------------


def test_admin_adds_and_edits_catalogue_entries(client, admin):
    login(client, admin)
    response = post(client, "/admin/measures/new", measure_form())
    assert response.status_code == 302 and response.headers["Location"] == "/admin/measures"
    measure = db.session.scalar(sa.select(SupportMeasure).where(SupportMeasure.name == "ものづくり補助金"))
    assert measure.kind == MeasureKind.SUBSIDY and measure.active and measure.provider == "中小企業庁"
    assert f'id="measure-{measure.id}"' in client.get("/admin/measures").text
    page = client.get(f"/admin/measures/{measure.id}/edit").text
    assert "Manufacturing subsidy" in page and "checked" in page
    response = post(
        client, f"/admin/measures/{measure.id}/edit", measure_form(kind="digitalisation", active="")
    )
    assert response.status_code == 302
    db.session.refresh(measure)
    assert measure.kind == MeasureKind.DIGITALISATION and not measure.active


def test_catalogue_refuses_bad_input_and_keeps_it(client, admin):
    SupportMeasureFactory(name="既にある名前")
    login(client, admin)
    response = post(client, "/admin/measures/new", measure_form(name="", description="残す説明"))
    assert response.status_code == 422 and 'id="name-error"' in response.text and "残す説明" in response.text
    response = post(client, "/admin/measures/new", measure_form(name="既にある名前", provider="残す提供者"))
    assert response.status_code == 422 and 'id="name-error"' in response.text and "残す提供者" in response.text
    response = post(client, "/admin/measures/new", measure_form(kind="lottery"))
    assert response.status_code == 422 and 'id="kind-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(SupportMeasure.id))) == 1


def test_catalogue_is_in_the_admins_menu_only(client, admin, manager):
    login(client, admin)
    assert 'href="/admin/measures"' in client.get("/").text
    other = client.application.test_client()
    login(other, manager)
    assert 'href="/admin/measures"' not in other.get("/").text


def test_catalogue_list_runs_one_query_whatever_its_length(client, admin, count_queries):
    SupportMeasureFactory()
    login(client, admin)
    client.get("/admin/measures")
    with count_queries() as with_few:
        client.get("/admin/measures")
    for _ in range(20):
        SupportMeasureFactory()
    with count_queries() as with_many:
        client.get("/admin/measures")
    assert with_few.n == with_many.n


# ---- referrals ----------------------------------------------------------------------


def referral_form(measure, **overrides) -> dict:
    data = {"measure_id": str(measure.id), "referred_on": local_today().isoformat(), "note": "専門家に相談を勧めた"}
    data.update(overrides)
    return data


def test_consultant_on_the_team_refers_to_an_active_entry(client, world, consultant):
    english(consultant)
    engagement = world.engagement_team
    retired = SupportMeasureFactory(active=False, name_en="Retired programme")
    login(client, consultant)
    page = client.get(f"/engagements/{engagement.id}/referrals/new").text
    assert world.measure.name_en in page and "Retired programme" not in page
    assert re.search(r'<optgroup label="Expert dispatch">', page)
    response = post(client, f"/engagements/{engagement.id}/referrals/new", referral_form(world.measure))
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral).where(Referral.note == "専門家に相談を勧めた"))
    assert referral.engagement_id == engagement.id and referral.outcome == ReferralOutcome.PENDING
    assert referral.created_by_id == consultant.id
    response = post(client, f"/engagements/{engagement.id}/referrals/new", referral_form(retired))
    assert response.status_code == 422 and 'id="measure_id-error"' in response.text


def test_referral_bad_input_is_refused_and_kept(client, world, manager):
    engagement = world.engagement_region
    login(client, manager)
    future = (local_today() + timedelta(days=3)).isoformat()
    response = post(client, f"/engagements/{engagement.id}/referrals/new",
                    referral_form(world.measure, referred_on=future, note="未来の紹介"))
    assert response.status_code == 422
    assert 'id="referred_on-error"' in response.text and "未来の紹介" in response.text
    response = post(client, f"/engagements/{engagement.id}/referrals/new",
                    referral_form(world.measure, measure_id="0", note="選び忘れ"))
    assert response.status_code == 422
    assert 'id="measure_id-error"' in response.text and "選び忘れ" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 3  # the world's three


def test_outcome_is_recorded_and_shown_on_the_engagement(client, world, consultant):
    english(consultant)
    referral = world.referral_team
    login(client, consultant)
    response = post(client, f"/referrals/{referral.id}/edit", {
        "outcome": "completed", "outcome_note": "採択された", "version": str(referral.version),
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/engagements/{referral.engagement_id}#referrals"
    db.session.refresh(referral)
    assert referral.outcome == ReferralOutcome.COMPLETED and referral.outcome_note == "採択された"
    page = client.get(f"/engagements/{referral.engagement_id}").text
    assert "Completed" in page and "採択された" in page


def test_stale_outcome_answers_409_and_keeps_the_text(client, world, manager):
    referral = world.referral_region
    seen = referral.version
    referral.outcome = ReferralOutcome.NOT_PURSUED
    db.session.commit()
    login(client, manager)
    response = post(client, f"/referrals/{referral.id}/edit", {
        "outcome": "in_use", "outcome_note": "私のメモ", "version": str(seen),
    })
    assert response.status_code == 409 and "私のメモ" in response.text
    assert f'value="{referral.version}"' in response.text
    db.session.refresh(referral)
    assert referral.outcome == ReferralOutcome.NOT_PURSUED


def test_admin_reads_referrals_but_does_not_write_them(client, world, admin):
    login(client, admin)
    assert client.get(f"/engagements/{world.engagement_out.id}").status_code == 200
    path = f"/engagements/{world.engagement_out.id}/referrals/new"
    response = post(client, path, referral_form(world.measure))
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 3
