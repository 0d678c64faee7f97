"""Audit retention: after AUDIT_CONFIDENTIAL_RETENTION_DAYS the trail keeps every event
but no longer the confidential text; the database lets exactly that update through, once."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.factories import DialogueSessionFactory
from tests.test_audit import events
from tracker.audit.redaction import CONFIDENTIAL, REDACTED, redact_expired
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEvent

SECRET = "社長の本音：後継者がいない"


def old_event(days_ago: int = 800, **values) -> int:
    """Insert an audit event `days_ago` old (inserting is all the table allows); its id."""
    row = {"at": utcnow() - timedelta(days=days_ago), "actor_email": "someone@example.jp", "address": "192.0.2.7",
           "action": "update", "target_type": "DialogueSession", "target_id": 7, "detail": "", **values}
    return db.session.execute(sa.insert(AuditEvent.__table__).values(**row)).inserted_primary_key[0]


def event(event_id: int) -> AuditEvent:
    db.session.expire_all()
    return db.session.get(AuditEvent, event_id)


def redact(app) -> str:
    result = app.test_cli_runner().invoke(args=["audit", "redact"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def trail(app_context):
    """Old and recent events, confidential and not."""
    ids = {
        "notes": old_event(changes={"notes": [SECRET, SECRET + "（追記）"], "duration_minutes": [60, 90]}),
        "created": old_event(action="create", target_type="Contact",
                             changes={"name": [None, "山田 花子"], "side": [None, "president"]}),
        "phase": old_event(action="phase_change", target_type="Engagement", detail=SECRET,
                           changes={"phase": ["review", "framing"]}),
        "company": old_event(target_type="Company", changes={"name": ["旧社名", "新社名"]}),
        "recent": old_event(days_ago=10, changes={"notes": [None, SECRET]}),
    }
    db.session.commit()
    return ids


def test_old_confidential_text_is_redacted_and_the_event_kept(app, trail):
    assert redact(app) == "Redacted 3 audit event(s) older than 730 days.\n"
    notes = event(trail["notes"])
    assert notes.changes == {"notes": [REDACTED, REDACTED], "duration_minutes": [60, 90]}
    assert (notes.action, notes.actor_email, notes.address, notes.target_id) == (
        "update", "someone@example.jp", "192.0.2.7", 7)
    assert notes.redacted_at is not None
    # A create still reads as one (before: nothing); non-confidential values stay.
    assert event(trail["created"]).changes == {"name": [None, REDACTED], "side": [None, "president"]}
    phase = event(trail["phase"])
    assert (phase.detail, phase.changes) == (REDACTED, {"phase": ["review", "framing"]})


def test_recent_and_non_confidential_events_are_untouched(app, trail):
    redact(app)
    recent = event(trail["recent"])
    assert (recent.changes, recent.redacted_at) == ({"notes": [None, SECRET]}, None)
    company = event(trail["company"])
    assert (company.changes, company.redacted_at) == ({"name": ["旧社名", "新社名"]}, None)


def test_a_second_run_redacts_nothing(app, trail):
    redact(app)
    first = event(trail["notes"]).redacted_at
    assert redact(app).startswith("Redacted 0 ")
    assert event(trail["notes"]).redacted_at == first


def test_the_retention_comes_from_the_setting(app, trail):
    app.config["AUDIT_CONFIDENTIAL_RETENTION_DAYS"] = 5
    try:
        assert redact(app).startswith("Redacted 4 ")
    finally:
        app.config["AUDIT_CONFIDENTIAL_RETENTION_DAYS"] = 730
    assert event(trail["recent"]).changes == {"notes": [None, REDACTED]}


def test_a_record_the_application_wrote_is_redacted_too(app_context):
    session = DialogueSessionFactory(notes=SECRET)
    created = [e for e in events("create") if e.target_type == "DialogueSession"][-1]
    copy = old_event(action="create", target_id=session.id, changes=created.changes)
    db.session.commit()
    assert redact_expired(730, now=utcnow()) == 1
    redacted = event(copy).changes
    assert redacted["notes"] == [None, REDACTED] and SECRET not in str(redacted)
    assert redacted["held_on"] == created.changes["held_on"]


def test_concurrent_runs_redact_each_row_once(app, app_context):
    ids = [old_event(changes={"notes": [SECRET, None]}) for _ in range(60)]
    db.session.commit()
    counts = []

    def run():
        with app.app_context():
            counts.append(redact_expired(730, batch_size=7))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == len(ids)
    assert all(event(i).changes == {"notes": [REDACTED, None]} for i in ids)


def test_the_admin_sees_redacted_values_as_redacted(app, client, admin, trail):
    redact(app)
    login(client, admin)
    page = client.get(f"/admin/audit/{trail['notes']}").text
    assert SECRET not in page and REDACTED not in page
    assert page.count("（保存期間経過のため削除）") == 2 and 'id="event-redacted"' in page
    assert "保存期間の設定：730日" in page
    listing = client.get("/admin/audit/?action=phase_change").text
    assert SECRET not in listing and "（保存期間経過のため削除）" in listing


def test_the_confidential_list_names_real_fields(app_context):
    columns = {mapper.class_.__name__: set(mapper.columns.keys()) for mapper in db.Model.registry.mappers}
    for record_type, fields in CONFIDENTIAL.items():
        assert fields <= columns[record_type], record_type


# ---- the table lets the redaction through, and nothing else ------------------------------------

REFUSED = [
    # changes rewritten without saying so
    "UPDATE audit_events SET changes = NULL WHERE id = :id",
    "UPDATE audit_events SET detail = 'x' WHERE id = :id",
    # a redaction that also changes what happened, who, when, or to what
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, changes = NULL, action = 'sign_in' WHERE id = :id",
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, actor_email = 'x' WHERE id = :id",
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, at = CURRENT_TIMESTAMP WHERE id = :id",
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, target_id = 8 WHERE id = :id",
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, actor_id = NULL, address = '' WHERE id = :id",
    "DELETE FROM audit_events WHERE id = :id",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_database_refuses_any_other_update(app_context, statement):
    event_id = old_event(changes={"notes": [SECRET, None]})
    db.session.commit()
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text(statement), {"id": event_id})
    kept = event(event_id)
    assert (kept.changes, kept.action, kept.redacted_at) == ({"notes": [SECRET, None]}, "update", None)


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET redacted_at = CURRENT_TIMESTAMP, changes = NULL WHERE id = :id",
    "UPDATE audit_events SET redacted_at = NULL WHERE id = :id",
    "UPDATE audit_events SET detail = 'again' WHERE id = :id",
    "UPDATE audit_events SET action = 'sign_in' WHERE id = :id",
])
def test_a_redacted_row_cannot_be_changed_again(app_context, statement):
    event_id = old_event(changes={"notes": [SECRET, None]})
    db.session.commit()
    assert redact_expired(730) == 1
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as connection:
        connection.execute(sa.text(statement), {"id": event_id})
    assert event(event_id).changes == {"notes": [REDACTED, None]}


def test_removing_an_account_still_clears_the_actor_of_a_redacted_event(app_context, consultant):
    event_id = old_event(actor_id=consultant.id, changes={"notes": [SECRET, None]})
    db.session.commit()
    redact_expired(730)
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM user_regions WHERE user_id = :id"), {"id": consultant.id})
        connection.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": consultant.id})
    kept = event(event_id)
    assert (kept.actor_id, kept.actor_email, kept.changes) == (None, "someone@example.jp", {"notes": [REDACTED, None]})
