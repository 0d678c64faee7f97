"""Search pages."""

from tracker.search import bp  # noqa: F401
