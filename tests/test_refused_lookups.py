"""Refused look-ups: a record that exists out of the user's scope answers 404 and
leaves exactly one `access_refused` event naming it (ASVS 16.3.2); an id that
names nothing answers 404 and leaves none."""

import pytest
import sqlalchemy as sa

from tests.conftest import login
from tests.factories import UserFactory
from tests.test_outcomes import snapshot
from tracker.extensions import db
from tracker.models import AuditEvent, CompanyImport, Role

MISSING = 999999


def refusals() -> list[AuditEvent]:
    """The committed access_refused events, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "access_refused").order_by(AuditEvent.id)
    ))


def another_managers_import(region) -> CompanyImport:
    """A file kept for import by another manager (a file is its uploader's alone)."""
    uploader = UserFactory(role=Role.MANAGER, regions=[region])
    record = CompanyImport(user_id=uploader.id, filename="companies.csv", cells={"rows": []}, report={})
    db.session.add(record)
    db.session.commit()
    return record


# (record kind, model name, path with {id} (and {company} for a contact), who asks)
KINDS = [
    ("session", "DialogueSession", "/sessions/{id}", "manager"),
    ("session", "DialogueSession", "/sessions/{id}/edit", "consultant"),
    ("engagement", "Engagement", "/engagements/{id}", "manager"),
    ("engagement", "Engagement", "/engagements/{id}/timeline", "consultant"),
    ("engagement", "Engagement", "/engagements/{id}/insights", "consultant"),
    ("insight", "Insight", "/insights/{id}", "manager"),
    ("action", "Action", "/actions/{id}", "consultant"),
    ("referral", "Referral", "/referrals/{id}/edit", "manager"),
    ("company", "Company", "/companies/{id}", "consultant"),
    ("contact", "Contact", "/companies/{company}/contacts/{id}/edit", "manager"),
    ("snapshot", "OutcomeSnapshot", "/outcomes/{id}/edit", "manager"),
    ("company_import", "CompanyImport", "/companies/import/{id}", "manager"),
]


def _out_of_scope(world, region, kind, role) -> int:
    """The id of a record of `kind` that `role` may not reach."""
    if kind == "snapshot":
        return snapshot(world.company_out, 2024).id
    if kind == "company_import":
        return another_managers_import(region).id
    # The consultant is not on the team of the region's case; the manager's regions exclude "out".
    variant = "region" if role == "consultant" and kind not in ("company",) else "out"
    return world.ids[f"{kind}_{variant}"]


@pytest.mark.parametrize(("kind", "model", "path", "role"), KINDS)
def test_an_out_of_scope_look_up_is_refused_once_and_named(client, world, region, kind, model, path, role):
    record_id = _out_of_scope(world, region, kind, role)
    user = world.users[role]
    login(client, user)
    url = path.format(id=record_id, company=world.company_team.id)
    assert client.get(url).status_code == 404
    events = refusals()
    assert [(e.target_type, e.target_id, e.actor_id) for e in events] == [(model, record_id, user.id)]
    assert events[0].detail == f"404 out of scope GET {url}"


@pytest.mark.parametrize(("kind", "model", "path", "role"), KINDS)
def test_an_id_that_names_nothing_is_not_noted(client, world, kind, model, path, role):
    login(client, world.users[role])
    assert client.get(path.format(id=MISSING, company=world.company_team.id)).status_code == 404
    assert refusals() == []


def test_an_official_asking_for_a_companys_outcomes_is_noted(client, world, official):
    """Single-company figures do not exist for officials: 404, and the refusal is kept."""
    login(client, official)
    assert client.get(f"/companies/{world.company_team.id}/outcomes").status_code == 404
    assert [(e.target_type, e.target_id) for e in refusals()] == [("Company", world.company_team.id)]


def test_the_refusal_survives_the_request(client, world, manager):
    """record_refusal commits in a transaction of its own: a fresh connection reads the row."""
    login(client, manager)
    assert client.get(f"/sessions/{world.session_out.id}").status_code == 404
    with db.engine.connect() as connection:
        rows = connection.execute(sa.select(AuditEvent.target_type, AuditEvent.target_id)
                                  .where(AuditEvent.action == "access_refused")).all()
    assert [tuple(row) for row in rows] == [("DialogueSession", world.session_out.id)]
