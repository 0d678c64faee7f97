"""Outcome indicators: the six Local Benchmark indicators, the snapshot pages, and
the changes since support began that the summaries aggregate."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from config import Config
from tests.conftest import login, post
from tests.factories import CompanyFactory, EngagementFactory, UserFactory
from tracker.extensions import db
from tracker.models import Company, OutcomeSnapshot, Role
from tracker.outcomes import indicators as ind
from tracker.outcomes.services import indicator_changes
from tracker.pipeline.fiscal import fiscal_year

# The app's today is Japan's (config.BABEL_DEFAULT_TIMEZONE), a day ahead of UTC from 15:00.
THIS_FY = fiscal_year(datetime.now(ZoneInfo(Config.BABEL_DEFAULT_TIMEZONE)).date())

# A worked example: every indicator comes out round.
FIGURES = dict(
    sales=120_000_000, previous_sales=100_000_000, operating_profit=6_000_000, depreciation=4_000_000,
    interest_bearing_debt=50_000_000, cash_and_deposits=10_000_000, receivables=20_000_000,
    inventory=15_000_000, payables=10_000_000, net_assets=30_000_000, total_assets=100_000_000,
    employees=40, capital_investment=8_000_000,
)


def snapshot(company, year, **figures) -> OutcomeSnapshot:
    record = OutcomeSnapshot(company_id=company.id, fiscal_year=year, **{**FIGURES, **figures})
    db.session.add(record)
    db.session.commit()
    return record


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def form(**overrides) -> dict:
    data = {"fiscal_year": str(THIS_FY - 1), "sales": "120,000,000", "previous_sales": "100,000,000",
            "operating_profit": "-3,000,000", "depreciation": "4,000,000", "interest_bearing_debt": "50,000,000",
            "cash_and_deposits": "10,000,000", "receivables": "20,000,000", "inventory": "15,000,000",
            "payables": "10,000,000", "net_assets": "30,000,000", "total_assets": "100,000,000",
            "employees": "40", "capital_investment": "８,０００,０００"}
    data.update(overrides)
    return data


def cell(html: str, snapshot_id: int, key: str) -> str:
    row = html[html.index(f'id="snapshot-{snapshot_id}"'):]
    return re.search(rf'data-indicator="{key}">([^<]*)<', row).group(1)


# ---- the six indicators ------------------------------------------------------


def test_sales_growth():
    assert ind.sales_growth(120_000_000, 100_000_000) == pytest.approx(0.20)
    assert ind.sales_growth(90, 100) == pytest.approx(-0.10)
    assert ind.sales_growth(None, 100) is None
    assert ind.sales_growth(100, None) is None
    assert ind.sales_growth(100, 0) is None


def test_operating_margin():
    assert ind.operating_margin(6_000_000, 120_000_000) == pytest.approx(0.05)
    assert ind.operating_margin(-3_000_000, 120_000_000) == pytest.approx(-0.025)
    assert ind.operating_margin(6_000_000, 0) is None
    assert ind.operating_margin(None, 120_000_000) is None


def test_labour_productivity_is_yen_per_person():
    assert ind.labour_productivity(6_000_000, 40) == pytest.approx(150_000)
    assert ind.labour_productivity(6_000_000, 0) is None
    assert ind.labour_productivity(6_000_000, None) is None


def test_ebitda_debt_ratio():
    # (50M − 10M) / (6M + 4M) = 4 times
    assert ind.ebitda_debt_ratio(50_000_000, 10_000_000, 6_000_000, 4_000_000) == pytest.approx(4.0)
    # More cash than debt: a negative multiple (net cash).
    assert ind.ebitda_debt_ratio(5_000_000, 15_000_000, 6_000_000, 4_000_000) == pytest.approx(-1.0)
    assert ind.ebitda_debt_ratio(50_000_000, 10_000_000, -4_000_000, 4_000_000) is None  # EBITDA zero
    assert ind.ebitda_debt_ratio(50_000_000, 10_000_000, -9_000_000, 4_000_000) is None  # EBITDA negative
    assert ind.ebitda_debt_ratio(50_000_000, None, 6_000_000, 4_000_000) is None


def test_working_capital_period_in_months():
    # (20M + 15M − 10M) / (120M / 12) = 2.5 months
    assert ind.working_capital_period(20_000_000, 15_000_000, 10_000_000, 120_000_000) == pytest.approx(2.5)
    assert ind.working_capital_period(20_000_000, 15_000_000, 10_000_000, 0) is None
    assert ind.working_capital_period(20_000_000, None, 10_000_000, 120_000_000) is None


def test_equity_ratio():
    assert ind.equity_ratio(30_000_000, 100_000_000) == pytest.approx(0.30)
    assert ind.equity_ratio(-10_000_000, 100_000_000) == pytest.approx(-0.10)
    assert ind.equity_ratio(30_000_000, 0) is None
    assert ind.equity_ratio(None, 100_000_000) is None


def test_formatting(app_context):
    assert ind.format_value(ind.PERCENT, 0.05234) == "5.2%"
    assert ind.format_value(ind.PERCENT, -0.025) == "−2.5%"
    assert ind.format_value(ind.YEN, 150_000.4) == "¥150,000"
    assert ind.format_value(ind.TIMES, 4.0) == "4.0×"
    assert ind.format_value(ind.PERCENT, 0.015, change=True) == "+1.5 pt"
    assert ind.format_value(ind.YEN, -20_000, change=True) == "−¥20,000"
    assert ind.format_value(ind.PERCENT, None) == "–"


# ---- the company's page --------------------------------------------------------


def test_page_shows_each_year_with_its_indicators(client, world, manager):
    english(manager)
    first = snapshot(world.company_team, THIS_FY - 2, sales=100_000_000, previous_sales=None)
    second = snapshot(world.company_team, THIS_FY - 1, previous_sales=None)  # borrows 100M from the year before
    login(client, manager)
    html = client.get(f"/companies/{world.ids['company_team']}/outcomes").text
    assert html.index(f'id="snapshot-{second.id}"') < html.index(f'id="snapshot-{first.id}"')  # latest first
    assert cell(html, second.id, "sales_growth") == "20.0%"
    assert cell(html, second.id, "operating_margin") == "5.0%"
    assert cell(html, second.id, "labour_productivity") == "¥150,000"
    assert cell(html, second.id, "ebitda_debt_ratio") == "4.0×"
    assert cell(html, second.id, "working_capital_period") == "2.5 months"
    assert cell(html, second.id, "equity_ratio") == "30.0%"
    assert cell(html, first.id, "sales_growth") == "–"  # nothing to compare with
    assert f'href="/outcomes/{second.id}/edit"' in html


def test_admin_reads_without_edit_links(client, world, admin):
    record = snapshot(world.company_out, THIS_FY - 1)
    login(client, admin)
    html = client.get(f"/companies/{world.ids['company_out']}/outcomes").text
    assert f'id="snapshot-{record.id}"' in html
    assert "/edit" not in html.split("<main", 1)[1] and "/outcomes/new" not in html


@pytest.mark.parametrize(("role", "shown"), [
    ("manager", True), ("consultant", True), ("admin", True), ("official", False), ("stranger", False),
])
def test_company_profile_links_to_outcomes_only_for_those_who_may_see_them(client, world, role, shown):
    path = f"/companies/{world.ids['company_team']}"
    if role == "stranger":  # a consultant of the region, not on the company's team
        user = UserFactory(role=Role.CONSULTANT, regions=[world.company_region.region])
    else:
        user = world.users[role]
    login(client, user)
    response = client.get(path)
    assert response.status_code == 200
    assert (f'href="{path}/outcomes"' in response.text) is shown


def test_page_runs_a_bounded_number_of_queries(client, world, manager, count_queries):
    login(client, manager)
    path = f"/companies/{world.ids['company_team']}/outcomes"
    counts = []
    for years in (3, 20):
        for year in range(THIS_FY - years, THIS_FY):
            if not db.session.scalar(sa.select(OutcomeSnapshot.id).where(OutcomeSnapshot.fiscal_year == year)):
                snapshot(world.company_team, year)
        client.get(path)
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


# ---- entering and correcting ---------------------------------------------------


def test_consultant_on_the_team_enters_a_year(client, world, consultant):
    login(client, consultant)
    company_id = world.ids["company_team"]
    response = post(client, f"/companies/{company_id}/outcomes/new", form())
    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{company_id}/outcomes"
    saved = db.session.scalar(sa.select(OutcomeSnapshot).where(OutcomeSnapshot.company_id == company_id))
    assert saved.fiscal_year == THIS_FY - 1
    assert saved.sales == 120_000_000
    assert saved.operating_profit == -3_000_000  # a loss is allowed
    assert saved.capital_investment == 8_000_000  # full-width digits
    assert saved.created_by_id == consultant.id
    assert saved.inventory == 15_000_000


@pytest.mark.parametrize(("field", "value"), [
    ("fiscal_year", ""), ("fiscal_year", "1999"), ("fiscal_year", str(THIS_FY + 1)),
    ("sales", "-1"), ("sales", "lots"), ("employees", "-3"), ("total_assets", "1.5"),
])
def test_bad_input_is_shown_beside_the_field(client, world, manager, field, value):
    login(client, manager)
    response = post(client, f"/companies/{world.ids['company_team']}/outcomes/new", form(**{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert f'value="{form(**{field: value})[field]}"' in response.text  # what was typed is kept
    assert 'value="10,000,000"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeSnapshot)) == 0


def test_current_fiscal_year_is_accepted(client, world, manager):
    login(client, manager)
    response = post(client, f"/companies/{world.ids['company_team']}/outcomes/new", form(fiscal_year=str(THIS_FY)))
    assert response.status_code == 302


def test_a_year_already_recorded_is_refused_beside_the_field(client, world, manager):
    snapshot(world.company_team, THIS_FY - 1)
    login(client, manager)
    response = post(client, f"/companies/{world.ids['company_team']}/outcomes/new", form())
    assert response.status_code == 422
    assert 'id="fiscal_year-error"' in response.text
    # Another company may have the same year.
    assert post(client, f"/companies/{world.ids['company_region']}/outcomes/new", form()).status_code == 302


@pytest.mark.parametrize(("role", "variant", "get_status", "post_status"), [
    ("manager", "team", 200, 302),
    ("manager", "region", 200, 302),
    ("consultant", "team", 200, 302),
    ("consultant", "region", 403, 403),
    ("admin", "team", 403, 403),
    ("official", "team", 404, 404),
    ("manager", "out", 404, 404),
    ("consultant", "out", 404, 404),
])
def test_who_may_correct_a_snapshot(client, world, role, variant, get_status, post_status):
    record = snapshot(getattr(world, f"company_{variant}"), THIS_FY - 1)
    login(client, world.users[role])
    path = f"/outcomes/{record.id}/edit"
    assert client.get(path).status_code == get_status
    response = post(client, path, form(sales="130,000,000", version=str(record.version)))
    assert response.status_code == post_status
    db.session.expire_all()
    assert db.session.get(OutcomeSnapshot, record.id).sales == (130_000_000 if post_status == 302 else 120_000_000)


def test_correcting_shows_the_saved_figures_and_moves_the_year(client, world, manager):
    record = snapshot(world.company_team, THIS_FY - 2)
    login(client, manager)
    html = client.get(f"/outcomes/{record.id}/edit").text
    assert 'value="120,000,000"' in html and f'value="{THIS_FY - 2}"' in html
    response = post(client, f"/outcomes/{record.id}/edit", form(fiscal_year=str(THIS_FY - 3), version="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutcomeSnapshot, record.id).fiscal_year == THIS_FY - 3


def test_correcting_to_a_year_already_recorded_is_refused(client, world, manager):
    snapshot(world.company_team, THIS_FY - 1)
    record = snapshot(world.company_team, THIS_FY - 2)
    login(client, manager)
    response = post(client, f"/outcomes/{record.id}/edit", form(fiscal_year=str(THIS_FY - 1), version="1"))
    assert response.status_code == 422
    assert 'id="fiscal_year-error"' in response.text


def test_a_stale_correction_is_refused_and_keeps_the_text(client, world, manager):
    record = snapshot(world.company_team, THIS_FY - 1)
    record.sales = 125_000_000  # someone else saved in between: version 2
    db.session.commit()
    login(client, manager)
    response = post(client, f"/outcomes/{record.id}/edit", form(sales="999,999", version="1"))
    assert response.status_code == 409
    assert 'id="stale"' in response.text
    assert 'value="999,999"' in response.text
    assert "125,000,000" in response.text  # as saved now
    assert 'name="version" type="hidden" value="2"' in response.text
    db.session.expire_all()
    assert db.session.get(OutcomeSnapshot, record.id).sales == 125_000_000


# ---- changes since support began ------------------------------------------------


def _company_with(region, started_on, years: dict) -> Company:
    company = CompanyFactory(region=region)
    EngagementFactory(company=company, started_on=started_on)
    for year, figures in years.items():
        snapshot(company, year, **figures)
    return company


def test_indicator_changes_since_support_began(app_context, region, other_region, count_queries):
    # Support began in FY2020 (June 2020): FY2019 is before it and not the baseline.
    _company_with(region, date(2020, 6, 1), {
        2019: dict(operating_profit=0),
        2020: dict(operating_profit=6_000_000),   # margin 5%
        2021: dict(operating_profit=9_000_000),   # margin 7.5%
        2022: dict(operating_profit=12_000_000),  # margin 10%: latest
    })
    # Started in March 2021, that is FY2020; its figures only from FY2021.
    _company_with(region, date(2021, 3, 15), {
        2021: dict(net_assets=40_000_000),
        2023: dict(net_assets=25_000_000, employees=0),
    })
    _company_with(region, date(2020, 4, 1), {2021: {}})  # one snapshot: skipped
    _company_with(region, date(2023, 4, 1), {2020: {}, 2021: {}})  # none since support began: skipped
    CompanyFactory(region=region)  # no engagement, no snapshots
    outside = _company_with(other_region, date(2020, 4, 1), {2020: {}, 2021: dict(operating_profit=0)})
    no_support = CompanyFactory(region=region)
    snapshot(no_support, 2020)
    snapshot(no_support, 2021, operating_profit=0)

    ids = sa.select(Company.id).where(Company.region_id == region.id)
    with count_queries() as counted:
        changes = indicator_changes(ids)
    assert counted.n == 1
    assert set(changes) == set(ind.INDICATOR_KEYS)
    assert changes["operating_margin"] == [pytest.approx(0.05), pytest.approx(0.0)]
    assert sorted(changes["equity_ratio"]) == [pytest.approx(-0.15), pytest.approx(0.0)]
    # Labour productivity of `shrank` has no latest value (no employees): only `grew` counts.
    assert changes["labour_productivity"] == [pytest.approx(150_000)]
    assert changes["working_capital_period"] == [pytest.approx(0.0), pytest.approx(0.0)]
    assert len(changes["ebitda_debt_ratio"]) == 2
    # Only the companies asked for: with every company, `outside` (−5 points) joins;
    # `no_support` never had an engagement, so support never began for it.
    everywhere = indicator_changes(sa.select(Company.id))
    assert sorted(everywhere["operating_margin"]) == [pytest.approx(-0.05), pytest.approx(0.0), pytest.approx(0.05)]
    assert outside.region_id == other_region.id


def test_indicator_changes_of_nothing(app_context, region):
    changes = indicator_changes(sa.select(Company.id).where(Company.region_id == region.id))
    assert changes == {key: [] for key in ind.INDICATOR_KEYS}
