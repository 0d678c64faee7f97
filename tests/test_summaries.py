"""Regional summaries: figures per period and region, small-cell protection for
officials, CSV and XLSX exports, the company list, and what never leaves."""

import csv
import html as markup
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest

from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
    RegionFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.models import ActionState, Barrier, InsightCategory, Phase, PhaseChange, Role, Statement
from tracker.summaries.exports import XLSX_MEDIA_TYPE
from tracker.summaries.privacy import protect

FY = "2024"  # 1 April 2024 to 31 March 2025
MARKERS = {"notes": "SECRET-NOTES-7f3a", "reflection": "SECRET-REFLECTION-7f3a", "next": "SECRET-NEXT-7f3a",
           "statement": "SECRET-STATEMENT-7f3a", "insight": "SECRET-INSIGHT-7f3a", "action": "SECRET-ACTION-7f3a",
           "description": "SECRET-DESCRIPTION-7f3a", "theme": "SECRET-THEME-7f3a"}

# ---- the rule ----------------------------------------------------------------------------


def test_protect_hides_small_counts_but_not_zeros():
    assert protect({"a": 0, "b": 1, "c": 2, "d": 3}, 3) == {"b", "c"}


def test_protect_hides_nothing_with_no_minimum():
    assert protect({"a": 1, "b": 2}, 0) == set()


def test_protect_hides_a_second_cell_when_one_alone_would_be_derivable():
    counts = {"total": 12, "a": 1, "b": 4, "c": 7, "d": 0}
    assert protect(counts, 3, [("total", ["a", "b", "c", "d"])]) == {"a", "b"}


def test_protect_hides_the_total_when_no_other_cell_can_be():
    counts = {"total": 5, "a": 2, "b": 3, "c": 0}
    assert protect(counts, 3, [("total", ["a", "b"])]) == {"a", "b"}
    counts = {"total": 4, "a": 1, "b": 0}
    assert protect({**counts, "total": 4}, 3, [("total", ["a", "b"])]) == {"a", "total"}


def test_protect_follows_through_groups_sharing_a_total():
    counts = {"total": 10, "a": 2, "b": 8, "x": 5, "y": 5}
    hidden = protect(counts, 3, [("total", ["a", "b"]), ("total", ["x", "y"])])
    assert hidden == {"a", "b"}
    counts = {"total": 2, "a": 2, "x": 2}
    assert protect(counts, 3, [("total", ["a"]), ("total", ["x"])]) == {"total", "a", "x"}


# ---- crafted data ------------------------------------------------------------------------


def moved(engagement, to_phase, day):
    db.session.add(PhaseChange(engagement=engagement, from_phase=engagement.phase, to_phase=to_phase,
                               changed_on=date.fromisoformat(day)))
    engagement.phase, engagement.phase_since = to_phase, date.fromisoformat(day)
    db.session.commit()


def recorded(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


@pytest.fixture
def figures_world(region, other_region):
    """Five companies of `region` supported in FY2024, one elsewhere, with marked texts."""
    companies = {name: CompanyFactory(region=region, name=f"Company {name}") for name in "ABCDE"}
    engagements = {}
    for name, company in companies.items():
        started = date(2023, 6, 1) if name == "E" else date(2024, 5, 1)
        engagements[name] = EngagementFactory(company=company, started_on=started, phase=Phase.REVIEW,
                                              phase_since=started, theme=MARKERS["theme"])
    moved(engagements["D"], Phase.SELF_RUNNING, "2024-10-01")
    moved(engagements["E"], Phase.CLOSED, "2024-12-01")
    outside = EngagementFactory(company=CompanyFactory(region=other_region), started_on=date(2024, 5, 1))

    def session(name, day, minutes, engagement=None):
        held = DialogueSessionFactory(
            engagement=engagement or engagements[name], held_on=date.fromisoformat(day), duration_minutes=minutes,
            notes=MARKERS["notes"], reflection=MARKERS["reflection"], next_steps=MARKERS["next"],
        )
        db.session.add(Statement(session=held, text=MARKERS["statement"]))
        db.session.commit()

    session("A", "2024-05-10", 60)
    session("A", "2024-06-10", 60)
    session("A", "2024-03-01", 60)  # FY2023
    session("B", "2024-08-01", 90)
    session("C", "2024-09-01", 30)
    session("D", "2024-11-01", 120)
    session(None, "2024-11-01", 600, outside)
    for name, category, barrier in (("A", InsightCategory.BUSINESS, Barrier.UNSEEN),
                                    ("B", InsightCategory.BUSINESS, Barrier.UNSEEN),
                                    ("C", InsightCategory.BUSINESS, Barrier.UNFACED),
                                    ("D", InsightCategory.VISION, None)):
        InsightFactory(engagement=engagements[name], category=category, barrier=barrier, text=MARKERS["insight"],
                       created_at=recorded("2024-07-01"))
    InsightFactory(engagement=outside, category=InsightCategory.VISION, created_at=recorded("2024-07-01"))
    for name, due, state, done in (("A", "2024-06-30", ActionState.DONE, "2024-06-20"),
                                   ("B", "2024-07-01", ActionState.DONE, "2024-07-10"),
                                   ("C", "2024-08-01", ActionState.PLANNED, None),
                                   ("D", "2024-08-01", ActionState.DROPPED, None)):
        ActionFactory(engagement=engagements[name], due_on=date.fromisoformat(due), state=state,
                      done_on=date.fromisoformat(done) if done else None, title=MARKERS["action"],
                      description=MARKERS["description"])
    return companies


def cells(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    return [markup.unescape(value.strip()) for value in re.findall(r'<td class="number"[^>]*>(.*?)</td>', row[1], re.S)]


def figure(html: str, row_id: str) -> str:
    return cells(html, row_id)[0]


@pytest.fixture
def english_manager(region):
    return UserFactory(role=Role.MANAGER, regions=[region], language="en")


@pytest.fixture
def english_official(region):
    return UserFactory(role=Role.OFFICIAL, regions=[region], language="en")


def test_manager_sees_exact_figures_for_the_year(signed_in, english_manager, figures_world):
    html = signed_in(english_manager).get(f"/summaries/?fy={FY}").text
    assert figure(html, "key-figures-supported") == "5"
    assert figure(html, "key-figures-opened") == "4"
    assert figure(html, "key-figures-closed") == "1"
    assert figure(html, "key-figures-sessions") == "5"
    assert figure(html, "key-figures-hours") == "6.0"
    assert figure(html, "key-figures-insights") == "4"
    assert figure(html, "key-figures-actions_due") == "3"
    assert figure(html, "key-figures-on_time") == "33%"
    assert figure(html, "key-figures-self_running") == "1"
    assert figure(html, "key-figures-self_running_share") == "20%"
    assert figure(html, "phases-review") == "3"
    assert figure(html, "phases-self_running") == "1"
    assert figure(html, "phases-closed") == "1"
    assert figure(html, "phases-total") == "5"
    assert cells(html, "trend-q1") == ["2", "2.0"]
    assert cells(html, "trend-q2") == ["2", "2.0"]
    assert cells(html, "trend-q3") == ["1", "2.0"]
    assert cells(html, "trend-q4") == ["0", "0.0"]
    assert cells(html, "trend-total") == ["5", "6.0"]
    assert figure(html, "categories-business") == "3"
    assert figure(html, "categories-vision") == "1"
    assert figure(html, "barriers-unseen") == "2"
    assert figure(html, "barriers-unfaced") == "1"
    assert figure(html, "barriers-none") == "1"
    assert 'role="img"' in html and "<caption>" in html


def test_a_quarter_narrows_the_period(signed_in, english_manager, figures_world):
    html = signed_in(english_manager).get(f"/summaries/?fy={FY}&quarter=2").text
    assert figure(html, "key-figures-sessions") == "2"
    assert figure(html, "key-figures-hours") == "2.0"
    assert figure(html, "key-figures-opened") == "0"
    assert figure(html, "key-figures-actions_due") == "2"  # due in July and August, the dropped one aside
    assert figure(html, "key-figures-on_time") == "0%"
    assert cells(html, "trend-total") == ["5", "6.0"]  # the trend stays over the whole year


def test_regions_narrow_the_figures(signed_in, region, other_region, figures_world):
    manager = UserFactory(role=Role.MANAGER, regions=[region, other_region], language="en")
    client = signed_in(manager)
    assert figure(client.get(f"/summaries/?fy={FY}").text, "key-figures-supported") == "6"
    html = client.get(f"/summaries/?fy={FY}&region={other_region.id}").text
    assert figure(html, "key-figures-supported") == "1"
    assert figure(html, "key-figures-hours") == "10.0"
    html = client.get(f"/summaries/?fy={FY}&region={other_region.id}&region={region.id}").text
    assert figure(html, "key-figures-sessions") == "6"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OFFICIAL])
def test_another_regions_users_see_none_of_these_figures(signed_in, region, other_region, figures_world, role):
    elsewhere = UserFactory(role=role, regions=[RegionFactory()], language="en")
    client = signed_in(elsewhere)
    html = client.get(f"/summaries/?fy={FY}").text
    assert figure(html, "key-figures-supported") == "0"
    assert figure(html, "key-figures-sessions") == "0"
    response = client.get(f"/summaries/?fy={FY}&region={region.id}")
    assert response.status_code == 422
    assert 'id="region-error"' in response.text
    assert client.get(f"/summaries/export.csv?fy={FY}&region={region.id}").status_code == 422


def test_consultants_get_403(signed_in, consultant):
    client = signed_in(consultant)
    for path in ("/summaries/", "/summaries/export.csv", "/summaries/export.xlsx", "/summaries/companies.csv"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize(("query", "field"), [("fy=abc", "fy"), ("fy=1990", "fy"), ("fy=2024&quarter=5", "quarter"),
                                              ("region=x", "region")])
def test_bad_choices_are_marked_beside_the_field(signed_in, english_manager, query, field):
    response = signed_in(english_manager).get(f"/summaries/?{query}")
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text


# ---- small cells -------------------------------------------------------------------------


def test_officials_see_small_counts_hidden_and_not_derivable(signed_in, english_official, figures_world):
    html = signed_in(english_official).get(f"/summaries/?fy={FY}").text
    assert 'id="small-cell-note"' in html
    assert figure(html, "phases-review") == "3"
    assert figure(html, "phases-self_running") == "<3"
    assert figure(html, "phases-closed") == "<3"
    assert figure(html, "phases-total") == "5"
    assert figure(html, "key-figures-closed") == "<3"
    assert figure(html, "key-figures-self_running") == "<3"
    assert figure(html, "key-figures-self_running_share") == "<3"
    # Vision comes from one company: hidden, and business with it, or 4 - 3 would give it away.
    assert figure(html, "categories-vision") == "<3"
    assert figure(html, "categories-business") == "<3"
    assert figure(html, "categories-total") == "4"
    assert cells(html, "trend-q1") == ["<3", "<3"]
    assert cells(html, "trend-q2") == ["<3", "<3"]
    assert cells(html, "trend-q4") == ["0", "0.0"]
    assert cells(html, "trend-total") == ["5", "6.0"]
    assert figure(html, "key-figures-on_time") == "33%"  # three companies had actions due


def test_the_minimum_is_a_setting(app, signed_in, english_official, figures_world):
    app.config["SMALL_CELL_MINIMUM"] = 5
    try:
        html = signed_in(english_official).get(f"/summaries/?fy={FY}").text
    finally:
        app.config["SMALL_CELL_MINIMUM"] = 3
    assert figure(html, "phases-review") == "<5"
    assert figure(html, "phases-total") == "5"


# ---- exports ------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    # Exactly this: a charset named twice (werkzeug adds one to a text/* mimetype) confuses strict clients.
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def row_of(rows, label):
    return next(row for row in rows if row and row[0] == label)


def test_csv_export_for_a_manager_has_exact_figures(signed_in, english_manager, figures_world):
    rows = read_csv(signed_in(english_manager).get(f"/summaries/export.csv?fy={FY}"))
    assert row_of(rows, "Companies supported")[1] == "5"
    assert row_of(rows, "Companies whose engagement closed")[1] == "1"
    assert row_of(rows, "Vision")[1] == "1"
    assert ["Quarter", "Sessions", "Hours"] in rows


def test_csv_export_for_an_official_is_protected(signed_in, english_official, figures_world):
    rows = read_csv(signed_in(english_official).get(f"/summaries/export.csv?fy={FY}"))
    assert row_of(rows, "Companies supported")[1] == "5"
    assert row_of(rows, "Companies whose engagement closed")[1] == "<3"
    assert row_of(rows, "Vision")[1] == "<3"
    assert row_of(rows, "Business and market")[1] == "<3"


def test_csv_headers_follow_the_users_language(signed_in, manager, figures_world):
    rows = read_csv(signed_in(manager).get(f"/summaries/export.csv?fy={FY}"))
    assert any("年度" in cell for row in rows for cell in row)


def test_xlsx_export_opens_and_holds_the_figures(signed_in, english_manager, english_official, figures_world):
    response = signed_in(english_manager).get(f"/summaries/export.xlsx?fy={FY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX_MEDIA_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Companies supported"][0] == 5
    assert values["Hours of dialogue"][0] == 6.0


def test_xlsx_export_for_an_official_is_protected(signed_in, english_official, figures_world):
    response = signed_in(english_official).get(f"/summaries/export.xlsx?fy={FY}&quarter=2")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["Companies supported"][0] == 5  # E closed in December: still supported in Q2
    assert values["Dialogue sessions held"][0] == "<3"


def test_company_list_for_managers(signed_in, english_manager, figures_world):
    rows = read_csv(signed_in(english_manager).get("/summaries/companies.csv"))
    assert rows[0] == ["Company", "Kana", "Corporate number", "Region", "Industry", "Phase", "Lead organisation",
                       "Employees"]
    assert sorted(row[0] for row in rows[1:]) == [f"Company {name}" for name in "ABCDE"]
    assert row_of(rows, "Company D")[5] == "Self-running"


def test_company_list_is_not_for_officials(signed_in, english_official, figures_world):
    assert signed_in(english_official).get("/summaries/companies.csv").status_code == 403


def test_no_case_text_reaches_an_official(signed_in, english_official, figures_world):
    client = signed_in(english_official)
    bodies = [client.get(path).data for path in ("/", f"/summaries/?fy={FY}", f"/summaries/export.csv?fy={FY}")]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/summaries/export.xlsx?fy={FY}").data))
    bodies.append(repr([list(row) for row in book.active.iter_rows(values_only=True)]).encode())
    for body in bodies:
        assert b"SECRET-" not in body


def test_the_official_home_links_to_the_summary(signed_in, english_official):
    html = signed_in(english_official).get("/").text
    assert 'id="summary-link"' in html and "/summaries/" in html


# ---- speed -------------------------------------------------------------------------------


def test_the_page_and_exports_run_the_same_queries_whatever_the_data(signed_in, english_manager, region,
                                                                     figures_world, count_queries):
    client = signed_in(english_manager)
    EngagementFactory(company=CompanyFactory(region=region), team=[(english_manager, True)])
    paths = (f"/summaries/?fy={FY}", f"/summaries/export.csv?fy={FY}", f"/summaries/export.xlsx?fy={FY}",
             "/summaries/companies.csv")

    def counts():
        found = []
        for path in paths:
            with count_queries() as counted:
                assert client.get(path).status_code == 200
            found.append(counted.n)
        return found

    few = counts()
    for _ in range(20):
        engagement = EngagementFactory(company=CompanyFactory(region=region), started_on=date(2024, 5, 1),
                                       team=[(english_manager, True)])
        DialogueSessionFactory(engagement=engagement, held_on=date(2024, 6, 1))
        InsightFactory(engagement=engagement, created_at=recorded("2024-06-01"))
        ActionFactory(engagement=engagement, due_on=date(2024, 6, 1))
    assert counts() == few


# ---- outcome indicators ------------------------------------------------------------


def equity_moves(region, moves):
    """Companies supported since FY2023 whose equity ratio went from a to b (per cent)."""
    from tracker.models.outcomes import OutcomeSnapshot

    for before, after in moves:
        company = CompanyFactory(region=region)
        EngagementFactory(company=company, started_on=date(2023, 5, 1), phase=Phase.ACCOMPANY)
        for year, ratio in ((2023, before), (2025, after)):
            db.session.add(OutcomeSnapshot(company=company, fiscal_year=year, net_assets=ratio, total_assets=100))
    db.session.commit()


def test_outcome_changes_show_as_quartiles_and_median(signed_in, english_manager, region):
    from tracker.outcomes.indicators import PERCENT, format_value

    equity_moves(region, [(30, 40), (20, 25), (50, 44)])
    page = signed_in(english_manager).get("/summaries/?fy=2025").text
    count, lower, median, upper = cells(page, "outcomes-equity_ratio")
    assert count == "3"
    assert median == format_value(PERCENT, 0.05, change=True)
    assert lower == format_value(PERCENT, -0.005, change=True)
    assert upper == format_value(PERCENT, 0.075, change=True)
    assert cells(page, "outcomes-sales_growth")[0] == "0"


def test_officials_see_outcomes_of_fewer_than_three_companies_hidden(signed_in, english_official, region):
    equity_moves(region, [(30, 40), (20, 25)])
    page = signed_in(english_official).get("/summaries/?fy=2025").text
    assert cells(page, "outcomes-equity_ratio") == ["<3", "<3", "<3", "<3"]
    exported = signed_in(english_official).get("/summaries/export.csv?fy=2025").data.decode("utf-8-sig")
    assert "+10.0" not in exported and "+5.0" not in exported
