"""The pipeline board: scope per role, filters and counts, the table's order and
pages, attention flags, and moving a phase from the board (with and without script)."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.conftest import post
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import ActionState, Engagement, Phase, PhaseChange, Role
from tracker.pipeline import queries as pipeline_queries
from tracker.pipeline import routes as pipeline_routes
from tracker.sessions.services import delete_session, restore_session


def days_ago(n: int) -> date:
    """A day counted back from today where the teams work (the app's time zone), as the board
    counts: from 15:00 UTC the server's own date is a day behind Japan's."""
    return local_today() - timedelta(days=n)


def cards(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="card-(\d+)"', response.text)]


def table_rows(response) -> list[int]:
    return [int(n) for n in re.findall(r'id="row-(\d+)"', response.text)]


def count(response, phase: str) -> int:
    return int(re.search(rf'id="count-{phase}">(\d+)<', response.text).group(1))


def flagged(response, kind: str) -> set[int]:
    return {int(n) for n in re.findall(rf'id="flag-{kind}-(\d+)"', response.text)}


def engagement(region, lead, *, phase=Phase.REVIEW, since=30, started=120, name=None, **extra):
    company = factories.CompanyFactory(region=region, **({"name": name, "kana": ""} if name else {}))
    return factories.EngagementFactory(
        company=company, team=[(lead, True)], phase=phase, phase_since=days_ago(since), started_on=days_ago(started),
        **extra,
    )


# ---- scope -------------------------------------------------------------------------


def test_manager_sees_the_engagements_of_their_regions(world, signed_in):
    response = signed_in(world.users["manager"]).get("/pipeline/")
    assert response.status_code == 200
    assert set(cards(response)) == {world.ids["engagement_team"], world.ids["engagement_region"]}


def test_consultant_sees_only_the_engagements_they_are_on(world, signed_in):
    response = signed_in(world.users["consultant"]).get("/pipeline/")
    assert cards(response) == [world.ids["engagement_team"]]
    assert 'class="move-form"' not in response.text  # consultants do not move phases


def test_admin_sees_every_engagement(world, signed_in):
    response = signed_in(world.users["admin"]).get("/pipeline/?view=table")
    assert set(table_rows(response)) == {world.ids[f"engagement_{v}"] for v in ("team", "region", "out")}


def test_official_may_not_use_the_pipeline(world, signed_in):
    client = signed_in(world.users["official"])
    assert client.get("/pipeline/").status_code == 403
    assert 'href="/pipeline/"' not in client.get("/").text


def test_the_menu_offers_the_pipeline_to_managers(world, signed_in):
    assert 'href="/pipeline/"' in signed_in(world.users["manager"]).get("/").text


# ---- filters and counts --------------------------------------------------------------


@pytest.fixture
def spread(manager, region, other_region):
    """Engagements in the manager's region in several phases, one closed, and one out of scope."""
    manager.regions = [region, other_region]
    db.session.commit()
    member = factories.UserFactory(role=Role.CONSULTANT, regions=[region])
    bank = factories.OrganisationFactory()
    banker = factories.UserFactory(role=Role.CONSULTANT, regions=[region], organisation=bank)
    return {
        "review": engagement(region, manager, phase=Phase.REVIEW),
        "framing": engagement(region, manager, phase=Phase.FRAMING),
        "with_member": factories.EngagementFactory(
            company=factories.CompanyFactory(region=region), team=[(manager, True), (member, False)],
            phase=Phase.REVIEW,
        ),
        "bank_led": engagement(region, banker, phase=Phase.ACCOMPANY),
        "elsewhere": engagement(other_region, manager, phase=Phase.REVIEW),
        "closed": engagement(region, manager, phase=Phase.CLOSED),
        "member": member,
        "bank": bank,
        "region": region,
    }


def test_counts_per_phase_follow_the_filters(spread, manager, signed_in):
    client = signed_in(manager)
    everything = client.get("/pipeline/")
    assert count(everything, "review") == 3
    assert count(everything, "closed") == 1
    assert spread["closed"].id not in cards(everything)  # closed hidden by default
    in_region = client.get(f"/pipeline/?region={spread['region'].id}")
    assert count(in_region, "review") == 2
    assert spread["elsewhere"].id not in cards(in_region)


def test_closed_engagements_shown_on_request(spread, manager, signed_in):
    assert spread["closed"].id in cards(signed_in(manager).get("/pipeline/?closed=1"))


def test_filter_by_team_member_lead_organisation_and_phase(spread, manager, signed_in):
    client = signed_in(manager)
    assert cards(client.get(f"/pipeline/?consultant={spread['member'].id}")) == [spread["with_member"].id]
    assert cards(client.get(f"/pipeline/?organisation={spread['bank'].id}")) == [spread["bank_led"].id]
    framing = client.get("/pipeline/?phase=framing")
    assert cards(framing) == [spread["framing"].id]
    assert count(framing, "review") == 3  # the counts ignore the phase chosen


def test_filter_by_industry_major_and_middle_group(manager, region, signed_in):
    food = engagement(region, manager)
    food.company.industry_code = "09"
    retail = engagement(region, manager)
    retail.company.industry_code = "56"
    db.session.commit()
    client = signed_in(manager)
    assert cards(client.get("/pipeline/?industry=E")) == [food.id]
    assert cards(client.get("/pipeline/?industry=56")) == [retail.id]


def test_filter_lists_show_names_in_the_readers_language(spread, manager, signed_in):
    client = signed_in(manager)
    japanese = client.get("/pipeline/").text
    assert f'<option value="{spread["bank"].id}">{spread["bank"].name}</option>' in japanese
    assert '<option value="E">E 製造業（すべて）</option>' in japanese
    manager.language = "en"
    db.session.commit()
    english = client.get(f"/pipeline/?organisation={spread['bank'].id}&industry=09").text
    assert f'<option value="{spread["bank"].id}" selected>{spread["bank"].name_en}</option>' in english
    assert re.search(r'<option value="E">E [A-Za-z ,]+ \(all\)</option>', english)
    assert re.search(r'<option value="09" selected>&nbsp;&nbsp;09 [A-Za-z ,]+</option>', english)
    member = spread["member"]
    assert f'<option value="{member.id}">{member.name}</option>' in english


def test_values_outside_the_choices_are_ignored(spread, manager, signed_in):
    response = signed_in(manager).get("/pipeline/?region=999999&phase=nonsense&sort=x&view=y&consultant=abc")
    assert response.status_code == 200
    assert len(cards(response)) == 5


# ---- the table -------------------------------------------------------------------------


def test_table_sorts_by_company_and_by_days_in_phase(manager, region, signed_in):
    b = engagement(region, manager, name="B社", since=5)
    a = engagement(region, manager, name="A社", since=50)
    c = engagement(region, manager, name="C社", since=20)
    client = signed_in(manager)
    assert table_rows(client.get("/pipeline/?view=table&sort=company&direction=asc")) == [a.id, b.id, c.id]
    assert table_rows(client.get("/pipeline/?view=table&sort=company&direction=desc")) == [c.id, b.id, a.id]
    assert table_rows(client.get("/pipeline/?view=table&sort=days&direction=desc")) == [a.id, c.id, b.id]
    assert table_rows(client.get("/pipeline/?view=table&sort=days&direction=asc")) == [b.id, c.id, a.id]


def test_table_sorts_by_overdue_actions_and_last_session(manager, region, signed_in):
    quiet, busy, late = (engagement(region, manager) for _ in range(3))
    factories.ActionFactory(engagement=late, due_on=days_ago(3))
    factories.ActionFactory(engagement=late, due_on=days_ago(1))
    factories.ActionFactory(engagement=busy, due_on=days_ago(2))
    factories.DialogueSessionFactory(engagement=busy, held_on=days_ago(1))
    factories.DialogueSessionFactory(engagement=late, held_on=days_ago(10))
    client = signed_in(manager)
    assert table_rows(client.get("/pipeline/?view=table&sort=overdue&direction=desc")) == [late.id, busy.id, quiet.id]
    by_session = table_rows(client.get("/pipeline/?view=table&sort=last_session&direction=desc"))
    assert by_session == [busy.id, late.id, quiet.id]


def test_table_pages_keep_filters_and_order(manager, region, signed_in, app_context, monkeypatch):
    monkeypatch.setitem(app_context.config, "PER_PAGE", 2)
    made = [engagement(region, manager, name=f"{n}社") for n in range(5)]
    client = signed_in(manager)
    first = client.get(f"/pipeline/?view=table&sort=company&direction=asc&region={region.id}")
    assert table_rows(first) == [made[0].id, made[1].id]
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "sort=company" in next_link and f"region={region.id}" in next_link and "view=table" in next_link
    assert table_rows(client.get(next_link)) == [made[2].id, made[3].id]


def test_overdue_actions_stand_out_with_text(manager, region, signed_in):
    late = engagement(region, manager)
    factories.ActionFactory(engagement=late, due_on=days_ago(1))
    factories.ActionFactory(engagement=late, due_on=days_ago(1), state=ActionState.DONE)
    factories.ActionFactory(engagement=late, due_on=local_today() + timedelta(days=3))
    manager.language = "en"
    db.session.commit()
    response = signed_in(manager).get("/pipeline/?view=table")
    row = re.search(rf'<tr id="row-{late.id}".*?</tr>', response.text, re.S).group(0)
    assert 'class="is-overdue"' in row
    assert re.search(r'class="number open-actions">2<', row)
    assert "1 overdue" in row


# ---- attention flags -------------------------------------------------------------------


def test_stalled_engagements_are_flagged(manager, region, signed_in):
    silent = engagement(region, manager, started=100)
    factories.DialogueSessionFactory(engagement=silent, held_on=days_ago(60))
    never = engagement(region, manager, started=90)
    lively = engagement(region, manager, started=300)
    factories.DialogueSessionFactory(engagement=lively, held_on=days_ago(59))
    new = engagement(region, manager, started=10, since=10)
    closed = engagement(region, manager, phase=Phase.CLOSED, started=300)
    response = signed_in(manager).get("/pipeline/?closed=1")
    assert flagged(response, "stalled") == {silent.id, never.id}
    assert not {lively.id, new.id, closed.id} & flagged(response, "stalled")


def test_stalled_follows_the_setting(manager, region, signed_in, app_context, monkeypatch):
    monkeypatch.setitem(app_context.config, "STALLED_AFTER_DAYS", 20)
    case = engagement(region, manager)
    factories.DialogueSessionFactory(engagement=case, held_on=days_ago(21))
    assert flagged(signed_in(manager).get("/pipeline/"), "stalled") == {case.id}


def test_overdue_flag_links_to_acting(manager, region, signed_in):
    late = engagement(region, manager)
    factories.ActionFactory(engagement=late, due_on=days_ago(1))
    response = signed_in(manager).get("/pipeline/")
    assert flagged(response, "overdue") == {late.id}
    item = re.search(rf'<li id="flag-overdue-{late.id}".*?</li>', response.text, re.S).group(0)
    assert f'href="/engagements/{late.id}"' in item
    assert f'href="/engagements/{late.id}/team"' in item
    assert f'href="/engagements/{late.id}/sessions/new"' in item


def test_flags_follow_the_sessions_and_actions_as_they_change(manager, region, signed_in):
    """The flags read stored figures (PipelineTally): each change of a session
    or an action shows on the next board, deletions and restores included."""
    case = engagement(region, manager)
    late = factories.ActionFactory(engagement=case, due_on=days_ago(1))
    client = signed_in(manager)
    assert case.id in flagged(client.get("/pipeline/"), "stalled")
    assert case.id in flagged(client.get("/pipeline/"), "overdue")

    session = factories.DialogueSessionFactory(engagement=case, held_on=days_ago(3))
    late.state = ActionState.DONE
    late.done_on = local_today()
    db.session.commit()
    response = client.get("/pipeline/")
    assert case.id not in flagged(response, "stalled") | flagged(response, "overdue")

    delete_session(session, manager)
    late.state = ActionState.IN_PROGRESS
    late.done_on = None
    db.session.commit()
    response = client.get("/pipeline/")
    assert case.id in flagged(response, "stalled") & flagged(response, "overdue")

    restore_session(session)
    late.due_on = local_today() + timedelta(days=1)
    db.session.commit()
    response = client.get("/pipeline/")
    assert case.id not in flagged(response, "stalled") | flagged(response, "overdue")


def test_long_in_phase_needs_enough_peers(manager, region, signed_in):
    usual = [engagement(region, manager, phase=Phase.FRAMING, since=10) for _ in range(3)]
    slow = engagement(region, manager, phase=Phase.FRAMING, since=100)
    # Only two in review: too few to compare, however long.
    lonely = [engagement(region, manager, phase=Phase.REVIEW, since=days) for days in (5, 200)]
    response = signed_in(manager).get("/pipeline/")
    assert flagged(response, "long_in_phase") == {slow.id}
    assert not {e.id for e in usual + lonely} & flagged(response, "long_in_phase")


def test_a_long_column_shows_the_longest_in_phase_and_links_to_the_table(manager, region, signed_in, monkeypatch):
    monkeypatch.setattr(pipeline_queries, "CARDS_PER_COLUMN", 2)
    monkeypatch.setattr(pipeline_routes, "CARDS_PER_COLUMN", 2)
    cases = [engagement(region, manager, phase=Phase.FRAMING, since=days) for days in (5, 40, 20, 60)]
    manager.language = "en"
    db.session.commit()
    response = signed_in(manager).get("/pipeline/")
    assert cards(response) == [cases[3].id, cases[1].id]  # the two longest in the phase
    assert count(response, "framing") == 4
    more = re.search(r'<p class="more" id="more-framing">.*?</p>', response.text, re.S).group(0)
    assert "All 4 in the table" in more
    assert "view=table" in more and "phase=framing" in more and "sort=days" in more
    assert 'id="more-review"' not in response.text  # a short column has no link
    table = signed_in(manager).get("/pipeline/?view=table&phase=framing&sort=days&direction=desc")
    assert table_rows(table) == [cases[3].id, cases[1].id, cases[2].id, cases[0].id]


def test_flag_lists_show_the_first_few_and_count_them_all(manager, region, signed_in, monkeypatch):
    monkeypatch.setattr(pipeline_queries, "FLAGS_LISTED", 2)
    monkeypatch.setattr(pipeline_routes, "FLAGS_LISTED", 2)
    late = [engagement(region, manager, since=days) for days in (10, 30, 20)]
    for case_ in late:
        factories.ActionFactory(engagement=case_, due_on=days_ago(1))
    manager.language = "en"
    db.session.commit()
    response = signed_in(manager).get("/pipeline/")
    assert flagged(response, "overdue") == {late[1].id, late[2].id}  # longest in phase first
    assert re.search(r'id="flags-overdue">[^<]*<span class="count">\(3\)</span>', response.text)
    more = re.search(r'<p class="more" id="more-flags-overdue">.*?</p>', response.text, re.S).group(0)
    assert "2 of 3 shown" in more and "sort=overdue" in more
    # Every card still carries its flags, listed or not.
    card = re.search(rf'<article[^>]*id="card-{late[0].id}".*?</article>', response.text, re.S).group(0)
    assert "flag-overdue" in card


def card_of(response, engagement_id: int) -> str:
    return re.search(rf'<article[^>]*id="card-{engagement_id}".*?</article>', response.text, re.S).group(0)


def test_cards_show_region_lead_and_organisation_in_the_readers_language(manager, region, signed_in):
    bank = factories.OrganisationFactory(name="地方銀行", name_en="Regional Bank")
    banker = factories.UserFactory(role=Role.CONSULTANT, regions=[region], organisation=bank, name="銀行 担当")
    led = engagement(region, banker)
    unled = factories.EngagementFactory(company=factories.CompanyFactory(region=region), team=[(manager, False)])
    client = signed_in(manager)
    card = card_of(client.get("/pipeline/"), led.id)
    assert "<dt>支援地域</dt>" in card and f"<dd>{region.prefecture}{region.municipality}</dd>" in card
    assert '銀行 担当 <span class="meta">(地方銀行)</span>' in card
    assert "主担当なし" in card_of(client.get("/pipeline/"), unled.id)
    manager.language = "en"
    db.session.commit()
    board = client.get("/pipeline/")
    card = card_of(board, led.id)
    assert "<dt>Region</dt>" in card and f"<dd>{region.municipality_en}, {region.prefecture_en}</dd>" in card
    assert '銀行 担当 <span class="meta">(Regional Bank)</span>' in card
    assert "No lead" in card_of(board, unled.id)
    row = re.search(rf'<tr id="row-{led.id}".*?</tr>', client.get("/pipeline/?view=table").text, re.S).group(0)
    assert 'data-label="Lead">銀行 担当<' in row and 'data-label="Region">' in row


def test_closed_cards_show_the_closing_reason(manager, region, signed_in):
    from tracker.models import ClosingReason

    closed = engagement(region, manager, phase=Phase.CLOSED, closing_reason=ClosingReason.GRADUATED)
    manager.language = "en"
    db.session.commit()
    card = card_of(signed_in(manager).get("/pipeline/?closed=1"), closed.id)
    assert "· Graduated" in card


# ---- moving a phase from the board ---------------------------------------------------------


@pytest.fixture
def case(manager, region):
    return engagement(region, manager, phase=Phase.REVIEW)


def move(client, case, headers=None, **fields):
    data = {"to_phase": "framing", "reason": "社長が課題を自分の言葉で語った", "closing_reason": "",
            "version": str(case.version), "next": "/pipeline/?view=table&region=1"} | fields
    return post(client, f"/pipeline/engagements/{case.id}/phase", data, headers=headers or {})


def test_the_move_form_is_shown_without_script(case, manager, signed_in):
    response = signed_in(manager).get(f"/pipeline/engagements/{case.id}/phase?next=/pipeline/%3Fphase%3Dreview")
    assert response.status_code == 200
    assert re.search(r'<option selected value="framing">|<option value="framing" selected', response.text)
    assert 'name="next" type="hidden" value="/pipeline/?phase=review"' in response.text


def test_board_cards_carry_a_plain_move_form(case, manager, signed_in):
    response = signed_in(manager).get(f"/pipeline/?region={case.company.region_id}")
    card = re.search(rf'<article[^>]*id="card-{case.id}".*?</article>', response.text, re.S).group(0)
    assert f'action="/pipeline/engagements/{case.id}/phase"' in card
    assert f'name="next" value="/pipeline/?region={case.company.region_id}"' in card
    assert 'src="/static/js/pipeline.js"' in response.text
    # Every phase but the current one can be chosen, each with its label.
    options = dict(re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]+)</option>', card))
    assert set(Phase) - {case.phase} <= set(options) and all(options.values())
    assert f'<option value="{case.phase.value}" disabled>' in card


def test_moving_a_phase_returns_to_the_board_with_the_filters(case, manager, signed_in):
    response = move(signed_in(manager), case)
    assert response.status_code == 302
    assert response.headers["Location"] == "/pipeline/?view=table&region=1"
    db.session.refresh(case)
    assert case.phase == Phase.FRAMING and case.phase_since == local_today()
    change = db.session.scalars(sa.select(PhaseChange).where(PhaseChange.engagement_id == case.id)).all()[-1]
    assert change.reason == "社長が課題を自分の言葉で語った" and change.changed_by_id == manager.id


def test_an_unsafe_next_goes_back_to_the_board(case, manager, signed_in):
    response = move(signed_in(manager), case, next="https://evil.example/")
    assert response.headers["Location"] == "/pipeline/"


def test_a_move_needs_a_reason(case, manager, signed_in):
    response = move(signed_in(manager), case, reason="  ")
    assert response.status_code == 422
    assert 'id="reason-error"' in response.text
    assert 'name="next" type="hidden" value="/pipeline/?view=table&amp;region=1"' in response.text
    db.session.refresh(case)
    assert case.phase == Phase.REVIEW


def test_closing_needs_a_closing_reason(case, manager, signed_in):
    client = signed_in(manager)
    response = move(client, case, to_phase="closed", reason="辞退の申し出")
    assert response.status_code == 422
    assert 'id="closing_reason-error"' in response.text
    assert move(client, case, to_phase="closed", reason="辞退の申し出", closing_reason="withdrawn").status_code == 302
    db.session.refresh(case)
    assert case.phase == Phase.CLOSED and case.closing_reason.value == "withdrawn"


def test_a_move_from_an_outdated_board_is_refused(case, manager, signed_in):
    response = move(signed_in(manager), case, version="0")
    assert response.status_code == 409
    assert "社長が課題を自分の言葉で語った" in response.text


def test_the_board_script_gets_json_and_the_new_card(case, manager, signed_in):
    client = signed_in(manager)
    response = move(client, case, headers={"Accept": "application/json"})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["ok"] and answer["phase"] == "framing"
    assert f'id="card-{case.id}"' in answer["card"] and 'data-phase="framing"' in answer["card"]
    refused = move(client, case, to_phase="review", reason="", version=str(answer["version"]),
                   headers={"Accept": "application/json"})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"reason"}


def test_the_moved_card_is_the_card_the_board_shows(case, manager, signed_in):
    """The script's card (one engagement read after the move) and the board's
    (read with the others) come from the same rows and template. (The script's
    card carries no attention flags: a recent session keeps this one unflagged.)"""
    factories.DialogueSessionFactory(engagement=case, held_on=days_ago(2))
    client = signed_in(manager)
    answer = move(client, case, next="/pipeline/", headers={"Accept": "application/json"}).get_json()
    board = client.get("/pipeline/")
    csrf = re.compile(r'name="csrf_token" value="[^"]+"')
    assert csrf.sub("", answer["card"].strip()) == csrf.sub("", card_of(board, case.id))


def test_consultants_may_not_move_phases(world, signed_in):
    client = signed_in(world.users["consultant"])
    engagement_ = db.session.get(Engagement, world.ids["engagement_team"])
    assert move(client, engagement_).status_code == 403


# ---- bounded queries ------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["board", "table"])
def test_the_board_runs_a_bounded_number_of_queries(view, manager, region, signed_in, count_queries):
    client = signed_in(manager)

    def add(n):
        for _ in range(n):
            case_ = engagement(region, manager, since=n)
            factories.DialogueSessionFactory(engagement=case_)
            factories.ActionFactory(engagement=case_, due_on=days_ago(1))

    def queries() -> int:
        with count_queries() as counted:
            assert client.get(f"/pipeline/?view={view}").status_code == 200
        return counted.n

    add(3)
    few = queries()
    add(27)
    assert queries() == few
    assert few <= 12  # the budget per request
