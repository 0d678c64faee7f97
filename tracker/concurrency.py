"""Optimistic concurrency: a save based on an outdated version is refused.

Every editable record is `Versioned`; its form carries the version it was
shown as a hidden field. `ensure_fresh()` raises StaleEdit when someone else
saved in between; the view then shows the form again with the user's text
kept and the record as it now stands (HTTP 409).
"""


class StaleEdit(Exception):
    """Someone else saved this record after the form was shown."""

    def __init__(self, record):
        super().__init__(f"{type(record).__name__} {record.id} changed")
        self.record = record


def ensure_fresh(record, submitted_version) -> None:
    if str(record.version) != str(submitted_version or ""):
        raise StaleEdit(record)
