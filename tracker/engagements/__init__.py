"""Engagements pages."""

from flask import Blueprint

bp = Blueprint("engagements", __name__)

from tracker.engagements import routes  # noqa: E402, F401
