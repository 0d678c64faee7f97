"""Bulk import of companies from CSV and XLSX: preview, then import all or nothing."""

from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("imports", __name__, url_prefix="/companies/import")
companies_cli = AppGroup("companies", help="Companies: bulk import.")

from tracker.imports import commands, routes  # noqa: E402, F401
