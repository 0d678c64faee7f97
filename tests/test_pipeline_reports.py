"""Pipeline reports: flow over the Japanese fiscal year, and workload per team member."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DialogueSessionFactory,
    EngagementFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.models import ActionState, DialogueSession, Phase, PhaseChange, Role
from tracker.pipeline.fiscal import fiscal_quarter, fiscal_year, quarter_bounds, quarter_of, year_bounds
from tracker.sessions.services import delete_session, restore_session

# ---- fiscal year ---------------------------------------------------------------------


def test_fiscal_year_starts_on_1_april():
    assert fiscal_year(date(2025, 3, 31)) == 2024
    assert fiscal_year(date(2025, 4, 1)) == 2025
    assert fiscal_year(date(2026, 1, 1)) == 2025
    assert year_bounds(2025) == (date(2025, 4, 1), date(2026, 3, 31))


@pytest.mark.parametrize(
    ("day", "quarter"),
    [(date(2025, 4, 1), 1), (date(2025, 6, 30), 1), (date(2025, 7, 1), 2), (date(2025, 9, 30), 2),
     (date(2025, 10, 1), 3), (date(2025, 12, 31), 3), (date(2026, 1, 1), 4), (date(2026, 3, 31), 4)],
)
def test_quarters_run_april_to_march(day, quarter):
    assert fiscal_quarter(day) == quarter


def test_quarter_bounds_put_q4_in_the_next_calendar_year():
    assert quarter_bounds(2025, 1) == (date(2025, 4, 1), date(2025, 6, 30))
    assert quarter_bounds(2025, 3) == (date(2025, 10, 1), date(2025, 12, 31))
    assert quarter_bounds(2025, 4) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_of(date(2024, 2, 29)) == (date(2024, 1, 1), date(2024, 3, 31))
    assert quarter_of(date(2025, 3, 31)) == (date(2025, 1, 1), date(2025, 3, 31))
    assert quarter_of(date(2025, 4, 1)) == (date(2025, 4, 1), date(2025, 6, 30))


# ---- helpers ------------------------------------------------------------------------------


def moves(engagement, *steps):
    """Record phase changes: steps are (to_phase, "YYYY-MM-DD"), the first from no phase."""
    previous = None
    for to_phase, day in steps:
        db.session.add(PhaseChange(
            engagement=engagement, from_phase=previous, to_phase=to_phase, changed_on=date.fromisoformat(day)
        ))
        previous = to_phase
    engagement.phase, engagement.phase_since = previous, date.fromisoformat(steps[-1][1])
    db.session.commit()


def cells(html: str, row_id: str) -> dict:
    """{column: text} of the table row with this id (data-quarter or data-column keys)."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    found = re.findall(r'data-(?:quarter|column)="([\w-]+)">(.*?)</td>', row[1], re.S)
    return {key: value.strip() for key, value in found}


def flow_numbers(html: str, metric: str, phase: Phase) -> dict:
    return cells(html, f"flow-{metric}-{phase.value}")


@pytest.fixture
def flow_world(region, other_region, manager, consultant):
    """Two engagements of `region` moving through FY2023, one elsewhere."""
    mine = EngagementFactory(company=CompanyFactory(region=region), team=[(manager, True), (consultant, False)])
    moves(mine, (Phase.CANDIDATE, "2023-03-31"), (Phase.REVIEW, "2023-04-01"), (Phase.FRAMING, "2023-07-10"),
          (Phase.ACCOMPANY, "2024-01-15"))
    other = EngagementFactory(company=CompanyFactory(region=region), team=[(manager, True)])
    moves(other, (Phase.CANDIDATE, "2023-04-01"), (Phase.REVIEW, "2023-05-01"), (Phase.FRAMING, "2023-09-30"))
    elsewhere = EngagementFactory(company=CompanyFactory(region=other_region))
    moves(elsewhere, (Phase.CANDIDATE, "2023-06-01"), (Phase.REVIEW, "2023-06-11"))
    return mine, other, elsewhere


# ---- flow over time -------------------------------------------------------------------------


def test_flow_counts_entries_and_exits_per_fiscal_quarter(signed_in, manager, flow_world):
    html = signed_in(manager).get("/pipeline/flow?fy=2023").text
    assert '<caption>' in html
    # 31 March 2023 belongs to FY2022: only the other engagement entered "candidate" in FY2023 Q1.
    assert flow_numbers(html, "entered", Phase.CANDIDATE) == {"1": "1", "2": "0", "3": "0", "4": "0", "year": "1"}
    assert flow_numbers(html, "left", Phase.CANDIDATE) == {"1": "2", "2": "0", "3": "0", "4": "0", "year": "2"}
    assert flow_numbers(html, "entered", Phase.REVIEW) == {"1": "2", "2": "0", "3": "0", "4": "0", "year": "2"}
    assert flow_numbers(html, "left", Phase.REVIEW) == {"1": "0", "2": "2", "3": "0", "4": "0", "year": "2"}
    # January 2024 is Q4 of FY2023.
    assert flow_numbers(html, "entered", Phase.ACCOMPANY)["4"] == "1"
    assert flow_numbers(html, "left", Phase.FRAMING) == {"1": "0", "2": "0", "3": "0", "4": "1", "year": "1"}


def test_flow_median_days_in_phase_of_stays_ended_in_the_quarter(signed_in, manager, flow_world):
    html = signed_in(manager).get("/pipeline/flow?fy=2023").text
    # candidate: 1 day (31 Mar → 1 Apr) and 30 days (1 Apr → 1 May): median 15.5.
    assert flow_numbers(html, "median", Phase.CANDIDATE)["1"] == "15.5"
    # review: 100 days (1 Apr → 10 Jul) and 152 days (1 May → 30 Sep): median 126.
    assert flow_numbers(html, "median", Phase.REVIEW)["2"] == "126"
    assert flow_numbers(html, "median", Phase.FRAMING)["4"] == "189"
    assert "–" in flow_numbers(html, "median", Phase.ACCOMPANY)["1"]  # no stay ended
    assert 'id="median-explained"' in html


def test_flow_previous_fiscal_year_holds_31_march(signed_in, manager, flow_world):
    html = signed_in(manager).get("/pipeline/flow?fy=2022").text
    assert flow_numbers(html, "entered", Phase.CANDIDATE) == {"1": "0", "2": "0", "3": "0", "4": "1", "year": "1"}


def test_flow_offers_the_fiscal_years_with_data(signed_in, manager, flow_world):
    html = signed_in(manager).get("/pipeline/flow").text
    years = re.findall(r'<option value="(\d+)"', html)
    assert {"2022", "2023"} <= set(years)
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("fy", ["abc", "1999", "2023'", "²"])
def test_flow_refuses_an_unknown_year(signed_in, manager, flow_world, fy):
    response = signed_in(manager).get("/pipeline/flow", query_string={"fy": fy})
    assert response.status_code == 422
    assert 'id="fy-error"' in response.text


def test_flow_of_another_region_shows_nothing_of_this_one(signed_in, other_region, flow_world):
    stranger = UserFactory(role=Role.MANAGER, regions=[other_region])
    html = signed_in(stranger).get("/pipeline/flow?fy=2023").text
    assert flow_numbers(html, "entered", Phase.REVIEW)["year"] == "1"  # only their own engagement
    assert flow_numbers(html, "left", Phase.CANDIDATE)["year"] == "1"
    assert flow_numbers(html, "entered", Phase.FRAMING)["year"] == "0"


def test_flow_for_a_consultant_counts_their_engagements_only(signed_in, consultant, admin, flow_world):
    html = signed_in(consultant).get("/pipeline/flow?fy=2023").text
    assert flow_numbers(html, "left", Phase.CANDIDATE)["year"] == "1"
    assert flow_numbers(html, "entered", Phase.FRAMING)["year"] == "1"


def test_flow_for_an_admin_counts_everything(signed_in, admin, flow_world):
    html = signed_in(admin).get("/pipeline/flow?fy=2023").text
    assert flow_numbers(html, "left", Phase.CANDIDATE)["year"] == "3"
    assert flow_numbers(html, "median", Phase.CANDIDATE)["year"] == "10"  # 1, 10, 30


def test_officials_may_not_open_the_reports(signed_in, official):
    client = signed_in(official)
    assert client.get("/pipeline/flow").status_code == 403
    assert client.get("/pipeline/workload").status_code == 403


def test_flow_runs_the_same_queries_whatever_the_data(signed_in, manager, region, count_queries):
    client = signed_in(manager)

    def engagements(n):
        for _ in range(n):
            moves(EngagementFactory(company=CompanyFactory(region=region)),
                  (Phase.CANDIDATE, "2023-04-01"), (Phase.REVIEW, "2023-05-01"), (Phase.FRAMING, "2023-06-01"))

    engagements(2)
    with count_queries() as few:
        assert client.get("/pipeline/flow?fy=2023").status_code == 200
    engagements(15)
    with count_queries() as many:
        assert client.get("/pipeline/flow?fy=2023").status_code == 200
    assert many.n == few.n


# ---- workload ---------------------------------------------------------------------------------


PERIOD = {"start": "2024-04-01", "end": "2024-06-30"}


@pytest.fixture
def workload_world(region, other_region, manager, consultant):
    """`consultant` (A) and `colleague` (B) in `region` over FY2024 Q1."""
    colleague = UserFactory(role=Role.CONSULTANT, regions=[region])
    started = date(2024, 1, 10)
    case = EngagementFactory(company=CompanyFactory(region=region), started_on=started,
                             team=[(manager, True), (consultant, False), (colleague, False)])
    closed_before = EngagementFactory(company=CompanyFactory(region=region), started_on=started, phase=Phase.CLOSED,
                                      phase_since=date(2024, 3, 31), team=[(consultant, True)])
    closed_during = EngagementFactory(company=CompanyFactory(region=region), started_on=started, phase=Phase.CLOSED,
                                      phase_since=date(2024, 4, 1), team=[(consultant, True)])
    later = EngagementFactory(company=CompanyFactory(region=region), started_on=date(2024, 7, 1),
                              team=[(consultant, True)])
    both = DialogueSessionFactory(engagement=case, held_on=date(2024, 5, 1), duration_minutes=90, author=consultant)
    both.team_attendees = [consultant, colleague]
    DialogueSessionFactory(engagement=case, held_on=date(2024, 6, 30), duration_minutes=30, author=colleague)
    DialogueSessionFactory(engagement=case, held_on=date(2024, 7, 1), duration_minutes=60, author=consultant)
    DialogueSessionFactory(engagement=closed_during, held_on=date(2024, 3, 31), author=consultant)
    elsewhere = EngagementFactory(company=CompanyFactory(region=other_region), started_on=started,
                                  team=[(colleague, True)])
    DialogueSessionFactory(engagement=elsewhere, held_on=date(2024, 5, 2), author=colleague)
    ActionFactory(engagement=case, owner_user=consultant, state=ActionState.PLANNED)
    ActionFactory(engagement=later, owner_user=consultant, state=ActionState.IN_PROGRESS)
    ActionFactory(engagement=case, owner_user=consultant, state=ActionState.DONE)
    ActionFactory(engagement=elsewhere, owner_user=colleague, state=ActionState.PLANNED)
    db.session.commit()
    return {"colleague": colleague, "case": case, "closed_before": closed_before, "later": later}


def test_workload_adds_up_sessions_hours_and_open_actions(signed_in, manager, consultant, workload_world):
    html = signed_in(manager).get("/pipeline/workload", query_string=PERIOD).text
    colleague = workload_world["colleague"]
    assert cells(html, f"member-{consultant.id}") == {
        "active": "2", "sessions": "1", "hours": "1.5", "open-actions": "2"
    }
    # The session elsewhere (another region) and its action do not count for this manager.
    assert cells(html, f"member-{colleague.id}") == {
        "active": "1", "sessions": "2", "hours": "2.0", "open-actions": "0"
    }
    assert cells(html, f"member-{manager.id}") == {"active": "1", "sessions": "0", "hours": "0.0", "open-actions": "0"}
    assert 'id="workload-definitions"' in html


def test_workload_defaults_to_the_current_fiscal_quarter(signed_in, manager, workload_world):
    from tracker.engagements.services import local_today

    html = signed_in(manager).get("/pipeline/workload").text
    first, _last = quarter_of(local_today())
    assert f'value="{first.isoformat()}"' in html


@pytest.mark.parametrize(
    ("period", "field"),
    [({"start": "2024-06-30", "end": "2024-04-01"}, "end"),
     ({"start": "2022-04-01", "end": "2024-04-01"}, "end"),
     ({"start": "2024-13-01", "end": "2024-06-30"}, "start"),
     ({"start": "2024-04-01", "end": ""}, "end")],
)
def test_workload_refuses_a_bad_period_keeping_what_was_typed(signed_in, manager, period, field):
    response = signed_in(manager).get("/pipeline/workload", query_string=period)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    for value in period.values():
        if value:
            assert f'value="{value}"' in response.text
    assert 'id="workload"' not in response.text


def test_workload_accepts_two_years_less_a_day(signed_in, manager):
    response = signed_in(manager).get("/pipeline/workload", query_string={"start": "2022-04-01", "end": "2024-03-31"})
    assert response.status_code == 200


def test_workload_of_another_region_shows_nobody_of_this_one(signed_in, other_region, consultant, workload_world):
    stranger = UserFactory(role=Role.MANAGER, regions=[other_region])
    html = signed_in(stranger).get("/pipeline/workload", query_string=PERIOD).text
    assert f'id="member-{consultant.id}"' not in html
    colleague = workload_world["colleague"]
    assert cells(html, f"member-{colleague.id}") == {
        "active": "1", "sessions": "1", "hours": "1.5", "open-actions": "1"
    }


def test_workload_for_a_consultant_counts_over_their_engagements(signed_in, region, consultant, workload_world):
    outsider = UserFactory(role=Role.CONSULTANT, regions=[region])
    EngagementFactory(company=CompanyFactory(region=region), team=[(outsider, True)])
    html = signed_in(consultant).get("/pipeline/workload", query_string=PERIOD).text
    assert f'id="member-{outsider.id}"' not in html
    colleague = workload_world["colleague"]
    assert cells(html, f"member-{colleague.id}")["sessions"] == "2"


def test_workload_runs_the_same_queries_for_2_and_15_consultants(signed_in, manager, region, count_queries):
    client = signed_in(manager)

    def consultants(n):
        for _ in range(n):
            person = UserFactory(role=Role.CONSULTANT, regions=[region])
            case = EngagementFactory(company=CompanyFactory(region=region), team=[(person, True)],
                                     started_on=date(2024, 1, 1))
            session = DialogueSessionFactory(engagement=case, held_on=date(2024, 5, 1), author=person)
            session.team_attendees = [person]
            ActionFactory(engagement=case, owner_user=person)
        db.session.commit()

    consultants(2)
    with count_queries() as few:
        html = client.get("/pipeline/workload", query_string=PERIOD).text
    assert html.count('id="member-') == 2
    consultants(13)
    with count_queries() as many:
        html = client.get("/pipeline/workload", query_string=PERIOD).text
    assert html.count('id="member-') == 15
    assert many.n == few.n


def test_workload_follows_team_changes_deletions_and_restores(signed_in, manager, consultant, workload_world):
    """The sessions come from stored tallies (WorkloadTally): each change shows on the next page."""
    colleague, case = workload_world["colleague"], workload_world["case"]
    session = db.session.scalar(
        sa.select(DialogueSession).where(DialogueSession.engagement_id == case.id,
                                         DialogueSession.held_on == date(2024, 5, 1))
    )
    client = signed_in(manager)

    def sessions_of(person) -> str:
        return cells(client.get("/pipeline/workload", query_string=PERIOD).text, f"member-{person.id}")["sessions"]

    session.team_attendees = [consultant]  # the colleague did not come after all
    db.session.commit()
    assert (sessions_of(colleague), sessions_of(consultant)) == ("1", "1")

    session.author = colleague  # written up by the colleague: counts for them again, once
    db.session.commit()
    assert (sessions_of(colleague), sessions_of(consultant)) == ("2", "1")

    delete_session(session, manager)
    db.session.commit()
    assert (sessions_of(colleague), sessions_of(consultant)) == ("1", "0")

    restore_session(session)
    session.held_on = date(2024, 7, 2)  # and moved out of the period
    db.session.commit()
    assert (sessions_of(colleague), sessions_of(consultant)) == ("1", "0")
