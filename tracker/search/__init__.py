"""Search in the notes: sessions, statements and insights within one's scope."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from tracker.search import routes  # noqa: E402, F401
