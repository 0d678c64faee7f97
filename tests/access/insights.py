"""Insights: the board, an insight's page, and its new/edit forms.

Also the expectations shared by every case record (insights, actions):
reading follows case_engagements (admins all, managers their regions,
consultants their teams, officials never); writing is the same except that
admins, who may read, get 403.
"""

from tests.access import statuses

READ = {
    "team": statuses(admin=200, manager=200, consultant=200, official=404),
    "region": statuses(admin=200, manager=200, consultant=404, official=404),
    "out": statuses(admin=200, manager=404, consultant=404, official=404),
    "missing": statuses(admin=404, manager=404, consultant=404, official=404),
}


def write(allowed: int) -> dict:
    """Writing: `allowed` where the role may write; admins 403 where they may read."""
    return {
        "team": statuses(admin=403, manager=allowed, consultant=allowed, official=404),
        "region": statuses(admin=403, manager=allowed, consultant=404, official=404),
        "out": statuses(admin=403, manager=404, consultant=404, official=404),
        "missing": statuses(admin=404, manager=404, consultant=404, official=404),
    }


def rows(endpoint: str, method: str, path: str, record: str, expected: dict) -> dict:
    """One row per variant; `<>` in `path` stands for the id of the variant's `record`."""
    return {
        (endpoint, method, variant): (
            path.replace("<>", "999999" if variant == "missing" else f"{{{record}_{variant}}}"),
            expected[variant],
        )
        for variant in expected
    }


# An empty post (CSRF token only) is refused field by field: 422.
ROWS = (
    rows("insights.board", "GET", "/engagements/<>/insights", "engagement", READ)
    | rows("insights.show", "GET", "/insights/<>", "insight", READ)
    | rows("insights.new", "GET", "/engagements/<>/insights/new", "engagement", write(200))
    | rows("insights.new", "POST", "/engagements/<>/insights/new", "engagement", write(422))
    | rows("insights.edit", "GET", "/insights/<>/edit", "insight", write(200))
    | rows("insights.edit", "POST", "/insights/<>/edit", "insight", write(422))
)
