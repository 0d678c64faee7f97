"""Signing in and out."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from tracker.auth import routes  # noqa: E402, F401
