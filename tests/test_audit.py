"""The audit trail: every kind of event is recorded with who, when, from where, which record
and before/after; only admins browse it; nothing can rewrite it; hostile text stays inert."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests.conftest import login, post
from tests.factories import CompanyFactory, UserFactory
from tests.test_companies import company_form
from tests.test_engagements import phase_form
from tests.test_review import review_post, submitted
from tracker.audit.trail import record_event
from tracker.companies.services import restore_company
from tracker.extensions import db
from tracker.models import AuditEvent, Company, Role

ADDRESS = "127.0.0.1"  # the test client's


def events(action=None) -> list[AuditEvent]:
    """The recorded events (of one action), oldest first, as committed."""
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def last(action, target_type=None) -> AuditEvent:
    found = [e for e in events(action) if target_type is None or e.target_type == target_type]
    assert found, f"no {action} event for {target_type}"
    return found[-1]


def shown_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="event-(\d+)"', html)]


def add_event(**values) -> AuditEvent:
    """An event written straight to the table, for the list and filter tests."""
    event = AuditEvent(**{"at": datetime.now(UTC), "action": "update", "actor_email": "", "address": "",
                          "target_type": "", "detail": "", **values})
    db.session.add(event)
    db.session.commit()
    return event


# ---- signing in and out --------------------------------------------------------------


def test_sign_in_and_sign_out_are_recorded_with_actor_and_address(client, manager):
    assert login(client, manager).status_code == 302
    signed_in = last("sign_in")
    assert (signed_in.actor_id, signed_in.actor_email, signed_in.address) == (manager.id, manager.email, ADDRESS)
    assert post(client, "/auth/sign-out").status_code == 302
    signed_out = last("sign_out")
    assert (signed_out.actor_id, signed_out.address) == (manager.id, ADDRESS)
    assert signed_out.at >= signed_in.at


def test_failed_sign_in_keeps_the_typed_email_but_never_the_password(client, manager):
    assert login(client, manager, password="Wrong-Guess-Password-1").status_code == 401
    assert login(client, SimpleUser("nobody@example.com"), password="Wrong-Guess-Password-2").status_code == 401
    known, unknown = events("sign_in_failed")
    assert (known.actor_email, known.actor_id, known.address) == (manager.email, None, ADDRESS)
    assert unknown.actor_email == "nobody@example.com" and known.detail == "wrong email or password"
    stored = repr([(e.actor_email, e.detail, e.changes) for e in events()])
    assert "Wrong-Guess" not in stored and "sign_in" not in {e.action for e in events()}


def test_a_disabled_account_is_a_failed_sign_in_too(client, app_context):
    disabled = UserFactory(role=Role.CONSULTANT, active=False)
    assert login(client, disabled).status_code == 403
    assert last("sign_in_failed").detail == "account disabled"


class SimpleUser:
    def __init__(self, email):
        self.email = email


# ---- records created, changed, deleted and restored through the real pages ------------------


def test_create_update_delete_and_restore_of_a_company(client, manager, region):
    login(client, manager)
    assert post(client, "/companies/new", company_form(region)).status_code == 302
    company = db.session.scalar(sa.select(Company))
    created = last("create", "Company")
    assert (created.target_id, created.actor_id, created.actor_email, created.address) == (
        company.id, manager.id, manager.email, ADDRESS)
    assert created.changes["name"] == [None, "燕市精密工業株式会社"] and created.changes["employees"] == [None, 120]
    assert "updated_at" not in created.changes and "id" not in created.changes

    response = post(client, f"/companies/{company.id}/edit",
                    company_form(region, employees="130", version="1"))
    assert response.status_code == 302
    updated = last("update", "Company")
    assert updated.changes == {"employees": [120, 130]}  # bookkeeping (version, updated_at) left out

    assert post(client, f"/companies/{company.id}/delete").status_code == 302
    deleted = last("delete", "Company")
    assert deleted.target_id == company.id and deleted.actor_id == manager.id
    assert deleted.changes["deleted_at"][0] is None and deleted.changes["deleted_at"][1].startswith("20")
    assert deleted.changes["deleted_by_id"] == [None, manager.id]

    company = db.session.scalars(sa.select(Company).execution_options(include_deleted=True)).one()
    restore_company(company)
    db.session.commit()
    restored = last("restore", "Company")
    assert restored.changes["deleted_at"][1] is None and restored.actor_id is None  # no one signed in here


def test_a_password_change_is_recorded_without_the_hash(client, admin, official):
    old_hash = official.password_hash
    login(client, admin)
    new = {"password": "Another-Long-Passphrase-77", "confirm": "Another-Long-Passphrase-77"}
    assert post(client, f"/admin/users/{official.id}/password", new).status_code == 302
    changed = last("update", "User")
    assert changed.target_id == official.id and changed.actor_id == admin.id
    assert changed.changes["password_hash"] == ["[hidden]", "[hidden]"]
    stored = repr([e.changes for e in events()])
    db.session.refresh(official)
    assert old_hash not in stored and official.password_hash not in stored and "Another-Long" not in stored


def test_one_insert_per_flush_whatever_the_number_of_records(app_context, region, count_queries):
    region_id = region.id
    with count_queries() as counted:
        for number in range(3):
            db.session.add(Company(name=f"会社{number}", kana="", region_id=region_id))
        db.session.flush()
    inserts = [s for s in counted.statements if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")]
    assert len(inserts) == 1 and not any(s.lstrip().upper().startswith("SELECT") for s in counted.statements)
    db.session.commit()
    assert [e.target_type for e in events("create")].count("Company") == 3


# ---- named events: phase change, review, export, refusals ------------------------------------------


def test_phase_change_is_a_named_event_with_before_after_and_reason(client, world, manager):
    engagement = world.engagement_team
    login(client, manager)
    assert post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement)).status_code == 302
    moved = last("phase_change")
    assert (moved.target_type, moved.target_id, moved.actor_id) == ("Engagement", engagement.id, manager.id)
    assert moved.changes["phase"] == ["review", "framing"] and moved.detail == "社長が課題を自分の言葉で語った"
    assert last("update", "Engagement").changes["phase"] == ["review", "framing"]


def test_review_is_a_named_event(client, world, manager, consultant):
    session = submitted(world.engagement_team, consultant)
    login(client, manager)
    response = post(client, f"/review/sessions/{session.id}", review_post(session, "returned", "直してください"))
    assert response.status_code == 302
    reviewed = last("review")
    assert (reviewed.target_type, reviewed.target_id, reviewed.actor_id) == ("DialogueSession", session.id, manager.id)
    assert reviewed.changes == {"state": ["submitted", "returned"], "review_comment": ["", "直してください"]}


@pytest.mark.parametrize(("path", "file"), [
    ("/summaries/export.csv", "summary-fy"), ("/summaries/export.xlsx", "summary-fy"),
    ("/summaries/companies.csv", "companies.csv"),
])
def test_every_export_is_recorded(client, manager, region, path, file):
    login(client, manager)
    assert client.get(path).status_code == 200
    exported = last("export")
    assert exported.actor_id == manager.id and exported.address == ADDRESS
    assert exported.detail.startswith(file) and exported.detail.endswith(f"regions {region.id}")


def test_refused_access_is_recorded(client, consultant):
    login(client, consultant)
    assert client.get("/admin/users").status_code == 403
    refused = last("access_refused")
    assert (refused.actor_id, refused.address, refused.detail) == (consultant.id, ADDRESS, "403 GET /admin/users")


def test_a_look_up_out_of_scope_answers_404_and_is_recorded(client, world, consultant):
    login(client, consultant)
    assert client.get(f"/companies/{world.company_out.id}").status_code == 404
    refused = last("access_refused")
    assert (refused.target_type, refused.target_id, refused.actor_id) == ("Company", world.company_out.id,
                                                                          consultant.id)
    assert refused.detail == f"404 out of scope GET /companies/{world.company_out.id}"
    assert client.get("/companies/999999").status_code == 404  # no such record: nothing to note
    assert len(events("access_refused")) == 1


def test_a_post_without_its_csrf_token_is_recorded(client, manager):
    login(client, manager)
    assert client.post("/companies/new", data={"name": "x"}).status_code == 400
    refused = last("access_refused")
    assert refused.actor_id == manager.id and refused.detail.startswith("CSRF:") and "/companies/new" in refused.detail


# ---- hostile text ----------------------------------------------------------------------------


PAYLOAD = "ok\r\n2026-01-01 admin@example.com sign_in <script>alert(1)</script>"


def test_line_breaks_are_stored_inert_and_html_shown_escaped(app, client, world, manager, admin):
    engagement = world.engagement_team
    login(client, manager)
    post(client, f"/engagements/{engagement.id}/phase", phase_form(engagement, reason=PAYLOAD))
    moved = last("phase_change")
    assert "\r" not in moved.detail and "\n" not in moved.detail
    assert moved.detail.startswith("ok\\r\\n2026-01-01")
    admins = app.test_client()
    login(admins, admin)
    for page in (admins.get("/admin/audit/").text, admins.get(f"/admin/audit/{moved.id}").text):
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_crafted_email_cannot_forge_a_line(client, app_context):
    forged = "x@example.com\r\n2026-01-01 sign_in admin@example.com\u202e"
    assert login(client, SimpleUser(forged), password="Wrong-Guess-Password-3").status_code == 401
    stored = last("sign_in_failed").actor_email
    assert stored == "x@example.com\\r\\n2026-01-01 sign_in admin@example.com\\u202e"


def test_changed_values_are_shown_escaped_in_the_before_after_table(client, admin, region):
    company = CompanyFactory(region=region, name="<img src=x onerror=alert(1)>")
    login(client, admin)
    page = client.get(f"/admin/audit/{last('create', 'Company').id}").text
    assert 'id="event-changes"' in page and company.name not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


# ---- the table refuses rewriting -------------------------------------------------------------


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET detail = 'rewritten'", "DELETE FROM audit_events"])
def test_the_database_refuses_update_and_delete(app_context, statement):
    record_event("sign_in", detail="kept")
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text(statement))
    assert [e.detail for e in events()] == ["kept"]


def test_postgresql_refuses_truncate(app_context):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE audit_events"))


def test_removing_an_account_keeps_its_events_and_email(app_context, consultant):
    record_event("sign_in", actor=consultant)
    db.session.commit()
    email = consultant.email
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM user_regions WHERE user_id = :id"), {"id": consultant.id})
        connection.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": consultant.id})
    [event] = events("sign_in")
    assert (event.actor_id, event.actor_email) == (None, email)


def test_there_is_no_route_that_edits_or_deletes_events(app):
    methods = {method for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")
               for method in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}


# ---- the admins' pages -------------------------------------------------------------------------


def test_only_admins_see_the_trail(app, client, manager, admin):
    event = add_event(action="sign_in", actor_email=admin.email)
    login(client, manager)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get(f"/admin/audit/{event.id}").status_code == 403
    admins = app.test_client()
    login(admins, admin)
    page = admins.get("/admin/audit/")
    assert page.status_code == 200 and f'id="event-{event.id}"' in page.text


def test_list_is_newest_first_and_paginated_keeping_the_filters(client, admin):
    older = [add_event(action="export", detail=f"file {n}") for n in range(30)]
    login(client, admin)
    first = client.get("/admin/audit/?action=export").text
    assert shown_ids(first) == [e.id for e in reversed(older)][:25]
    assert "/admin/audit/?page=2&amp;action=export" in first or "/admin/audit/?action=export&amp;page=2" in first
    second = client.get("/admin/audit/?action=export&page=2").text
    assert shown_ids(second) == [e.id for e in reversed(older)][25:]


def test_filters_by_action_actor_record_dates_and_address(client, admin):
    morning_jst = datetime(2026, 2, 28, 15, 30, tzinfo=UTC)  # 1 March 00:30 in Tokyo
    a = add_event(action="export", actor_email="Mina@Example.com", address="10.0.0.7", at=morning_jst)
    b = add_event(action="update", actor_email="aiko@example.com", address="192.168.1.20",
                  target_type="Company", target_id=7, at=datetime(2026, 3, 5, 1, 0, tzinfo=UTC))
    c = add_event(action="update", actor_email="mina@example.com", address="192.168.2.1",
                  target_type="Insight", target_id=7, at=datetime(2026, 3, 10, 1, 0, tzinfo=UTC))
    login(client, admin)

    def found(query):
        response = client.get(f"/admin/audit/?{query}")
        assert response.status_code == 200, response.text
        return set(shown_ids(response.text)) & {a.id, b.id, c.id}

    assert found("action=update") == {b.id, c.id}
    assert found("actor=MINA") == {a.id, c.id}
    assert found("record_type=Company&record_id=7") == {b.id}
    assert found("record_id=7") == {b.id, c.id}
    assert found("date_from=2026-03-01&date_to=2026-03-05") == {a.id, b.id}
    assert found("date_to=2026-02-28") == set()
    assert found("address=192.168.1.") == {b.id}
    assert found("actor=%25") == set()  # a typed % is a character, not a wildcard


@pytest.mark.parametrize(("query", "field"), [
    ("date_from=2026-03-05&date_to=2026-03-01", "date_to"),
    ("record_id=abc", "record_id"),
    ("date_from=yesterday", "date_from"),
    ("action=drop_table", "action"),
])
def test_bad_filters_are_explained_beside_the_field(client, admin, query, field):
    login(client, admin)
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 422 and f'id="{field}-error"' in response.text


def test_event_page_shows_before_and_after(client, admin):
    event = add_event(action="update", target_type="Company", target_id=3,
                      changes={"employees": [120, 130], "region_ids": [[1], [1, 2]]})
    login(client, admin)
    page = client.get(f"/admin/audit/{event.id}").text
    table = page[page.index('id="event-changes"'):]
    assert re.search(r"employees</th>\s*<td>120</td><td>130</td>", table)
    assert re.search(r"region_ids</th>\s*<td>1</td><td>1, 2</td>", table)
    assert client.get("/admin/audit/999999").status_code == 404


def test_list_runs_a_bounded_number_of_queries(client, admin, count_queries):
    login(client, admin)
    client.get("/admin/audit/")  # the session's first touch happens here, not below
    add_event(action="sign_in")
    with count_queries() as few:
        client.get("/admin/audit/?actor=example")
    for n in range(40):
        add_event(action="sign_in", actor_email=f"user{n}@example.com")
    with count_queries() as many:
        client.get("/admin/audit/?actor=example")
    assert many.n == few.n <= 4
