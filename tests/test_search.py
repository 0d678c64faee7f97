"""Search in notes: what managers and consultants find, and what they never find."""

import re

import pytest

from tests import factories
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import Role, Statement
from tracker.search import queries


@pytest.fixture(params=["scope first", "index first"])
def plan(request, monkeypatch):
    """Run a test both ways: scanning the scope, and starting from the text index (SQLite:
    the FTS tables, which also proves the triggers keep them in step with the rows;
    PostgreSQL: the planner free to use the trigram indexes)."""
    index_first = request.param == "index first"
    monkeypatch.setattr(queries, "INDEX_SHARE", 1_000_000 if index_first else 0)
    monkeypatch.setattr(queries, "SMALL_SCOPE", -1 if index_first else 1_000_000)
    return request.param


@pytest.fixture
def signed_in(signed_in):
    """Sign in as conftest does, with the user's language English: the assertions read English."""

    def sign_in(user):
        user.language = "en"
        db.session.commit()
        return signed_in(user)

    return sign_in


@pytest.fixture
def team(manager, consultant, region):
    """An engagement in the region with the consultant on its team."""
    company = factories.CompanyFactory(region=region, name="燕金属工業")
    return factories.EngagementFactory(company=company, team=[(manager, True), (consultant, False)])


def a_session(engagement, notes="", reflection="", next_steps="", statements=(), **fields):
    session = factories.DialogueSessionFactory(
        engagement=engagement, notes=notes, reflection=reflection, next_steps=next_steps, **fields
    )
    for position, text in enumerate(statements):
        db.session.add(Statement(session=session, position=position, text=text))
    db.session.commit()
    return session


def search(client, query, **params):
    response = client.get("/search", query_string={"q": query, "lang": "en", **params})
    assert response.status_code == 200
    return response.text


def result_ids(html: str) -> list[str]:
    return re.findall(r'<li class="card search-result" id="([a-z]+-\d+)"', html)


def test_empty_query_shows_the_box_only(signed_in, consultant):
    html = search(signed_in(consultant), "  ")
    assert 'name="q"' in html
    assert "search-results" not in html and "Nothing found" not in html
    assert "Nothing found for “新工場”." in search(signed_in(consultant), "新工場")


def test_two_and_three_character_japanese_words_are_found(signed_in, consultant, team, plan):
    session = a_session(team, notes="社長から事業承継について伺った。", statements=["後継者はまだ決めていない。"])
    insight = factories.InsightFactory(engagement=team, text="承継の準備が遅れていると社長が気づいた。")
    client = signed_in(consultant)

    html = search(client, "承継")
    assert f"session-{session.id}" in html and f"insight-{insight.id}" in html
    assert "事業<mark>承継</mark>について" in html

    html = search(client, "後継者")
    assert result_ids(html) == [f"statement-{session.statements[0].id}"]
    assert "<mark>後継者</mark>はまだ" in html
    assert f'/sessions/{session.id}#statements' in html

    assert result_ids(search(client, "新工場")) == []


def test_english_is_found_whatever_the_case(signed_in, consultant, team, plan):
    session = a_session(team, reflection="We talked too much about KAIZEN.")
    html = search(signed_in(consultant), "kaizen")
    assert result_ids(html) == [f"session-{session.id}"]
    assert "about <mark>KAIZEN</mark>." in html
    assert '<span class="snippet-label">Reflection:</span>' in html


def test_every_word_must_occur_and_every_match_is_marked(signed_in, consultant, team, plan):
    both = a_session(team, notes="品質の話。品質と納期の両方。", next_steps="納期を守る")
    a_session(team, notes="品質だけの話。")
    html = search(signed_in(consultant), "品質　納期")  # a full-width space separates words too
    assert result_ids(html) == [f"session-{both.id}"]
    assert "<mark>品質</mark>の話。<mark>品質</mark>と<mark>納期</mark>の両方。" in html


def test_like_wildcards_are_matched_literally(signed_in, consultant, team, plan):
    percent = a_session(team, notes="稼働率は95%を超えた。")
    a_session(team, notes="稼働率は高い。")
    underscore = a_session(team, notes="ファイル名は plan_v2 とする。")
    client = signed_in(consultant)
    assert result_ids(search(client, "%")) == [f"session-{percent.id}"]
    assert result_ids(search(client, "5%を")) == [f"session-{percent.id}"]
    assert result_ids(search(client, "_")) == [f"session-{underscore.id}"]
    assert result_ids(search(client, "n_v")) == [f"session-{underscore.id}"]


def test_user_text_is_escaped_before_marking(signed_in, consultant, team, plan):
    a_session(team, notes='<script>alert("改善")</script> 改善の<b>提案</b>')
    html = search(signed_in(consultant), "改善")
    assert "<script>alert" not in html and "<b>提案" not in html
    assert "&lt;script&gt;alert(&#34;<mark>改善</mark>&#34;)&lt;/script&gt; <mark>改善</mark>の&lt;b&gt;提案" in html
    html = search(signed_in(consultant), "<b>提案")
    assert "<mark>&lt;b&gt;提案</mark>" in html
    assert 'value="&lt;b&gt;提案"' in html


def _world_texts(world):
    """The same word in the notes, a statement and an insight of every variant."""
    for variant in ("team", "region", "out"):
        session = getattr(world, f"session_{variant}")
        session.notes = f"地域の連携について({variant})"
        db.session.add(Statement(session=session, text=f"連携先を探している({variant})"))
        getattr(world, f"insight_{variant}").text = f"連携が鍵だと気づいた({variant})"
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "visible"), [("consultant", {"team"}), ("manager", {"team", "region"})]
)
def test_scope_is_respected(signed_in, world, role, visible, plan):
    _world_texts(world)
    html = search(signed_in(world.users[role]), "連携")
    found = set(re.findall(r"\((team|region|out)\)", html))
    assert found == visible
    assert len(result_ids(html)) == 3 * len(visible)


@pytest.mark.parametrize("role", ["admin", "official"])
def test_admins_and_officials_have_no_notes_search(signed_in, users, role):
    response = signed_in(users[role]).get("/search", query_string={"q": "連携"})
    assert response.status_code == 403


def test_deleted_records_are_never_shown(signed_in, manager, consultant, region, team, plan):
    kept = a_session(team, notes="設備投資の相談")
    gone = a_session(team, notes="設備投資の相談（削除）", statements=["設備投資したい"])
    gone.deleted_at = utcnow()
    insight = factories.InsightFactory(engagement=team, text="設備投資より人材")
    insight.deleted_at = utcnow()
    for deleted in ("engagement", "company"):
        company = factories.CompanyFactory(region=region)
        engagement = factories.EngagementFactory(company=company, team=[(manager, True), (consultant, False)])
        a_session(engagement, notes=f"設備投資の相談（{deleted}）", statements=["設備投資したい"])
        factories.InsightFactory(engagement=engagement, text="設備投資より人材")
        (engagement if deleted == "engagement" else company).deleted_at = utcnow()
    db.session.commit()
    for user in (manager, consultant):
        html = search(signed_in(user), "設備投資")
        assert result_ids(html) == [f"session-{kept.id}"], user.role
        html = search(signed_in(user), "設備")  # two characters: the scope is scanned
        assert result_ids(html) == [f"session-{kept.id}"], user.role


def test_changed_and_removed_text_is_searched_as_it_is_now(signed_in, consultant, team, plan):
    session = a_session(team, notes="販路開拓の相談")
    session.notes = "人材育成の相談"
    db.session.commit()
    client = signed_in(consultant)
    assert result_ids(search(client, "販路開拓")) == []
    assert result_ids(search(client, "人材育成")) == [f"session-{session.id}"]
    db.session.delete(session)
    db.session.commit()
    assert result_ids(search(client, "人材育成")) == []


def test_results_are_newest_first_and_paginated(signed_in, consultant, team, count_queries):
    from datetime import date, timedelta

    sessions = [a_session(team, notes=f"改善活動 その{n}", held_on=date(2026, 1, 1) + timedelta(days=n))
                for n in range(30)]
    factories.InsightFactory(engagement=team, text="改善活動が定着した")  # created today: the newest
    client = signed_in(consultant)
    with count_queries() as counted:
        html = search(client, "改善活動")
    assert counted.n <= 12, counted.statements
    ids = result_ids(html)
    assert len(ids) == 25
    assert ids[0].startswith("insight-")
    assert ids[1:] == [f"session-{s.id}" for s in reversed(sessions)][:24]
    assert "(31)" in html and "rel=\"next\"" in html
    html = search(client, "改善活動", page=2)
    assert result_ids(html) == [f"session-{s.id}" for s in reversed(sessions)][24:]
    html = search(client, "改善活動", kind="insight")
    assert len(result_ids(html)) == 1
    html = search(client, "改善活動", page=9)
    assert result_ids(html) == [] and "Back to the first page" in html


def test_many_results_are_counted_up_to_a_cap(signed_in, consultant, team, monkeypatch):
    monkeypatch.setattr(queries, "CAP", 3)
    for n in range(5):
        a_session(team, notes=f"資金繰り {n}")
    html = search(signed_in(consultant), "資金繰り")
    assert len(result_ids(html)) == 3
    assert "(3+)" in html


def test_long_queries_are_trimmed(signed_in, consultant, team):
    html = search(signed_in(consultant), "あ" * 150)
    assert 'value="' + "あ" * queries.MAX_QUERY_LENGTH + '"' in html
    assert "Only the first 100 characters are searched." in html


def test_search_is_for_managers_and_consultants_only(signed_in, users):
    assert users["manager"].role == Role.MANAGER
    assert signed_in(users["manager"]).get("/search").status_code == 200


def test_short_words_in_a_large_scope_search_the_newest_records_and_say_so(
    signed_in, manager, team, monkeypatch, plan
):
    from datetime import date

    monkeypatch.setattr(queries, "SCAN_LIMIT", 2)  # the scope's two newest sessions: since 5 February
    old = a_session(team, notes="納期の相談（古い）", held_on=date(2026, 1, 5), statements=["納期が心配だ"])
    middle = a_session(team, notes="品質の相談", held_on=date(2026, 2, 5))
    new = a_session(team, notes="品質と納期", held_on=date(2026, 3, 5), statements=["納期は守れる"])
    old_insight = factories.InsightFactory(engagement=team, text="納期より品質")
    old_insight.created_at = utcnow().replace(year=2025, month=12)
    new_insight = factories.InsightFactory(engagement=team, text="納期を約束しすぎている")
    db.session.commit()
    client = signed_in(manager)
    note = "Words of one or two characters were looked for only in the records since"

    html = search(client, "納期")  # two characters: only the records since the second newest session
    assert set(result_ids(html)) == {
        f"session-{new.id}", f"statement-{new.statements[0].id}", f"insight-{new_insight.id}"
    }
    assert note in html and "(the newest 2 sessions of your cases)" in html
    assert "Type 3 or more characters to search all records." in html

    html = search(client, "納期の")  # three characters: everything, and no note
    assert result_ids(html) == [f"session-{old.id}"]
    assert note not in html
    assert result_ids(search(client, "納期が")) == [f"statement-{old.statements[0].id}"]
    assert result_ids(search(client, "納期より")) == [f"insight-{old_insight.id}"]

    html = search(client, "品質", kind="session")
    assert result_ids(html) == [f"session-{new.id}", f"session-{middle.id}"]

    monkeypatch.setattr(queries, "CAP", 1)  # the newest records already fill the count: nothing to say
    html = search(client, "品質", kind="session")
    assert "(1+)" in html and note not in html


def test_a_consultants_small_scope_is_searched_whole_for_short_words(signed_in, consultant, team):
    from datetime import date

    sessions = [a_session(team, notes=f"納期 {n}", held_on=date(2025, 1, 1 + n)) for n in range(5)]
    html = search(signed_in(consultant), "納期")
    assert result_ids(html) == [f"session-{s.id}" for s in reversed(sessions)]
    assert "were looked for only in the records since" not in html


@pytest.mark.parametrize("words", ["設備投資", "設備", "設備投資 更新"])
def test_a_manager_search_runs_a_bounded_number_of_statements(signed_in, manager, team, count_queries, plan, words):
    for n in range(3):
        a_session(team, notes=f"設備投資と更新 {n}", statements=["設備の更新が要る"])
    factories.InsightFactory(engagement=team, text="設備投資の更新時期")
    client = signed_in(manager)
    with count_queries() as counted:
        html = search(client, words)
    assert counted.n <= 12, counted.statements
    assert len(result_ids(html)) >= 4


def test_latin_letters_in_a_japanese_word_match_whatever_their_case(signed_in, consultant, team, plan):
    session = a_session(team, notes="来期はDx推進を掲げる。")
    html = search(signed_in(consultant), "dX推進")
    assert result_ids(html) == [f"session-{session.id}"]
    assert "<mark>Dx推進</mark>" in html
