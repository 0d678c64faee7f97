"""Outcome indicators: a company's yearly snapshots and the snapshot form.

Read: admin all; manager own regions; consultant only companies whose team
they are on (403 for others in their region). Write: manager and team
consultant; the admin reads but may not write (403). Officials never see one
company's figures: 404 even in their region. The world has no snapshots, so
the edit form is listed for a missing id only; tests/test_outcomes.py checks
edit permissions on real snapshots.
"""

from tests.access import signed_in, statuses

OFFICIALS_NEVER = 404

ROWS = {
    ("outcomes.edit", "GET", "missing"): ("/outcomes/999999/edit", signed_in(404)),
    ("outcomes.edit", "POST", "missing"): ("/outcomes/999999/edit", signed_in(404)),
}

for variant in ("team", "region", "out", "missing"):
    company = "999999" if variant == "missing" else f"{{company_{variant}}}"
    if variant == "team":
        view = statuses(admin=200, manager=200, consultant=200, official=OFFICIALS_NEVER)
        form = statuses(admin=403, manager=200, consultant=200, official=OFFICIALS_NEVER)
        post = statuses(admin=403, manager=422, consultant=422, official=OFFICIALS_NEVER)
    elif variant == "region":
        view = statuses(admin=200, manager=200, consultant=403, official=OFFICIALS_NEVER)
        form = statuses(admin=403, manager=200, consultant=403, official=OFFICIALS_NEVER)
        post = statuses(admin=403, manager=422, consultant=403, official=OFFICIALS_NEVER)
    elif variant == "out":
        view = statuses(admin=200, manager=404, consultant=404, official=404)
        form = post = statuses(admin=403, manager=404, consultant=404, official=404)
    else:
        view = form = post = signed_in(404)
    ROWS |= {
        ("outcomes.index", "GET", variant): (f"/companies/{company}/outcomes", view),
        ("outcomes.new", "GET", variant): (f"/companies/{company}/outcomes/new", form),
        ("outcomes.new", "POST", variant): (f"/companies/{company}/outcomes/new", post),
    }
