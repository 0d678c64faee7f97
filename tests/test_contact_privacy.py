"""Contacts are personal data for the company's team (DESIGN.md, "What each role may
do"): admins, the managers of its region and the consultants on the team of one of
its engagements see and edit them; other consultants of the region see the company
profile without them (403 on the contact forms); officials never."""

import pytest

from tests.conftest import login, post
from tracker.extensions import db

CONTACT = {"title": "経理部長", "email": "keiri@example.jp", "phone": "0256-11-2233"}


@pytest.fixture
def people(world):
    """Give the world's contacts an e-mail and a phone, so that every detail can be looked for."""
    for contact in (world.contact_team, world.contact_region):
        contact.title, contact.email, contact.phone = CONTACT["title"], CONTACT["email"], CONTACT["phone"]
    db.session.commit()
    return world


def details_shown(page: str, contact) -> list[str]:
    """Which of the contact's details the page shows."""
    return [value for value in (contact.name, contact.title, contact.email, contact.phone) if value in page]


def test_a_consultant_off_the_team_sees_the_profile_without_its_contacts(client, people, consultant):
    company, contact = people.company_region, people.contact_region
    login(client, consultant)
    page = client.get(f"/companies/{company.id}").text
    assert company.name in page  # the profile itself is theirs to read
    assert details_shown(page, contact) == [] and 'id="contacts"' not in page
    assert f"/companies/{company.id}/contacts/" not in page


def test_a_consultant_off_the_team_is_refused_the_contact_forms(client, people, consultant):
    company, contact = people.company_region, people.contact_region
    login(client, consultant)
    edit = f"/companies/{company.id}/contacts/{contact.id}/edit"
    assert client.get(edit).status_code == 403
    assert client.get(f"/companies/{company.id}/contacts/new").status_code == 403
    assert post(client, f"/companies/{company.id}/contacts/new",
                {"name": "新しい人", "side": "president"}).status_code == 403
    response = post(client, edit, {"name": "書き換え", "side": "president"})
    assert response.status_code == 403 and contact.name not in response.text
    db.session.refresh(contact)
    assert contact.name != "書き換え"


def test_a_team_consultant_sees_and_edits_the_contacts(client, people, consultant):
    company, contact = people.company_team, people.contact_team
    login(client, consultant)
    page = client.get(f"/companies/{company.id}").text
    assert details_shown(page, contact) == [contact.name, *CONTACT.values()]
    assert f"/companies/{company.id}/contacts/new" in page
    assert client.get(f"/companies/{company.id}/contacts/{contact.id}/edit").status_code == 200


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_admins_and_the_regions_managers_see_the_contacts(client, people, role):
    login(client, people.users[role])
    page = client.get(f"/companies/{people.company_region.id}").text
    assert details_shown(page, people.contact_region) == [people.contact_region.name, *CONTACT.values()]


def test_officials_never_see_contacts(client, people, official):
    login(client, official)
    for company, contact in ((people.company_team, people.contact_team),
                             (people.company_region, people.contact_region)):
        assert details_shown(client.get(f"/companies/{company.id}").text, contact) == []
        assert client.get(f"/companies/{company.id}/contacts/{contact.id}/edit").status_code == 403
