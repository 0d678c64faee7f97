"""Companies: the list, profiles, the company form and contacts.

Profiles: admin all; manager, consultant and official their own regions
(officials a summary). Create and edit: admin, manager and consultant in their
own regions; officials 403 in their region, 404 outside it. Contacts: admin,
the region's managers and the consultants on the company's team; other
consultants of the region and officials 403, 404 outside the region.
"""

from tests.access import signed_in, statuses


def editors(status):
    """Admin, manager and consultant get `status`; the official 403."""
    return statuses(admin=status, manager=status, consultant=status, official=403)


def contact_editors(variant, status):
    """Admin and manager get `status`; the consultant too on the company's team, else
    403; the official 403."""
    return statuses(admin=status, manager=status, consultant=status if variant == "team" else 403, official=403)


def out_of_scope(admin_status):
    """Another region: only the admin finds the record."""
    return statuses(admin=admin_status, manager=404, consultant=404, official=404)


ROWS = {
    ("companies.index", "GET", ""): ("/companies/", signed_in(200)),
    ("companies.new", "GET", ""): ("/companies/new", editors(200)),
    # An empty form: 422 with messages.
    ("companies.new", "POST", ""): ("/companies/new", editors(422)),
}

for variant in ("team", "region", "out", "missing"):
    company = "999999" if variant == "missing" else f"{{company_{variant}}}"
    contact = "999999" if variant == "missing" else f"{{contact_{variant}}}"
    if variant == "out":
        view, form, post = out_of_scope(200), out_of_scope(200), out_of_scope(422)
        contact_form, contact_post = form, post
    elif variant == "missing":
        view = form = post = contact_form = contact_post = signed_in(404)
    else:
        view, form, post = signed_in(200), editors(200), editors(422)
        # Contacts are the team's (permissions.can_see_contacts): a consultant of the
        # region who is not on the company's team is refused them.
        contact_form, contact_post = contact_editors(variant, 200), contact_editors(variant, 422)
    ROWS |= {
        ("companies.show", "GET", variant): (f"/companies/{company}", view),
        ("companies.edit", "GET", variant): (f"/companies/{company}/edit", form),
        ("companies.edit", "POST", variant): (f"/companies/{company}/edit", post),
        ("companies.new_contact", "GET", variant): (f"/companies/{company}/contacts/new", contact_form),
        ("companies.new_contact", "POST", variant): (f"/companies/{company}/contacts/new", contact_post),
        ("companies.edit_contact", "GET", variant): (
            f"/companies/{company}/contacts/{contact}/edit", contact_form),
        ("companies.edit_contact", "POST", variant): (
            f"/companies/{company}/contacts/{contact}/edit", contact_post),
    }

# A contact that does not exist, of a company in scope: 404 to editors, 403 to the official.
ROWS |= {
    ("companies.edit_contact", "GET", "missing-contact"): (
        "/companies/{company_team}/contacts/999999/edit", editors(404)),
    ("companies.edit_contact", "POST", "missing-contact"): (
        "/companies/{company_team}/contacts/999999/edit", editors(404)),
    # Another company's contact, by the path of a company in scope: not found.
    ("companies.edit_contact", "GET", "foreign-contact"): (
        "/companies/{company_team}/contacts/{contact_region}/edit", editors(404)),
}
