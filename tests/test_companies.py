"""Companies: list with search and filters, profiles, the company form, contacts, JSIC."""

import importlib.util
import re
from datetime import date, timedelta
from pathlib import Path

import babel.dates
import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DialogueSessionFactory,
    EngagementFactory,
    OrganisationFactory,
    UserFactory,
)
from tracker.companies import jsic
from tracker.companies.text import corporate_number_check_digit, is_valid_corporate_number
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEvent, Company, Contact, Industry, Phase, Role

ROOT = Path(__file__).resolve().parent.parent
# Corporate numbers: the National Tax Agency's own, and two made with the NTA rule.
NTA = "7000012050002"
VALID = "2110001001001"
VALID_2 = "1300001000001"


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def company_form(region, **overrides):
    data = {
        "name": "燕市精密工業株式会社",
        "kana": "つばめしせいみつこうぎょう",
        "corporate_number": "",
        "region_id": str(region.id),
        "address": "新潟県燕市大通1-1",
        "industry_code": "24",
        "employees": "120",
        "capital": "50,000,000",
        "founded_year": "1962",
        "leader_selection_year": "2018",
        "representative": "燕 太郎",
    }
    data.update(overrides)
    return data


def company_named(name) -> Company:
    return db.session.scalar(sa.select(Company).where(Company.name == name))


def select_block(page: str, select_id: str) -> str:
    return re.search(rf'<select id="{select_id}".*?</select>', page, re.S).group()


def row_ids(text: str) -> set[int]:
    return {int(n) for n in re.findall(r'<tr id="company-(\d+)"', text)}


# ---- JSIC ----------------------------------------------------------------------


def _migration_rows():
    path = ROOT / "migrations" / "versions" / "20261129_jsic_industries_0003.py"
    spec = importlib.util.spec_from_file_location("jsic_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ROWS


def test_the_migration_carries_the_same_jsic_rows_as_the_data_module():
    assert [tuple(row) for row in _migration_rows()] == [tuple(row) for row in jsic.INDUSTRIES]


def test_jsic_has_20_major_and_99_middle_groups(app_context):
    rows = db.session.execute(sa.select(Industry.code, Industry.name, Industry.name_en, Industry.major_code))
    assert sorted(map(tuple, rows)) == sorted(jsic.INDUSTRIES)
    majors = [row for row in jsic.INDUSTRIES if row[3] is None]
    middles = [row for row in jsic.INDUSTRIES if row[3] is not None]
    assert [row[0] for row in majors] == list("ABCDEFGHIJKLMNOPQRST")
    assert [row[0] for row in middles] == [f"{n:02d}" for n in range(1, 100)]
    names = dict((row[0], row[1]) for row in jsic.INDUSTRIES)
    assert names["E"] == "製造業" and names["24"] == "金属製品製造業"
    assert names["28"] == "電子部品・デバイス・電子回路製造業"
    assert names["R"] == "サービス業（他に分類されないもの）"


def test_industry_choices_are_grouped_by_major_group(client, manager):
    login(client, manager)
    page = client.get("/companies/new").text
    assert page.count("<optgroup") == 20
    assert re.search(r'<optgroup label="E [^"]+">.*?<option value="24">', page, re.S)


# ---- corporate number -------------------------------------------------------------


def test_corporate_number_check_digit_follows_the_nta_rule():
    assert corporate_number_check_digit(NTA[1:]) == 7
    assert is_valid_corporate_number(NTA) and is_valid_corporate_number(VALID) and is_valid_corporate_number(VALID_2)
    assert not is_valid_corporate_number("8000012050002")  # wrong check digit
    assert not is_valid_corporate_number("700001205000")  # 12 digits


# ---- list --------------------------------------------------------------------------


def test_list_shows_the_companies_of_the_users_regions_with_their_phase(client, world, manager):
    english(manager)
    never_engaged = CompanyFactory(region=world.company_team.region, name="未着手株式会社")
    login(client, manager)
    page = client.get("/companies/")
    assert page.status_code == 200
    assert row_ids(page.text) == {world.ids["company_team"], world.ids["company_region"], never_engaged.id}
    row = re.search(rf'<tr id="company-{never_engaged.id}">.*?</tr>', page.text, re.S).group()
    assert "No engagement" in row
    row = re.search(rf'<tr id="company-{world.ids["company_team"]}">.*?</tr>', page.text, re.S).group()
    assert "Review" in row


def test_admin_sees_every_region(client, world, admin):
    login(client, admin)
    assert row_ids(client.get("/companies/").text) == {
        world.ids["company_team"], world.ids["company_region"], world.ids["company_out"]
    }


def test_official_sees_their_region_list(client, world, official):
    login(client, official)
    page = client.get("/companies/")
    assert row_ids(page.text) == {world.ids["company_team"], world.ids["company_region"]}
    assert 'href="/companies/new"' not in page.text


def test_menu_has_companies_for_every_role(client, official):
    login(client, official)
    assert 'href="/companies/"' in client.get("/").text


def test_search_by_name_reading_and_corporate_number(client, manager, region):
    tsubame = CompanyFactory(region=region, name="燕市精密工業株式会社", kana="ツバメシセイミツコウギョウ",
                             corporate_number=VALID)
    iida = CompanyFactory(region=region, name="飯田電子株式会社", kana="イイダデンシ", corporate_number=VALID_2)
    login(client, manager)

    def found(q):
        return row_ids(client.get("/companies/", query_string={"q": q}).text)

    assert found("燕市") == {tsubame.id}  # two-character Japanese words
    assert found("精密") == {tsubame.id}
    assert found("電子") == {iida.id}
    assert found("いいだ") == {iida.id}  # hiragana finds the katakana reading
    assert found("ｾｲﾐﾂ") == {tsubame.id}  # half-width katakana too
    assert found("0001001") == {tsubame.id}
    assert found("２-１１０００-１００１００１") == {tsubame.id}  # full-width, with hyphens
    assert found("株式会社") == {tsubame.id, iida.id}
    assert found("%") == set() and found("_") == set()  # wildcards are literal


def test_filters_by_region_industry_and_phase(client, region, other_region):
    manager = UserFactory(role=Role.MANAGER, regions=[region, other_region])
    stranger_region = CompanyFactory().region  # a region the manager does not work in
    metal = CompanyFactory(region=region, industry_code="24")
    machinery = CompanyFactory(region=other_region, industry_code="26")
    shop = CompanyFactory(region=region, industry_code="58")
    idle = CompanyFactory(region=region)
    EngagementFactory(company=metal, phase=Phase.ACCOMPANY)
    EngagementFactory(company=machinery, phase=Phase.CLOSED)
    EngagementFactory(company=machinery, phase=Phase.FRAMING)  # the open one counts
    EngagementFactory(company=shop, phase=Phase.CLOSED)
    login(client, manager)

    def found(**args):
        return row_ids(client.get("/companies/", query_string=args).text)

    assert found(region=other_region.id) == {machinery.id}
    assert found(region=stranger_region.id) == {metal.id, machinery.id, shop.id, idle.id}  # not a choice: ignored
    assert found(industry="E") == {metal.id, machinery.id}  # a major group includes its middle groups
    assert found(industry="24") == {metal.id}
    assert found(industry="I") == {shop.id}
    assert found(phase="accompany") == {metal.id}
    assert found(phase="framing") == {machinery.id}
    assert found(phase="closed") == {shop.id}
    assert found(phase="none") == {idle.id}
    assert found(industry="E", phase="framing", region=other_region.id) == {machinery.id}
    offered = select_block(client.get("/companies/").text, "region")
    assert f'value="{other_region.id}"' in offered
    assert f'value="{stranger_region.id}"' not in offered  # only the user's regions are offered


def test_pages_keep_the_filters(app, client, manager, region):
    for n in range(app.config["PER_PAGE"] + 2):
        CompanyFactory(region=region, name=f"精密部品{n}", industry_code="24")
    CompanyFactory(region=region, name="別業種", industry_code="58")
    login(client, manager)
    first = client.get("/companies/", query_string={"q": "精密", "industry": "E"}).text
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "industry=E" in next_link and "page=2" in next_link and "q=" in next_link
    second = client.get(next_link)
    assert second.status_code == 200 and len(row_ids(second.text)) == 2
    assert client.get("/companies/?page=99").status_code == 200


def _companies_with_engagements(region, count):
    for _ in range(count):
        company = CompanyFactory(region=region, industry_code="24")
        EngagementFactory(company=company)


def test_list_runs_a_bounded_number_of_queries(client, manager, region, count_queries):
    login(client, manager)
    _companies_with_engagements(region, 3)
    with count_queries() as few:
        assert client.get("/companies/").status_code == 200
    _companies_with_engagements(region, 17)
    with count_queries() as many:
        assert client.get("/companies/").status_code == 200
    assert many.n == few.n


def test_list_escapes_names(client, manager, region):
    CompanyFactory(region=region, name="<script>alert(1)</script>", kana="<b>")
    login(client, manager)
    page = client.get("/companies/").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---- profile -----------------------------------------------------------------------


def _supported_company(world):
    """The team company, with a second session and a lead from a named organisation."""
    company = world.company_team
    lead = world.users["manager"]
    lead.organisation = OrganisationFactory(name="燕市産業振興課", name_en="Tsubame Industry Division")
    DialogueSessionFactory(engagement=world.engagement_team, held_on=date.today() - timedelta(days=2),
                           notes="社長の本音：後継者が決まっていない")
    return company


def test_manager_sees_profile_contacts_and_engagements(client, world, manager):
    english(manager)
    company = _supported_company(world)
    login(client, manager)
    page = client.get(f"/companies/{company.id}").text
    assert company.name in page and world.contact_team.name in page
    assert 'id="contacts"' in page and 'id="engagements"' in page
    assert manager.name in page  # the lead
    assert "Tsubame Industry Division" in page
    assert f"/engagements/{world.ids['engagement_team']}" in page
    assert "/engagements/new" in page  # a manager may open an engagement
    assert re.search(r"<dt>Dialogue sessions</dt><dd>2</dd>", page)


def test_consultant_links_only_to_engagements_on_their_team(client, world, consultant):
    login(client, consultant)
    team = client.get(f"/companies/{world.ids['company_team']}").text
    assert f"/engagements/{world.ids['engagement_team']}" in team
    region = client.get(f"/companies/{world.ids['company_region']}").text
    assert f"/engagements/{world.ids['engagement_region']}" not in region
    assert "/engagements/new" not in team  # consultants do not open engagements


def test_official_sees_the_support_summary_and_nothing_of_the_case(client, world, official):
    english(official)
    company = _supported_company(world)
    login(client, official)
    page = client.get(f"/companies/{company.id}").text
    assert company.name in page and company.representative in page
    assert "Review" in page  # the phase
    assert "Tsubame Industry Division" in page  # the lead organisation
    assert re.search(r"<dt>Dialogue sessions</dt><dd>2</dd>", page)
    assert world.contact_team.name not in page and 'id="contacts"' not in page
    assert 'id="engagements"' not in page and "/engagements/" not in page
    assert world.users["manager"].name not in page and world.users["consultant"].name not in page
    assert "後継者" not in page and "事業承継" not in page  # nothing said in sessions
    assert "/edit" not in page


def test_profile_shows_industry_with_its_major_group_and_escapes(client, manager, region):
    company = CompanyFactory(region=region, industry_code="24", name="<img src=x onerror=alert(1)>")
    login(client, manager)
    page = client.get(f"/companies/{company.id}").text
    assert "製造業" in page and "金属製品製造業" in page
    assert "<img src=x" not in page and "&lt;img src=x" in page


# ---- company form --------------------------------------------------------------------


def test_consultant_records_a_company_with_input_normalised(client, consultant, region):
    login(client, consultant)
    response = post(client, "/companies/new", company_form(
        region, corporate_number="２-１１０００-１００１ ００１", kana="つばめ　ｾｲﾐﾂ", capital="５０,０００,０００",
    ))
    assert response.status_code == 302, response.text
    company = company_named("燕市精密工業株式会社")
    assert response.headers["Location"] == f"/companies/{company.id}"
    assert company.kana == "ツバメ セイミツ"
    assert company.corporate_number == VALID
    assert (company.capital, company.employees, company.industry_code) == (50_000_000, 120, "24")
    assert (company.founded_year, company.leader_selection_year) == (1962, 2018)


def test_region_choices_are_the_users_regions(client, consultant, region, other_region):
    login(client, consultant)
    offered = select_block(client.get("/companies/new").text, "region_id")
    assert f'<option value="{region.id}"' in offered and f'<option value="{other_region.id}"' not in offered
    response = post(client, "/companies/new", company_form(other_region))
    assert response.status_code == 422 and 'id="region_id-error"' in response.text
    assert company_named("燕市精密工業株式会社") is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("corporate_number", "8000012050002"),  # wrong check digit
        ("corporate_number", "70000120500"),
        ("employees", "-1"),
        ("employees", "many"),
        ("capital", "-50,000"),
        ("founded_year", str(date.today().year + 1)),
        ("leader_selection_year", "2016"),
        ("leader_selection_year", str(date.today().year + 1)),
        ("kana", "燕市精密"),
        ("name", ""),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_kept(client, manager, region, field, value):
    login(client, manager)
    response = post(client, "/companies/new", company_form(region, address="残す住所", **{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert "残す住所" in response.text
    if value:
        assert f'value="{value}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 0


@pytest.mark.parametrize("field", ["name", "kana", "representative", "address"])
@pytest.mark.parametrize("character", ["\u202e", "\u2067", "\u200f", "\x1b"])
def test_direction_and_control_characters_in_a_name_are_refused_and_shown_back(client, manager, region, field,
                                                                                character):
    """A name with a right-to-left override reads differently from what is stored (and searched)."""
    english(manager)
    login(client, manager)
    typed = f"燕{character}精密"
    response = post(client, "/companies/new", company_form(region, **{field: typed}))
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">(.*?)</p>', response.text).group(1)
    assert error.startswith("Remove the")
    assert f'value="{typed}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 0


def test_invisible_characters_are_dropped_and_blanks_are_no_name(client, manager, region):
    login(client, manager)
    blank = post(client, "/companies/new", company_form(region, name="\u3000\u200b"))
    assert blank.status_code == 422 and 'id="name-error"' in blank.text
    saved = post(client, "/companies/new", company_form(region, name="燕市\u200b精密\ufeff工業株式会社",
                                                         representative="\u2060燕 太郎"))
    assert saved.status_code == 302
    company = company_named("燕市精密工業株式会社")
    assert company.representative == "燕 太郎"


def test_a_contact_name_with_a_direction_override_is_refused(client, manager, region):
    company = CompanyFactory(region=region)
    login(client, manager)
    response = post(client, f"/companies/{company.id}/contacts/new",
                    {"name": "Taro\u202eadakO", "title": "", "side": "employee", "email": "", "phone": ""})
    assert response.status_code == 422 and 'id="name-error"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_a_taken_corporate_number_cannot_be_saved_even_when_confirmed(client, manager, region):
    existing = CompanyFactory(region=region, name="既存株式会社", corporate_number=NTA)
    english(manager)
    login(client, manager)
    response = post(client, "/companies/new", company_form(region, corporate_number=NTA, save_anyway="y"))
    assert response.status_code == 422
    error = re.search(r'id="corporate_number-error">(.*?)</p>', response.text).group(1)
    assert existing.name in error
    assert f'href="/companies/{existing.id}"' in response.text
    assert 'name="save_anyway"' not in response.text  # nothing to confirm: it cannot be saved
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 1


def test_the_same_number_is_refused_when_editing_another_company(client, manager, region):
    CompanyFactory(region=region, corporate_number=NTA)
    other = CompanyFactory(region=region)
    login(client, manager)
    response = post(client, f"/companies/{other.id}/edit",
                    company_form(region, name=other.name, corporate_number=NTA, version="1"))
    assert response.status_code == 422 and 'id="corporate_number-error"' in response.text
    db.session.refresh(other)
    assert other.corporate_number is None


def test_keeping_its_own_number_is_not_a_duplicate(client, manager, region):
    company = CompanyFactory(region=region, corporate_number=NTA)
    login(client, manager)
    response = post(client, f"/companies/{company.id}/edit",
                    company_form(region, name=company.name, corporate_number=NTA, version="1"))
    assert response.status_code == 302


@pytest.mark.parametrize("deleted", [False, True])
def test_a_number_taken_in_another_region_is_refused_without_saying_so_and_audited(
    client, manager, other_region, deleted
):
    """Out of scope, the user learns only that the number cannot be used: not that a company
    holds it elsewhere, nor that it was deleted. The refusal goes to the audit trail."""
    holder = CompanyFactory(region=other_region, name="他地域株式会社", corporate_number=NTA,
                            deleted_at=utcnow() if deleted else None)
    english(manager)
    login(client, manager)
    response = post(client, "/companies/new", company_form(manager.regions[0], corporate_number=NTA))
    assert response.status_code == 422
    error = re.search(r'id="corporate_number-error">(.*?)</p>', response.text).group(1)
    assert error == "This corporate number cannot be used."
    assert "他地域株式会社" not in response.text and "region" not in error and "deleted" not in error
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "access_refused"))
    assert (event.actor_id, event.target_type, event.target_id) == (manager.id, "Company", holder.id)
    assert "corporate number" in event.detail


def test_a_deleted_company_of_ones_own_region_is_named_as_deleted(client, manager, region):
    CompanyFactory(region=region, corporate_number=NTA, deleted_at=utcnow())
    english(manager)
    login(client, manager)
    response = post(client, "/companies/new", company_form(region, corporate_number=NTA))
    assert response.status_code == 422 and "A deleted company has this corporate number" in response.text


def test_same_name_in_the_same_region_asks_before_saving(client, manager, region):
    existing = CompanyFactory(region=region, name="燕市精密工業株式会社")
    login(client, manager)
    warned = post(client, "/companies/new", company_form(region, address="二つ目の住所"))
    assert warned.status_code == 422
    assert 'id="duplicates"' in warned.text and f'href="/companies/{existing.id}"' in warned.text
    assert 'name="save_anyway"' in warned.text and "二つ目の住所" in warned.text
    saved = post(client, "/companies/new", company_form(region, address="二つ目の住所", save_anyway="y"))
    assert saved.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 2


def test_same_name_in_another_region_is_not_a_duplicate(client, region, other_region):
    manager = UserFactory(role=Role.MANAGER, regions=[region, other_region])
    CompanyFactory(region=other_region, name="燕市精密工業株式会社")
    login(client, manager)
    assert post(client, "/companies/new", company_form(region)).status_code == 302


def test_editing_keeps_the_text_on_error(client, consultant, world):
    company = world.company_team
    login(client, consultant)
    form = client.get(f"/companies/{company.id}/edit").text
    assert f'value="{company.name}"' in form and 'name="version" type="hidden" value="1"' in form
    response = post(client, f"/companies/{company.id}/edit",
                    company_form(company.region, name="新しい名前", employees="-3", version="1"))
    assert response.status_code == 422 and 'id="employees-error"' in response.text
    assert 'value="新しい名前"' in response.text
    db.session.refresh(company)
    assert company.name != "新しい名前"


def test_editing_saves_and_bumps_the_version(client, consultant, world):
    company = world.company_team
    login(client, consultant)
    response = post(client, f"/companies/{company.id}/edit",
                    company_form(company.region, name=company.name, employees="130", version="1"))
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.employees, company.version) == (130, 2)


def test_a_concurrent_edit_is_refused_and_the_second_text_kept(app, client, manager, consultant, world):
    company = world.company_team
    other = app.test_client()
    login(other, manager)
    login(client, consultant)
    assert post(other, f"/companies/{company.id}/edit",
                company_form(company.region, name=company.name, employees="200", version="1")).status_code == 302
    response = post(client, f"/companies/{company.id}/edit",
                    company_form(company.region, name=company.name, address="二人目の住所", version="1"))
    assert response.status_code == 409
    assert 'id="stale"' in response.text and 'value="二人目の住所"' in response.text
    assert 'name="version" type="hidden" value="2"' in response.text  # saving again now goes through
    db.session.refresh(company)
    assert company.employees == 200 and company.address != "二人目の住所"
    again = post(client, f"/companies/{company.id}/edit",
                 company_form(company.region, name=company.name, address="二人目の住所", employees="200",
                              version="2"))
    assert again.status_code == 302


# ---- contacts ------------------------------------------------------------------------


def test_contacts_are_added_and_edited(client, consultant, world):
    company = world.company_team  # the consultant is on its team: contacts are the team's
    login(client, consultant)
    response = post(client, f"/companies/{company.id}/contacts/new", {
        "name": "燕 花子", "title": "製造部長", "side": "executive", "email": "hanako@example.jp",
        "phone": "０２５６-６３-１２３４",
    })
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(Contact).where(Contact.name == "燕 花子"))
    assert contact.company_id == company.id and contact.phone == "0256-63-1234"
    form = client.get(f"/companies/{company.id}/contacts/{contact.id}/edit").text
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', form).group(1)
    response = post(client, f"/companies/{company.id}/contacts/{contact.id}/edit", {
        "name": "燕 花子", "title": "取締役", "side": "executive", "email": "", "phone": "", "version": version,
    })
    assert response.status_code == 302
    db.session.refresh(contact)
    assert (contact.title, contact.email) == ("取締役", "")


def test_bad_contact_input_is_explained_and_kept(client, manager, world):
    login(client, manager)
    response = post(client, f"/companies/{world.ids['company_team']}/contacts/new", {
        "name": "", "title": "残す肩書", "side": "president", "email": "not-an-email", "phone": "abc",
    })
    assert response.status_code == 422
    for field in ("name", "email", "phone"):
        assert f'id="{field}-error"' in response.text
    assert 'value="残す肩書"' in response.text


def test_a_contact_is_edited_only_through_its_own_company(client, manager, world):
    login(client, manager)
    wrong = f"/companies/{world.ids['company_team']}/contacts/{world.ids['contact_region']}/edit"
    assert client.get(wrong).status_code == 404
    assert post(client, wrong, {"name": "x", "side": "president"}).status_code == 404


def test_a_concurrent_contact_edit_is_refused(client, manager, world):
    contact = world.contact_team
    path = f"/companies/{world.ids['company_team']}/contacts/{contact.id}/edit"
    login(client, manager)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', client.get(path).text).group(1)
    contact.title = "会長"
    db.session.commit()
    response = post(client, path, {"name": contact.name, "title": "専務", "side": "president", "version": version})
    assert response.status_code == 409 and 'value="専務"' in response.text and 'id="stale"' in response.text
    db.session.refresh(contact)
    assert contact.title == "会長"


def test_contacts_are_escaped(client, manager, world):
    ContactFactory(company=world.company_team, name="<script>x()</script>")
    login(client, manager)
    page = client.get(f"/companies/{world.ids['company_team']}").text
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


# ---- the officials' list -------------------------------------------------------------


def _header(page: str) -> list[str]:
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


def _row(page: str, company_id: int) -> list[str]:
    row = re.search(rf'<tr id="company-{company_id}">(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_officials_list_shows_the_support_summary_and_nothing_more(client, world, official):
    english(official)
    company = _supported_company(world)
    company.industry_code = "24"
    db.session.commit()
    never_engaged = CompanyFactory(region=company.region, name="未着手株式会社", industry_code=None)
    login(client, official)
    page = client.get("/companies/").text
    assert _header(page) == ["Company name", "Industry", "Phase", "Lead organisation", "Dialogue sessions",
                             "Last session"]
    name, industry, phase, lead, sessions, last = _row(page, company.id)
    assert name == company.name and industry == db.session.get(Industry, "24").name_en
    assert phase == "Review" and lead == "Tsubame Industry Division" and sessions == "2"
    assert last == babel.dates.format_date(date.today() - timedelta(days=2), locale="en")
    assert _row(page, never_engaged.id) == [never_engaged.name, "", "No engagement", "", "0", ""]
    # Nothing meant for the team: no reading, employees, people or case links.
    assert company.kana not in page and "Employees" not in page and "Reading" not in page
    assert world.users["manager"].name not in page and world.contact_team.name not in page
    assert "/engagements/" not in page


def test_officials_list_shows_the_date_of_the_latest_session(client, world, official):
    english(official)
    world.session_region.held_on = date(2024, 1, 10)
    DialogueSessionFactory(engagement=world.engagement_region, held_on=date(2024, 5, 1))
    DialogueSessionFactory(engagement=world.engagement_region, held_on=date(2025, 3, 31))
    earlier = EngagementFactory(company=world.company_region, phase=Phase.CLOSED, started_on=date(2020, 4, 1))
    DialogueSessionFactory(engagement=earlier, held_on=date(2020, 6, 1))
    login(client, official)
    page = client.get("/companies/").text
    row = _row(page, world.ids["company_region"])
    assert row[4] == "4"  # the world's session, two more, and one of the earlier engagement
    assert row[5] == "Mar 31, 2025"


def test_other_roles_keep_the_teams_columns(client, world, manager):
    english(manager)
    login(client, manager)
    page = client.get("/companies/").text
    assert _header(page) == ["Company name", "Reading", "Region", "Industry", "Phase", "Employees"]


def _companies_with_sessions(region, count):
    lead = UserFactory(role=Role.MANAGER, regions=[region])
    for _ in range(count):
        company = CompanyFactory(region=region, industry_code="24")
        engagement = EngagementFactory(company=company, team=[(lead, True)])
        DialogueSessionFactory(engagement=engagement)


def test_officials_list_runs_a_bounded_number_of_queries(app, client, official, region, count_queries):
    app.config["PER_PAGE"], per_page = 50, app.config["PER_PAGE"]
    try:
        login(client, official)
        _companies_with_sessions(region, 3)
        with count_queries() as few:
            assert client.get("/companies/").status_code == 200
        _companies_with_sessions(region, 27)
        with count_queries() as many:
            page = client.get("/companies/")
        assert page.status_code == 200 and len(row_ids(page.text)) == 30
        assert many.n == few.n
    finally:
        app.config["PER_PAGE"] = per_page
