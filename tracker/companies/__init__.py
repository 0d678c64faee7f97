"""Companies pages."""

from flask import Blueprint

bp = Blueprint("companies", __name__, url_prefix="/companies")

from tracker.companies import routes  # noqa: E402, F401
