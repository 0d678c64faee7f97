"""Import pages."""

from tracker.imports import bp  # noqa: F401
