"""Session review: the queue and the review page.

Only managers review, in their own regions: admins and consultants get 403
for a session they may read (admins read every session) and 404 for one they
may not; officials never see session records (404) and get 403 on the queue.
The world's sessions are drafts, not waiting for review: a manager in scope
is sent to the session's own page (302) whatever the method; reviewing a
submitted session is tested in tests/test_review.py.
"""

from tests.access import statuses

SESSION_PATHS = {
    "team": "/review/sessions/{session_team}",
    "region": "/review/sessions/{session_region}",
    "out": "/review/sessions/{session_out}",
    "missing": "/review/sessions/999999",
}
NOT_WAITING = 302  # a draft: the manager is sent to sessions.show

EXPECTED = {
    "team": statuses(admin=403, manager=NOT_WAITING, consultant=403, official=404),
    "region": statuses(admin=403, manager=NOT_WAITING, consultant=404, official=404),
    "out": statuses(admin=403, manager=404, consultant=404, official=404),
    "missing": statuses(admin=404, manager=404, consultant=404, official=404),
}

ROWS = {
    ("review.queue", "GET", ""): ("/review/", statuses(admin=403, manager=200, consultant=403, official=403)),
}
ROWS.update({
    ("review.session", method, variant): (path, EXPECTED[variant])
    for method in ("GET", "POST")
    for variant, path in SESSION_PATHS.items()
})
