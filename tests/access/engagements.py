"""Engagements: open one, read it and its journey, edit it, set its team, change its phase.

Reading follows case_engagements (admins all, managers their regions,
consultants their teams, officials never). Managing (open, edit, team,
phase) is for admins everywhere and managers in their regions; a consultant
on the team sees the engagement but may not manage it (403).
"""

from tests.access import statuses

VARIANTS = ("team", "region", "out", "missing")

READ = {
    "team": statuses(admin=200, manager=200, consultant=200, official=404),
    "region": statuses(admin=200, manager=200, consultant=404, official=404),
    "out": statuses(admin=200, manager=404, consultant=404, official=404),
    "missing": statuses(admin=404, manager=404, consultant=404, official=404),
}


def manage(allowed: int) -> dict:
    return {
        "team": statuses(admin=allowed, manager=allowed, consultant=403, official=404),
        "region": statuses(admin=allowed, manager=allowed, consultant=404, official=404),
        "out": statuses(admin=allowed, manager=404, consultant=404, official=404),
        "missing": statuses(admin=404, manager=404, consultant=404, official=404),
    }


def open_engagement(allowed: int) -> dict:
    """The company's profile is visible to every role of its region: in scope, the
    roles that may not open an engagement get 403."""
    return {
        "team": statuses(admin=allowed, manager=allowed, consultant=403, official=403),
        "region": statuses(admin=allowed, manager=allowed, consultant=403, official=403),
        "out": statuses(admin=allowed, manager=404, consultant=404, official=404),
        "missing": statuses(admin=404, manager=404, consultant=404, official=404),
    }


def rows(endpoint: str, method: str, path: str, record: str, expected: dict) -> dict:
    """One row per variant; `<>` in `path` stands for the id of the variant's `record`."""
    return {
        (endpoint, method, variant): (
            path.replace("<>", "999999" if variant == "missing" else f"{{{record}_{variant}}}"),
            expected[variant],
        )
        for variant in VARIANTS
    }


# An empty post (CSRF token only) is refused field by field: 422.
ROWS = (
    rows("engagements.new", "GET", "/companies/<>/engagements/new", "company", open_engagement(200))
    | rows("engagements.new", "POST", "/companies/<>/engagements/new", "company", open_engagement(422))
    | rows("engagements.show", "GET", "/engagements/<>", "engagement", READ)
    | rows("engagements.timeline", "GET", "/engagements/<>/timeline", "engagement", READ)
    | rows("engagements.edit", "GET", "/engagements/<>/edit", "engagement", manage(200))
    | rows("engagements.edit", "POST", "/engagements/<>/edit", "engagement", manage(422))
    | rows("engagements.team", "GET", "/engagements/<>/team", "engagement", manage(200))
    | rows("engagements.team", "POST", "/engagements/<>/team", "engagement", manage(422))
    | rows("engagements.change_phase", "GET", "/engagements/<>/phase", "engagement", manage(200))
    | rows("engagements.change_phase", "POST", "/engagements/<>/phase", "engagement", manage(422))
)
