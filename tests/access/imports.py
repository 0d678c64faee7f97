"""Company import: admins anywhere, managers into their own regions; consultants
and officials 403. An import is its uploader's alone: anyone else's (or a
missing one) is not found."""

from tests.access import statuses


def importers(status, others=403):
    """Admin and manager get `status`; consultant and official `others`."""
    return statuses(admin=status, manager=status, consultant=others, official=others)


ROWS = {
    ("imports.upload", "GET", ""): ("/companies/import/", importers(200)),
    # No file: 422 with the message beside the field.
    ("imports.upload", "POST", ""): ("/companies/import/", importers(422)),
    ("imports.preview", "GET", "missing"): ("/companies/import/999999", importers(404)),
    ("imports.confirm", "POST", "missing"): ("/companies/import/999999", importers(404)),
    ("imports.status", "GET", "missing"): ("/companies/import/999999/status", importers(404)),
}
