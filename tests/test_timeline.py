"""The company's journey: every event of an engagement in time order, for the team."""

from datetime import timedelta

import pytest
from babel.dates import format_skeleton

from tests.conftest import login, post
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
    ReferralFactory,
)
from tracker.database import utcnow
from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import ActionState, ActionUpdate, InsightState, InsightStateChange, ReferralOutcome


def english(*users):
    for user in users:
        user.language = "en"
    db.session.commit()


def days_ago(n):
    return local_today() - timedelta(days=n)


def story(world, manager, consultant, *, scale=1):
    """A case with every kind of event, `scale` times over, spread over about two months."""
    engagement, contact = world.engagement_team, world.contact_team
    records = {}
    for i in range(scale):
        records["session"] = DialogueSessionFactory(
            engagement=engagement, author=consultant, held_on=days_ago(50 + i), notes="社長の話" + "あ" * 600,
            company_attendees=[contact], team_attendees=[manager, consultant],
        )
        insight = InsightFactory(engagement=engagement, state=InsightState.OWNED, text=f"気づき{i}")
        records["surfaced"] = InsightStateChange(
            insight_id=insight.id, to_state=InsightState.VOICED,
            changed_at=utcnow() - timedelta(days=45, hours=i),
            changed_by_id=consultant.id,
        )
        records["owned"] = InsightStateChange(
            insight_id=insight.id, from_state=InsightState.VOICED, to_state=InsightState.OWNED,
            changed_at=utcnow() - timedelta(days=20, hours=i), changed_by_id=manager.id,
        )
        db.session.add_all([records["surfaced"], records["owned"]])
        action = ActionFactory(
            engagement=engagement, owner_contact=contact, title=f"行動{i}",
            created_at=utcnow() - timedelta(days=40),
        )
        records["action"] = action
        records["update"] = ActionUpdate(
            action_id=action.id, noted_on=days_ago(10), text="試作品が完成した", state=ActionState.DONE,
            author_id=consultant.id,
        )
        db.session.add(records["update"])
        records["referral"] = ReferralFactory(
            engagement=engagement, measure=world.measure, referred_on=days_ago(15), note="大学との共同研究を紹介",
            outcome=ReferralOutcome.IN_USE,
        )
    db.session.commit()
    return records


def test_journey_tells_the_story_in_time_order(client, world, manager, consultant):
    english(manager)
    engagement = world.engagement_team
    records = story(world, manager, consultant)
    login(client, manager)
    moved = post(client, f"/engagements/{engagement.id}/phase", {
        "to_phase": "framing", "changed_on": local_today().isoformat(),
        "reason": "社長が本質的課題を自分の言葉で語った",
        "closing_reason": "", "version": str(engagement.version),
    })
    assert moved.status_code == 302
    page = client.get(f"/engagements/{engagement.id}/timeline")
    assert page.status_code == 200
    html = page.text
    change_id = engagement.phase_changes[-1].id
    order = [
        f'id="event-started-{engagement.id}"',
        f'id="event-session-{records["session"].id}"',
        f'id="event-insight-{records["surfaced"].id}"',
        f'id="event-action-{records["action"].id}"',
        f'id="event-insight-{records["owned"].id}"',
        f'id="event-referral-{records["referral"].id}"',
        f'id="event-action_update-{records["update"].id}"',
        f'id="event-phase-{change_id}"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The phase change by the manager, with its reason and who made it.
    phase = html[positions[-1]:]
    assert "Phase: Review → Framing" in phase and manager.name in phase
    assert "社長が本質的課題を自分の言葉で語った" in phase
    # A session: kind, format, duration, who attended, and only an excerpt of the notes.
    session = html[positions[1]:positions[2]]
    assert "Dialogue with the president" in session and "Visit" in session and "90 minutes" in session
    assert world.contact_team.name in session and consultant.name in session
    assert "社長の話" in session and "あ" * 600 not in session
    assert "Insight surfaced (Voiced by the client)" in html[positions[2]:positions[3]]
    assert "Insight moved: Voiced by the client → Owned" in html[positions[4]:positions[5]]
    assert "State: Done" in html[positions[6]:positions[7]] and "試作品が完成した" in html
    assert "Outcome: In use" in html[positions[5]:positions[6]]
    # Grouped by month, with month headings in the reader's language.
    for day in (days_ago(50), local_today()):
        assert f">{format_skeleton('yMMMM', day, locale='en')}</h2>" in html


def test_opening_an_engagement_starts_its_journey(client, manager, consultant, region):
    from tests.factories import CompanyFactory

    english(manager)
    company = CompanyFactory(region=region)
    login(client, manager)
    response = post(client, f"/companies/{company.id}/engagements/new", {
        "theme": "事業承継を見据えた組織づくり", "referral_source": "bureau", "referral_note": "",
        "started_on": local_today().isoformat(), "phase": "candidate", "lead": str(manager.id),
    })
    page = client.get(response.headers["Location"] + "/timeline").text
    assert "Engagement opened in phase Candidate" in page and "事業承継を見据えた組織づくり" in page
    assert "event-started" not in page


def test_empty_journey_says_so(client, world, admin):
    english(admin)
    login(client, admin)
    page = client.get(f"/engagements/{world.engagement_out.id}/timeline").text
    assert "Engagement started" in page  # even with nothing else, the start is there


@pytest.mark.parametrize("role", ["official"])
def test_officials_never_see_the_journey(client, world, role):
    login(client, world.users[role])
    assert client.get(f"/engagements/{world.engagement_team.id}/timeline").status_code == 404


def test_journey_runs_a_bounded_number_of_queries(client, world, manager, consultant, count_queries):
    english(manager)
    login(client, manager)
    path = f"/engagements/{world.engagement_team.id}/timeline"
    story(world, manager, consultant, scale=1)
    client.get(path)
    with count_queries() as with_few:
        assert client.get(path).status_code == 200
    story(world, manager, consultant, scale=15)
    with count_queries() as with_many:
        assert client.get(path).status_code == 200
    assert with_few.n == with_many.n
    assert with_many.n <= 20


def test_a_long_journey_comes_in_pages_latest_first(client, region, manager, consultant, monkeypatch):
    monkeypatch.setattr("tracker.engagements.timeline.EVENTS_PER_PAGE", 4)
    english(manager)
    engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(manager, True)],
                                   started_on=days_ago(100))
    sessions = [
        DialogueSessionFactory(engagement=engagement, author=consultant, held_on=days_ago(70 - 10 * i))
        for i in range(6)
    ]
    login(client, manager)
    path = f"/engagements/{engagement.id}/timeline"
    latest = client.get(path).text
    shown = [s for s in sessions if f'id="event-session-{s.id}"' in latest]
    assert shown == sessions[2:]  # the latest four, oldest first
    assert latest.index(f'id="event-session-{sessions[2].id}"') < latest.index(f'id="event-session-{sessions[5].id}"')
    assert "Page 1 of 2 (7 events; the latest first)" in latest
    assert f'href="{path}?page=2"' in latest and "Later events" not in latest
    earlier = client.get(f"{path}?page=2").text
    assert 'id="event-started-' in earlier or 'id="event-opened-' in earlier
    assert [s for s in sessions if f'id="event-session-{s.id}"' in earlier] == sessions[:2]
    assert f'href="{path}?page=1"' in earlier and "Earlier events" not in earlier
    assert client.get(f"{path}?page=99").status_code == 200  # past the end: the earliest page


def test_a_page_names_what_its_events_belong_to_even_when_those_are_on_another_page(
    client, region, manager, consultant, monkeypatch
):
    """Only the records of the events on the page are loaded: an update still names its
    action, and a state change its insight, when those were recorded a page earlier."""
    monkeypatch.setattr("tracker.engagements.timeline.EVENTS_PER_PAGE", 2)
    english(manager)
    engagement = EngagementFactory(company=CompanyFactory(region=region), team=[(manager, True)],
                                   started_on=days_ago(100))
    insight = InsightFactory(engagement=engagement, state=InsightState.OWNED, text="後継者育成が本質的課題")
    surfaced, owned = (
        InsightStateChange(insight_id=insight.id, from_state=before, to_state=after,
                           changed_at=utcnow() - timedelta(days=days), changed_by_id=consultant.id)
        for before, after, days in ((None, InsightState.VOICED, 45), (InsightState.VOICED, InsightState.OWNED, 5))
    )
    action = ActionFactory(engagement=engagement, title="幹部候補との月例面談",
                           created_at=utcnow() - timedelta(days=40))
    update = ActionUpdate(action_id=action.id, noted_on=days_ago(10), text="第1回を実施", author_id=consultant.id)
    db.session.add_all([surfaced, owned, update])
    db.session.commit()
    login(client, manager)
    path = f"/engagements/{engagement.id}/timeline"
    latest = client.get(path).text
    assert f'id="event-action_update-{update.id}"' in latest and f'id="event-insight-{owned.id}"' in latest
    assert f'id="event-action-{action.id}"' not in latest and f'id="event-insight-{surfaced.id}"' not in latest
    assert "Progress on “幹部候補との月例面談”" in latest and "第1回を実施" in latest
    assert "Insight moved: Voiced by the client → Owned" in latest and "後継者育成が本質的課題" in latest
    earlier = client.get(f"{path}?page=2").text
    assert f'id="event-action-{action.id}"' in earlier and f'id="event-insight-{surfaced.id}"' in earlier
