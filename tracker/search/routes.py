"""Search pages: one box, results typed and newest first (GET: it changes nothing)."""

from flask import current_app, render_template, request
from flask_login import current_user

from tracker.permissions import allowed, can_search_notes
from tracker.search import bp
from tracker.search.queries import KINDS, MAX_QUERY_LENGTH, find, parse_query
from tracker.search.results import KIND_LABELS, result_page


def _page_number() -> int:
    """?page=, a positive number; anything else is the first page."""
    page = request.args.get("page", type=int) or 1
    return max(1, page)


@bp.get("")
@allowed(can_search_notes)
def index():
    """The search box and, for a query, a page of results within the user's cases.

    Managers and consultants only: officials never see notes, and admins, who
    may open any record, have no search of the notes (issue 6).
    """
    query = parse_query(request.args.get("q"))
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    results = None
    if query.terms:
        found = find(current_user, query)
        results = result_page(found, query, kind, _page_number(), current_app.config["PER_PAGE"])
    return render_template(
        "search/index.html", query=query, kind=kind, results=results, kinds=KINDS, kind_labels=KIND_LABELS,
        max_length=MAX_QUERY_LENGTH,
    )
