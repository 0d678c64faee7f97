"""Actions: the list, an action's page, its new/edit forms and progress updates."""

from tests.access.insights import READ, rows, write

# An empty post (CSRF token only) is refused field by field: 422.
ROWS = (
    rows("actions.index", "GET", "/engagements/<>/actions", "engagement", READ)
    | rows("actions.show", "GET", "/actions/<>", "action", READ)
    | rows("actions.new", "GET", "/engagements/<>/actions/new", "engagement", write(200))
    | rows("actions.new", "POST", "/engagements/<>/actions/new", "engagement", write(422))
    | rows("actions.edit", "GET", "/actions/<>/edit", "action", write(200))
    | rows("actions.edit", "POST", "/actions/<>/edit", "action", write(422))
    | rows("actions.add_update", "GET", "/actions/<>/updates/new", "action", write(200))
    | rows("actions.add_update", "POST", "/actions/<>/updates/new", "action", write(422))
)
