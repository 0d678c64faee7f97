"""The regional summary's stored tallies (tracker/summaries/tallies.py).

Whatever the application changes, the stored rows are what a recount from the
records gives; users see records move on the summary page as they move; an
edit of text alone rewrites nothing; `flask summaries rebuild` repairs rows
spoiled by hand; and on PostgreSQL, two transactions at once are both counted:
two adding to one engagement (or to one region), a save during `flask
summaries rebuild`, a session saved while its company moves region.

"The stored rows" are those of every table of tracker/models/tallies.py,
whichever are there: a tally table added later is checked too.
"""

import threading
import time
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests import test_imports as imports
from tests.factories import (
    CompanyFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
    RegionFactory,
    UserFactory,
)
from tests.test_summaries import cells, figure
from tracker.actions.services import add_action_update, change_action, create_action, delete_action, restore_action
from tracker.companies.services import COMPANY_FIELDS, delete_company, restore_company, update_company
from tracker.engagements.services import (
    RestoreRefused,
    delete_engagement,
    restore_engagement,
    update_engagement,
)
from tracker.extensions import db
from tracker.insights.services import change_insight, delete_insight, restore_insight
from tracker.models import (
    Action,
    ActionState,
    ActionTally,
    Barrier,
    Company,
    DialogueSession,
    Engagement,
    IndicatorChange,
    Insight,
    InsightCategory,
    InsightHolder,
    InsightState,
    InsightTally,
    OutcomeSnapshot,
    Region,
    Role,
    SessionFormat,
    SessionKind,
    SessionTally,
)
from tracker.models import tallies as tally_models
from tracker.outcomes.services import INPUTS, create_snapshot, update_snapshot
from tracker.sessions.services import delete_session, restore_session, save_session
from tracker.summaries.tallies import rebuild

TALLY_MODELS = sorted(
    (model for model in vars(tally_models).values()
     if isinstance(model, type) and issubclass(model, db.Model) and model.__module__ == tally_models.__name__),
    key=lambda model: model.__tablename__,
)
TALLY_TABLES = tuple(model.__tablename__ for model in TALLY_MODELS)


def tally_rows() -> dict[str, list[tuple]]:
    """Every stored tally row, per table, sorted; InsightTally's surrogate id is left out
    (it differs after a rebuild and says nothing)."""
    rows = {}
    for model in TALLY_MODELS:
        columns = [column for column in model.__table__.c if column.name != "id"]
        rows[model.__tablename__] = sorted(map(tuple, db.session.execute(sa.select(*columns))), key=repr)
    return rows


def assert_as_recounted(when: str) -> dict[str, list[tuple]]:
    """Commit what was changed, then check that the stored rows equal a recount from scratch.

    The recount is rolled back, so later changes keep building on the rows
    the flush listener wrote, not on repaired ones. Returns the stored rows.
    """
    db.session.commit()
    stored = tally_rows()
    rebuild(db.session.connection())
    recounted = tally_rows()
    db.session.rollback()
    assert stored == recounted, f"tallies differ from a recount after: {when}"
    return stored


def build_world(region, other_region) -> SimpleNamespace:
    """A manager of `region` leading three engagements there: two of the first
    company (its support began with the earlier one), one of the second;
    `other_region` is where a company may move."""
    manager = UserFactory(role=Role.MANAGER, regions=[region], language="en")
    first, second = CompanyFactory(region=region), CompanyFactory(region=region)
    engagements = [
        EngagementFactory(company=company, started_on=started, team=[(manager, True)])
        for company, started in ((first, date(2023, 6, 1)), (first, date(2024, 9, 1)), (second, date(2024, 5, 1)))
    ]
    return SimpleNamespace(manager=manager, companies=[first, second], engagements=engagements,
                           regions=[region, other_region])


@pytest.fixture
def world(region, other_region):
    return build_world(region, other_region)


def move_company(company: Company, region_id: int) -> None:
    """Save the company's profile form with another region chosen."""
    update_company(company, {**{name: getattr(company, name) for name in COMPANY_FIELDS}, "region_id": region_id})


def utc(moment: str) -> datetime:
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def day(text: str) -> date:
    return date.fromisoformat(text)


def snapshot_figures(net_assets: int, total_assets: int = 100, sales: int | None = None) -> dict:
    return {"net_assets": net_assets, "total_assets": total_assets, "sales": sales}


# ---- the stored rows are a recount, after every kind of change ----------------------------


def test_a_day_of_changes_leaves_the_tallies_as_a_recount_would(app_context, world):
    """One change after another, through the services where the app has one;
    after each, the stored rows of every tally table equal a rebuild."""
    first, second, other = world.engagements
    user = world.manager
    sessions = [
        DialogueSessionFactory(engagement=engagement, held_on=day(held), duration_minutes=minutes, author=user)
        for engagement, held, minutes in (
            (first, "2024-05-10", 60), (first, "2024-06-30", 90), (first, "2024-12-01", 30),
            (first, "2025-03-31", 45), (second, "2025-04-01", 120), (other, "2023-09-01", 15),
        )
    ]
    stored = assert_as_recounted("sessions in several quarters of three fiscal years")
    assert (first.id, 2024, 1, 2, 150) in stored["session_tallies"]

    sessions[1].held_on = day("2024-07-01")  # as the session form saves it
    stored = assert_as_recounted("a session moved from Q1 to Q2")
    assert (first.id, 2024, 1, 1, 60) in stored["session_tallies"]
    assert (first.id, 2024, 2, 1, 90) in stored["session_tallies"]
    sessions[3].held_on = day("2025-04-01")
    assert_as_recounted("a session moved into the next fiscal year")
    sessions[0].duration_minutes = 180
    assert_as_recounted("a session's duration changed")
    delete_session(sessions[2], user)
    stored = assert_as_recounted("a session soft-deleted")
    assert not any(row[:3] == (first.id, 2024, 3) for row in stored["session_tallies"])
    restore_session(sessions[2])
    assert_as_recounted("a session restored")
    colleague = UserFactory(role=Role.CONSULTANT, regions=world.regions[:1])
    sessions[0].team_attendees = [user, colleague]
    stored = assert_as_recounted("a session's team changed")
    assert (first.id, day("2024-05-10"), colleague.id, 1, 180) in stored["workload_tallies"]
    sessions[0].author = colleague
    sessions[0].team_attendees = [colleague]
    stored = assert_as_recounted("a session's author and team changed")
    assert not any(row[:3] == (first.id, day("2024-05-10"), user.id) for row in stored["workload_tallies"])

    insights = [
        InsightFactory(engagement=engagement, created_at=utc(moment), category=category, barrier=barrier)
        for engagement, moment, category, barrier in (
            (first, "2025-03-31T14:30", InsightCategory.BUSINESS, Barrier.UNSEEN),  # 23:30 in Tokyo
            (first, "2025-03-31T15:30", InsightCategory.BUSINESS, Barrier.UNSEEN),  # 00:30 on 1 April in Tokyo
            (first, "2024-08-01T03:00", InsightCategory.VISION, None),
            (other, "2024-08-01T03:00", InsightCategory.FINANCE, Barrier.LACKING),
        )
    ]
    assert_as_recounted("insights recorded either side of midnight on 31 March in Tokyo")
    change_insight(insights[0], user, category=InsightCategory.FINANCE)
    assert_as_recounted("an insight's category changed")
    change_insight(insights[2], user, barrier=Barrier.UNFACED)
    assert_as_recounted("an insight's barrier changed")
    delete_insight(insights[3], user)
    assert_as_recounted("an insight soft-deleted")
    restore_insight(insights[3])
    assert_as_recounted("an insight restored")

    actions = [
        create_action(engagement, user, title=f"Action {n}", due_on=due)
        for n, (engagement, due) in enumerate(((first, day("2024-06-30")), (first, day("2024-06-30")),
                                               (second, day("2024-10-15")), (other, None)))
    ]
    assert_as_recounted("actions due in two quarters, one undated")
    add_action_update(actions[0], user, day("2024-06-30"), "Done on the day.", ActionState.DONE)
    assert_as_recounted("an action done on time")
    add_action_update(actions[1], user, day("2024-07-03"), "Done three days late.", ActionState.DONE)
    stored = assert_as_recounted("an action done late")
    assert (first.id, 2024, 1, 2, 1) in stored["action_tallies"]
    add_action_update(actions[2], user, day("2024-09-01"), "Not needed after all.", ActionState.DROPPED)
    assert_as_recounted("an action dropped")
    change_action(actions[3], user, due_on=day("2025-01-20"))
    assert_as_recounted("an undated action given a due date")
    change_action(actions[1], user, due_on=day("2024-07-31"))
    assert_as_recounted("a late action's due date moved past its done date")
    delete_action(actions[0], user)
    assert_as_recounted("an action soft-deleted")
    restore_action(actions[0])
    assert_as_recounted("an action restored")

    company = world.companies[0]
    snapshots = [create_snapshot(company, user, fiscal_year=year, **snapshot_figures(net, sales=sales))
                 for year, net, sales in ((2023, 30, 1000), (2024, 35, 1100), (2025, 40, None))]
    create_snapshot(world.companies[1], user, fiscal_year=2025, **snapshot_figures(50))
    stored = assert_as_recounted("outcome snapshots added")
    assert [row[0] for row in stored["indicator_changes"]] == [company.id]
    update_snapshot(snapshots[2], fiscal_year=2025, **snapshot_figures(20, sales=900))
    assert_as_recounted("an outcome snapshot corrected")
    first.started_on = day("2024-05-01")  # support began a year later: FY2023 no longer counts
    assert_as_recounted("an engagement's start moved")
    delete_engagement(first, user)
    assert_as_recounted("the engagement that began the support soft-deleted")
    restore_engagement(first)
    assert_as_recounted("that engagement restored")
    delete_company(world.companies[1], user)
    assert_as_recounted("a company soft-deleted with its engagement")
    restore_company(world.companies[1])
    assert_as_recounted("that company restored")
    move_company(world.companies[1], world.regions[1].id)
    assert_as_recounted("a company moved to another region")

    # Several records of several engagements in one flush.
    sessions[4].held_on, sessions[5].duration_minutes = day("2024-04-01"), 75
    delete_insight(insights[1], user)
    change_action(actions[2], user, state=ActionState.PLANNED)
    update_engagement(other, theme="A new theme", referral_source=other.referral_source, referral_note="")
    other.started_on = day("2022-04-01")
    stored = assert_as_recounted("changes to three engagements and two companies in one transaction")
    assert all(stored[table] for table in TALLY_TABLES)


# Days either side of the fiscal quarters' and years' edges, and any day of four years.
EDGES = [day(text) for text in ("2024-03-31", "2024-04-01", "2024-06-30", "2024-07-01", "2024-12-31",
                                "2025-01-01", "2025-03-31", "2025-04-01")]
DAYS = st.one_of(st.sampled_from(EDGES), st.dates(date(2023, 1, 1), date(2025, 12, 31)))
# 14:30 and 15:30 UTC are 23:30 and 00:30 in Tokyo: the two sides of a local midnight.
MOMENTS = st.one_of(
    st.builds(lambda edge, hour: datetime(edge.year, edge.month, edge.day, hour, 30, tzinfo=UTC),
              st.sampled_from(EDGES), st.sampled_from([14, 15])),
    st.datetimes(datetime(2023, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC)),
)
ENGAGEMENT = st.integers(0, 2)
PICK = st.integers(0, 30)  # which record of its kind, modulo how many there are
MINUTES = st.integers(0, 240)
OPERATIONS = st.one_of(
    st.tuples(st.just("add_session"), ENGAGEMENT, DAYS, MINUTES),
    st.tuples(st.just("hold_on"), PICK, DAYS),
    st.tuples(st.just("last"), PICK, MINUTES),
    st.tuples(st.just("reword"), PICK, st.text(max_size=12)),
    st.tuples(st.just("attend"), PICK, st.booleans(), st.booleans()),
    st.tuples(st.just("delete"), st.sampled_from([DialogueSession, Insight, Action, Engagement]), PICK),
    st.tuples(st.just("restore"), st.sampled_from([DialogueSession, Insight, Action, Engagement]), PICK),
    st.tuples(st.just("add_insight"), ENGAGEMENT, MOMENTS, st.sampled_from(InsightCategory),
              st.none() | st.sampled_from(Barrier)),
    st.tuples(st.just("classify"), PICK, st.sampled_from(InsightCategory), st.none() | st.sampled_from(Barrier)),
    st.tuples(st.just("add_action"), ENGAGEMENT, st.none() | DAYS),
    st.tuples(st.just("progress"), PICK, st.sampled_from(ActionState), DAYS),
    st.tuples(st.just("reschedule"), PICK, st.none() | DAYS),
    st.tuples(st.just("snapshot"), st.integers(0, 1), st.integers(2022, 2026), st.integers(-50, 100),
              st.none() | st.integers(0, 2000)),
    st.tuples(st.just("start"), ENGAGEMENT, DAYS),
    st.tuples(st.just("delete"), st.just(Company), st.integers(0, 1)),
    st.tuples(st.just("restore"), st.just(Company), st.integers(0, 1)),
    st.tuples(st.just("move"), st.integers(0, 1), st.integers(0, 1)),
)
REMOVAL = {
    DialogueSession: (delete_session, restore_session),
    Insight: (delete_insight, restore_insight),
    Action: (delete_action, restore_action),
    Engagement: (delete_engagement, restore_engagement),
    Company: (delete_company, restore_company),
}


def records(world, model) -> list:
    """The world's records of a kind, deleted ones too, oldest first (flushes pending ones)."""
    if model is Engagement:
        return world.engagements
    if model is Company:
        return world.companies
    query = sa.select(model).where(model.engagement_id.in_([engagement.id for engagement in world.engagements]))
    return db.session.scalars(query.order_by(model.id).execution_options(include_deleted=True)).all()


def pick(world, model, index: int):
    found = records(world, model)
    return found[index % len(found)] if found else None


def apply(world, operation: tuple) -> None:
    """Make one change the way the app makes it (a RestoreRefused is the app saying no)."""
    name, *args = operation
    user = world.manager
    if name == "add_session":
        engagement, held_on, minutes = args
        db.session.add(DialogueSessionFactory.build(engagement=world.engagements[engagement], held_on=held_on,
                                                    duration_minutes=minutes))
    elif name == "add_insight":
        engagement, moment, category, barrier = args
        db.session.add(InsightFactory.build(engagement=world.engagements[engagement], created_at=moment,
                                            category=category, barrier=barrier))
    elif name == "add_action":
        engagement, due_on = args
        create_action(world.engagements[engagement], user, title="An action", due_on=due_on)
    elif name == "snapshot":
        record_snapshot(world, *args)
    elif name == "start":
        world.engagements[args[0]].started_on = args[1]
    elif name == "move":
        company, region = args
        move_company(world.companies[company], world.regions[region].id)
    elif name in ("delete", "restore"):
        model, index = args
        record = pick(world, model, index)
        if record is not None:
            delete, restore = REMOVAL[model]
            try:
                if name == "delete":
                    delete(record, user)
                else:
                    restore(record)
            except RestoreRefused:
                pass
    else:
        change_a_record(world, name, *args)


def change_a_record(world, name: str, index: int, *values) -> None:
    """Edit an existing session, insight or action, if the world has one yet."""
    model = {"hold_on": DialogueSession, "last": DialogueSession, "reword": DialogueSession,
             "attend": DialogueSession, "classify": Insight, "progress": Action, "reschedule": Action}[name]
    record = pick(world, model, index)
    if record is None:
        return
    if name == "hold_on":
        record.held_on = values[0]
    elif name == "last":
        record.duration_minutes = values[0]
    elif name == "reword":
        record.notes = values[0]
    elif name == "attend":  # written by the manager or by no one; the manager on its team or not
        wrote, attended = values
        record.author = world.manager if wrote else None
        record.team_attendees = [world.manager] if attended else []
    elif name == "classify":
        change_insight(record, world.manager, category=values[0], barrier=values[1])
    elif name == "progress":
        state, noted_on = values
        add_action_update(record, world.manager, noted_on, "Progress.", state)
    else:
        change_action(record, world.manager, due_on=values[0])


def record_snapshot(world, company: int, year: int, net_assets: int, sales: int | None) -> None:
    """Enter a company's figures for a year, or correct them if the year is there."""
    company = world.companies[company]
    existing = db.session.scalars(
        sa.select(OutcomeSnapshot).where(OutcomeSnapshot.company_id == company.id, OutcomeSnapshot.fiscal_year == year)
    ).first()
    figures = snapshot_figures(net_assets, sales=sales)
    if existing is None:
        create_snapshot(company, world.manager, fiscal_year=year, **figures)
    else:
        update_snapshot(existing, fiscal_year=year, **{**{name: getattr(existing, name) for name in INPUTS},
                                                       **figures})


# Not shrunk: an example takes a world of its own (~0.2 s), so shrinking one could take
# minutes; the failure names the transaction and its operations, and the scripted test
# above says which kind of change it is.
@settings(max_examples=15, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(transactions=st.lists(st.lists(OPERATIONS, min_size=1, max_size=4), min_size=1, max_size=6))
def test_any_changes_leave_the_tallies_as_a_recount_would(app_context, transactions):
    """Random changes, a few to a transaction (several records of several
    engagements in one flush); a fresh world each time."""
    world = build_world(RegionFactory(), RegionFactory())
    for number, operations in enumerate(transactions, start=1):
        for operation in operations:
            apply(world, operation)
        assert_as_recounted(f"transaction {number}: {operations}")


# ---- what users see on the summary page --------------------------------------------------


@pytest.fixture
def summary(signed_in, world, region):
    """`summary(2024)` or `summary(2024, quarter=4)`: the page the manager sees for `region`."""
    client = signed_in(world.manager)

    def page(year: int, quarter: int | None = None) -> str:
        path = f"/summaries/?fy={year}&region={region.id}" + (f"&quarter={quarter}" if quarter else "")
        response = client.get(path)
        assert response.status_code == 200, response.text
        return response.text

    return page


def test_a_session_moved_to_another_quarter_moves_in_the_trend_table(world, summary):
    session = DialogueSessionFactory(engagement=world.engagements[0], held_on=day("2024-06-30"),
                                     duration_minutes=90)
    page = summary(2024)
    assert cells(page, "trend-q1") == ["1", "1.5"]
    assert cells(page, "trend-q2") == ["0", "0.0"]

    session.held_on = day("2024-07-01")
    db.session.commit()
    page = summary(2024)
    assert cells(page, "trend-q1") == ["0", "0.0"]
    assert cells(page, "trend-q2") == ["1", "1.5"]

    session.held_on, session.duration_minutes = day("2025-04-01"), 120
    db.session.commit()
    assert cells(summary(2024), "trend-total") == ["0", "0.0"]
    assert cells(summary(2025), "trend-q1") == ["1", "2.0"]


RECORDS = {
    "session": (lambda engagement: DialogueSessionFactory(engagement=engagement, held_on=day("2024-08-01")),
                delete_session, restore_session, "key-figures-sessions"),
    "insight": (lambda engagement: InsightFactory(engagement=engagement, created_at=utc("2024-08-01T03:00")),
                delete_insight, restore_insight, "key-figures-insights"),
    "action": (lambda engagement: create_action(engagement, engagement.members[0].user, title="Visit the bank",
                                                due_on=day("2024-08-01")),
               delete_action, restore_action, "key-figures-actions_due"),
}


@pytest.mark.parametrize("kind", RECORDS)
def test_a_deleted_record_no_longer_counts_and_a_restored_one_does_again(world, summary, kind):
    make, delete, restore, shown_as = RECORDS[kind]
    record = make(world.engagements[0])
    db.session.commit()
    assert figure(summary(2024), shown_as) == "1"
    delete(record, world.manager)
    db.session.commit()
    assert figure(summary(2024), shown_as) == "0"
    restore(record)
    db.session.commit()
    assert figure(summary(2024), shown_as) == "1"


def test_a_deleted_engagement_takes_its_records_out_of_the_figures(world, summary):
    engagement = world.engagements[0]
    for make, *_ in RECORDS.values():
        make(engagement)
    db.session.commit()
    shown_as = [row_id for *_, row_id in RECORDS.values()]
    assert [figure(summary(2024), row_id) for row_id in shown_as] == ["1", "1", "1"]
    delete_engagement(engagement, world.manager)
    db.session.commit()
    assert [figure(summary(2024), row_id) for row_id in shown_as] == ["0", "0", "0"]
    restore_engagement(engagement)
    db.session.commit()
    assert [figure(summary(2024), row_id) for row_id in shown_as] == ["1", "1", "1"]


def test_a_company_moved_away_or_deleted_leaves_the_regions_figures(world, summary):
    company = world.companies[1]
    DialogueSessionFactory(engagement=world.engagements[2], held_on=day("2024-08-01"))
    assert figure(summary(2024), "key-figures-sessions") == "1"
    for change, figure_after in (
        (lambda: move_company(company, world.regions[1].id), "0"),
        (lambda: move_company(company, world.regions[0].id), "1"),
        (lambda: delete_company(company, world.manager), "0"),
        (lambda: restore_company(company), "1"),
    ):
        change()
        db.session.commit()
        assert figure(summary(2024), "key-figures-sessions") == figure_after


def test_an_insight_counts_in_the_quarter_of_its_date_in_tokyo(world, summary):
    """Stored in UTC: 14:30 UTC on 31 March is 23:30 in Tokyo (FY2024 Q4), 15:30 UTC is 00:30 on 1 April (FY2025 Q1)."""
    InsightFactory(engagement=world.engagements[0], created_at=utc("2025-03-31T14:30"),
                   category=InsightCategory.VISION)
    InsightFactory(engagement=world.engagements[0], created_at=utc("2025-03-31T15:30"),
                   category=InsightCategory.FINANCE)
    last_quarter, first_quarter = summary(2024, quarter=4), summary(2025, quarter=1)
    assert figure(last_quarter, "key-figures-insights") == "1"
    assert figure(last_quarter, "categories-vision") == "1"
    assert figure(first_quarter, "key-figures-insights") == "1"
    assert figure(first_quarter, "categories-finance") == "1"


def test_an_action_done_after_its_due_date_is_due_but_not_on_time(world, summary):
    on_time, late = (create_action(world.engagements[0], world.manager, title=title, due_on=day("2024-06-30"))
                     for title in ("On time", "Late"))
    add_action_update(on_time, world.manager, day("2024-06-30"), "Done on the day.", ActionState.DONE)
    db.session.commit()
    page = summary(2024, quarter=1)
    assert figure(page, "key-figures-actions_due") == "2"
    assert figure(page, "key-figures-on_time") == "50%"
    add_action_update(late, world.manager, day("2024-07-01"), "Done a day late.", ActionState.DONE)
    db.session.commit()
    page = summary(2024, quarter=1)
    assert figure(page, "key-figures-actions_due") == "2"
    assert figure(page, "key-figures-on_time") == "50%"


def test_a_dropped_action_is_not_due(world, summary):
    action = create_action(world.engagements[0], world.manager, title="Maybe", due_on=day("2024-06-30"))
    db.session.commit()
    assert figure(summary(2024), "key-figures-actions_due") == "1"
    add_action_update(action, world.manager, day("2024-06-01"), "Not needed.", ActionState.DROPPED)
    db.session.commit()
    assert figure(summary(2024), "key-figures-actions_due") == "0"
    add_action_update(action, world.manager, day("2024-06-10"), "Needed after all.", ActionState.PLANNED)
    db.session.commit()
    assert figure(summary(2024), "key-figures-actions_due") == "1"


def test_moving_the_start_of_support_changes_the_outcome_figures(world, summary):
    """A change counts from the first snapshot of the year support began: start it
    later than the earliest snapshot and a company with one snapshot since drops out."""
    company = world.companies[1]  # its one engagement started in May 2024
    for year, net_assets in ((2024, 30), (2025, 40)):
        create_snapshot(company, world.manager, fiscal_year=year, **snapshot_figures(net_assets))
    db.session.commit()
    assert cells(summary(2025), "outcomes-equity_ratio")[0] == "1"
    world.engagements[2].started_on = day("2025-05-01")
    db.session.commit()
    assert cells(summary(2025), "outcomes-equity_ratio")[0] == "0"


@pytest.mark.parametrize(("prefecture", "municipality", "recorded"), [
    ("新潟県", "三条市", True),
    ("長野県", "飯田市", False),
], ids=["to a recorded region", "to a region the import creates"])
def test_an_import_moving_a_company_to_another_region_moves_its_figures(signed_in, app_context, prefecture,
                                                                       municipality, recorded):
    """The company import writes with Core statements, past the flush listener."""
    tsubame = imports.real_region("新潟県", "燕市")
    if recorded:
        imports.real_region(prefecture, municipality)
    client = signed_in(UserFactory(role=Role.ADMIN, all_regions=True, language="en"))
    imports.confirm(client, imports.upload(client, imports.csv_bytes([imports.row(1)])))
    company = db.session.scalars(sa.select(Company)).one()
    DialogueSessionFactory(engagement=EngagementFactory(company=company), held_on=day("2024-08-01"))

    moved = imports.csv_bytes([imports.row(1, prefecture=prefecture, municipality=municipality)])
    imports.confirm(client, imports.upload(client, moved))

    db.session.expire_all()
    assert db.session.get(Region, company.region_id).municipality == municipality
    assert_as_recounted("an import moved a company to another region")
    sessions = {
        region.id: figure(client.get(f"/summaries/?fy=2024&region={region.id}").text, "key-figures-sessions")
        for region in (tsubame, db.session.get(Region, company.region_id))
    }
    assert sessions == {tsubame.id: "0", company.region_id: "1"}


# ---- an edit of text alone rewrites nothing ------------------------------------------------


def session_details(session: DialogueSession, **changes) -> dict:
    """What the session form hands save_session for `session`, with some fields changed."""
    details = {
        "held_on": session.held_on, "duration_minutes": session.duration_minutes, "format": session.format,
        "kind": session.kind, "notes": session.notes, "reflection": session.reflection,
        "next_steps": session.next_steps, "contact_ids": [], "user_ids": [], "new_contacts": [],
        "statements": [], "insights": [], "actions": [],
    }
    return {**details, **changes}


def save_changed_session(case, **changes) -> None:
    save_session(case.engagement, case.user, session_details(case.session, **changes), session=case.session,
                 version=case.session.version)


def change_snapshot_sales(case, sales: int) -> None:
    update_snapshot(case.snapshot, fiscal_year=case.snapshot.fiscal_year,
                    **{**{name: getattr(case.snapshot, name) for name in INPUTS}, "sales": sales})


def retitle_engagement(case, theme: str) -> None:
    update_engagement(case.engagement, theme=theme, referral_source=case.engagement.referral_source,
                      referral_note="Met at the chamber of commerce.")


TEXT_EDITS = {
    "session notes and reflection": lambda case: save_changed_session(case, notes="Reworded.", reflection="Less."),
    "insight text": lambda case: change_insight(case.insight, case.user, text="Reworded insight."),
    "action title and description": lambda case: change_action(case.action, case.user, title="Reworded",
                                                               description="More detail."),
    "engagement theme": lambda case: retitle_engagement(case, "Reworded theme"),
    "company address": lambda case: update_company(case.company, {
        **{name: getattr(case.company, name) for name in COMPANY_FIELDS}, "address": "新潟県三条市1-2"}),
}
COUNTED_EDITS = {
    "session duration": lambda case: save_changed_session(case, duration_minutes=45),
    "insight barrier": lambda case: change_insight(case.insight, case.user, barrier=Barrier.LACKING),
    "action due date": lambda case: change_action(case.action, case.user, due_on=day("2024-09-30")),
    "snapshot sales": lambda case: change_snapshot_sales(case, 2_000),
    "engagement start": lambda case: setattr(case.engagement, "started_on", day("2023-04-01")),
    "company region": lambda case: move_company(case.company, case.other_region.id),
}


@pytest.fixture
def case(app, world):
    """One engagement with a session, an insight and an action, and its company's snapshots, saved."""
    engagement, user = world.engagements[0], world.manager
    found = SimpleNamespace(
        engagement=engagement, user=user, company=world.companies[0], other_region=world.regions[1],
        session=DialogueSessionFactory(engagement=engagement, author=user, held_on=day("2024-06-01")),
        insight=InsightFactory(engagement=engagement, created_at=utc("2024-06-01T03:00")),
        action=create_action(engagement, user, title="Call the bank", due_on=day("2024-06-30")),
        snapshot=create_snapshot(world.companies[0], user, fiscal_year=2024, **snapshot_figures(30, sales=900)),
    )
    create_snapshot(world.companies[0], user, fiscal_year=2025, **snapshot_figures(40, sales=1_000))
    db.session.commit()
    with app.test_request_context():  # where the edits run in the app
        yield found


def tally_statements(case, edit, count_queries) -> list[str]:
    """The SQL that touched a tally table, or locked rows, while the edit was saved."""
    with count_queries() as counted:
        edit(case)
        db.session.commit()
    return [statement for statement in counted.statements
            if any(table in statement for table in TALLY_TABLES) or "FOR NO KEY UPDATE" in statement]


@pytest.mark.parametrize("edit", TEXT_EDITS)
def test_an_edit_of_text_alone_rewrites_no_tally(case, count_queries, edit):
    before = tally_rows()
    assert tally_statements(case, TEXT_EDITS[edit], count_queries) == []
    assert tally_rows() == before


@pytest.mark.parametrize("edit", COUNTED_EDITS)
def test_an_edit_of_a_counted_field_rewrites_its_tallies(case, count_queries, edit):
    """The other side of the test above: the same statements are caught when they run."""
    assert any(statement.lstrip().upper().startswith("DELETE")
               for statement in tally_statements(case, COUNTED_EDITS[edit], count_queries))
    assert_as_recounted(edit)


# ---- flask summaries rebuild ----------------------------------------------------------------


def test_the_rebuild_command_repairs_tallies_spoiled_by_hand(app, case):
    before = tally_rows()
    assert all(before[table] for table in TALLY_TABLES)
    db.session.execute(sa.delete(SessionTally.__table__))
    db.session.execute(sa.update(ActionTally.__table__).values(due=ActionTally.due + 5))
    db.session.execute(sa.delete(IndicatorChange.__table__))
    db.session.execute(sa.insert(InsightTally.__table__).values(
        engagement_id=case.engagement.id, fiscal_year=2019, quarter=1, category=InsightCategory.OTHER,
        barrier=None, insights=7,
    ))
    db.session.commit()
    assert tally_rows() != before

    result = app.test_cli_runner().invoke(args=["summaries", "rebuild"])

    assert result.exit_code == 0, result.output
    assert "Summary tallies rebuilt" in result.output
    db.session.rollback()  # read what the command committed
    assert tally_rows() == before


# ---- PostgreSQL: two transactions at once --------------------------------------------------


def postgresql_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite lets one transaction write at a time, so two never interleave")


def new_session(engagement_id: int) -> DialogueSession:
    return DialogueSession(engagement_id=engagement_id, held_on=day("2024-05-10"), duration_minutes=60,
                           format=SessionFormat.VISIT, kind=SessionKind.PRESIDENT_DIALOGUE)


def new_insight(engagement_id: int) -> Insight:
    return Insight(engagement_id=engagement_id, text="Heard twice at once.", holder=InsightHolder.PRESIDENT,
                   category=InsightCategory.BUSINESS, state=InsightState.VOICED, created_at=utc("2024-05-10T03:00"))


def someone_waits_for_a_lock() -> bool:
    """Whether a connection to the test database waits on a lock (a fresh connection
    each look: a transaction sees pg_stat_activity as it was when it first read it)."""
    with db.engine.connect() as watcher:
        return watcher.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )) > 0


def adding(make, engagement_id: int):
    """Work for `while_uncommitted`: add a record to the engagement in a transaction of its own."""

    def add() -> None:
        with Session(bind=db.engine) as second:
            second.connection().execute(sa.text("SET LOCAL lock_timeout = '10s'"))  # fails rather than hangs
            second.add(make(engagement_id))
            second.flush()
            second.commit()

    return add


def while_uncommitted(app, first: Session, work) -> list[Exception]:
    """Run `work` in a thread (with its own app context) while `first` holds flushed,
    uncommitted changes, until it finishes or waits on a lock; then commit `first`
    and let `work` finish. Returns what `work` raised. Nothing hangs: each wait has
    a timeout, and `first` is closed (its locks let go) whatever happens."""
    failures = []

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception as error:  # reported by the test, not lost in the thread
                failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    try:
        thread.start()
        deadline = time.monotonic() + 10
        while thread.is_alive() and not someone_waits_for_a_lock():
            assert time.monotonic() < deadline, "the second transaction neither finished nor waited in 10 s"
            time.sleep(0.02)
        first.commit()
        thread.join(timeout=15)
        assert not thread.is_alive(), "the second transaction did not finish after the first committed"
    finally:
        first.close()
        thread.join(timeout=15)
    return failures


@pytest.mark.parametrize(
    ("make", "shown_as", "second_engagement"),
    [(new_session, "key-figures-sessions", 0), (new_insight, "key-figures-insights", 0),
     (new_session, "key-figures-sessions", 2)],
    ids=["sessions of one engagement", "insights of one engagement", "sessions of two companies of one region"],
)
def test_two_transactions_adding_at_once_are_both_counted(app, world, summary, make, shown_as, second_engagement):
    """A flushes (its rewrite locks the engagement and its region) and stays open;
    B flushes in a thread and must wait; A commits, B goes on and counts both."""
    postgresql_only()
    first_id, second_id = world.engagements[0].id, world.engagements[second_engagement].id
    db.session.commit()
    first = Session(bind=db.engine)
    first.add(make(first_id))
    first.flush()
    assert while_uncommitted(app, first, adding(make, second_id)) == []
    assert_as_recounted("two concurrent transactions")
    assert figure(summary(2024), shown_as) == "2"


def test_a_session_saved_while_its_company_moves_counts_in_the_new_region(app, world, signed_in, admin):
    """A moves the company to another region and stays open; B adds a session to
    the company's engagement meanwhile (it saw the company in the old region)."""
    postgresql_only()
    company_id, engagement_id, new_region = world.companies[1].id, world.engagements[2].id, world.regions[1]
    db.session.commit()
    moving = Session(bind=db.engine)
    move_company(moving.get(Company, company_id), new_region.id)
    moving.flush()
    assert while_uncommitted(app, moving, adding(new_session, engagement_id)) == []
    assert_as_recounted("a session saved while its company moved region")
    page = signed_in(admin).get(f"/summaries/?fy=2024&region={new_region.id}").text
    assert figure(page, "key-figures-sessions") == "1"


def test_the_rebuild_command_run_while_a_user_saves_counts_that_save_once(app, world, summary):
    """`flask summaries rebuild` on a live site: a user's save is flushed (its
    engagement's tallies rewritten) but not yet committed when the command starts."""
    postgresql_only()
    engagement_id = world.engagements[0].id
    InsightFactory(engagement=world.engagements[0], created_at=utc("2024-05-10T03:00"))
    saving = Session(bind=db.engine)
    saving.add(new_insight(engagement_id))
    saving.flush()
    runner = app.test_cli_runner()
    results = []

    def rebuild_command() -> None:
        results.append(runner.invoke(args=["summaries", "rebuild"]))

    assert while_uncommitted(app, saving, rebuild_command) == []
    assert results[0].exit_code == 0, results[0].output
    assert_as_recounted("a rebuild run while an insight was being saved")
    assert figure(summary(2024), "key-figures-insights") == "2"
