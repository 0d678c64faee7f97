"""Links to pages that other features may not have built yet."""

from flask import current_app, url_for


def url_if_registered(endpoint: str, **values) -> str | None:
    """The URL of `endpoint`, or None while no such page exists (show plain text then)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)
