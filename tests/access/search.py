"""Search in notes: managers and consultants; officials never see notes, and admins
have no notes search (issue 6), so both get 403."""

from tests.access import statuses

ROWS = {
    ("search.index", "GET", ""): ("/search", statuses(admin=403, manager=200, consultant=200, official=403)),
    ("search.index", "GET", "query"): (
        "/search?q=%E7%A4%BE%E9%95%B7", statuses(admin=403, manager=200, consultant=200, official=403)
    ),
}
