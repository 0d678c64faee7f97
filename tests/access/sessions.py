"""Dialogue sessions: log (new), read (show), edit.

Admins read every session but write none (403 in scope); managers read and
write in their regions; consultants on their teams; officials never (404).
An empty POST is bad input: 422 for those allowed to write.
"""

from tests.access import statuses

WRITE_PATHS = {
    "sessions.new": {
        "team": "/engagements/{engagement_team}/sessions/new",
        "region": "/engagements/{engagement_region}/sessions/new",
        "out": "/engagements/{engagement_out}/sessions/new",
        "missing": "/engagements/999999/sessions/new",
    },
    "sessions.edit": {
        "team": "/sessions/{session_team}/edit",
        "region": "/sessions/{session_region}/edit",
        "out": "/sessions/{session_out}/edit",
        "missing": "/sessions/999999/edit",
    },
}


def _writers(ok: int) -> dict:
    """Expected statuses per variant for a write route; `ok` for those allowed."""
    return {
        "team": statuses(admin=403, manager=ok, consultant=ok, official=404),
        "region": statuses(admin=403, manager=ok, consultant=404, official=404),
        "out": statuses(admin=403, manager=404, consultant=404, official=404),
        "missing": statuses(admin=404, manager=404, consultant=404, official=404),
    }


ROWS = {
    (endpoint, method, variant): (path, _writers(ok)[variant])
    for endpoint, paths in WRITE_PATHS.items()
    for method, ok in (("GET", 200), ("POST", 422))
    for variant, path in paths.items()
}

ROWS.update({
    ("sessions.show", "GET", "team"): (
        "/sessions/{session_team}", statuses(admin=200, manager=200, consultant=200, official=404)),
    ("sessions.show", "GET", "region"): (
        "/sessions/{session_region}", statuses(admin=200, manager=200, consultant=404, official=404)),
    ("sessions.show", "GET", "out"): (
        "/sessions/{session_out}", statuses(admin=200, manager=404, consultant=404, official=404)),
    ("sessions.show", "GET", "missing"): (
        "/sessions/999999", statuses(admin=404, manager=404, consultant=404, official=404)),
})
