"""Companies: the list, profiles, the company form and contacts.

Profiles: admin all; manager, consultant and official their own regions
(officials a summary). Create and edit: admin, manager and consultant in their
own regions; officials 403 in their region, 404 outside it.
"""

from tests.access import signed_in, statuses


def editors(status):
    """Admin, manager and consultant get `status`; the official 403."""
    return statuses(admin=status, manager=status, consultant=status, official=403)


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
    elif variant == "missing":
        view = form = post = signed_in(404)
    else:
        view, form, post = signed_in(200), editors(200), editors(422)
    ROWS |= {
        ("companies.show", "GET", variant): (f"/companies/{company}", view),
        ("companies.edit", "GET", variant): (f"/companies/{company}/edit", form),
        ("companies.edit", "POST", variant): (f"/companies/{company}/edit", post),
        ("companies.new_contact", "GET", variant): (f"/companies/{company}/contacts/new", form),
        ("companies.new_contact", "POST", variant): (f"/companies/{company}/contacts/new", post),
        ("companies.edit_contact", "GET", variant): (f"/companies/{company}/contacts/{contact}/edit", form),
        ("companies.edit_contact", "POST", variant): (f"/companies/{company}/contacts/{contact}/edit", post),
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
