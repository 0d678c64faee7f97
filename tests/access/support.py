"""Support measures: the catalogue (admin only) and referrals (the team).

Referral writes are case-record writes: managers in their regions,
consultants on the team; admins, who read every case, get 403; officials
never see a case (404).
"""

from tests.access import admin_only, statuses

VARIANTS = ("team", "region", "out", "missing")


def write(allowed: int) -> dict:
    return {
        "team": statuses(admin=403, manager=allowed, consultant=allowed, official=404),
        "region": statuses(admin=403, manager=allowed, consultant=404, official=404),
        "out": statuses(admin=403, manager=404, consultant=404, official=404),
        "missing": statuses(admin=404, manager=404, consultant=404, official=404),
    }


def rows(endpoint: str, method: str, path: str, record: str, expected: dict) -> dict:
    return {
        (endpoint, method, variant): (
            path.replace("<>", "999999" if variant == "missing" else f"{{{record}_{variant}}}"),
            expected[variant],
        )
        for variant in VARIANTS
    }


ROWS = {
    ("support.measures", "GET", ""): ("/admin/measures", admin_only(200)),
    ("support.new_measure", "GET", ""): ("/admin/measures/new", admin_only(200)),
    ("support.new_measure", "POST", ""): ("/admin/measures/new", admin_only(422)),
    ("support.edit_measure", "GET", ""): ("/admin/measures/{measure_id}/edit", admin_only(200)),
    ("support.edit_measure", "POST", ""): ("/admin/measures/{measure_id}/edit", admin_only(422)),
    ("support.edit_measure", "GET", "missing"): ("/admin/measures/999999/edit", admin_only(404)),
    ("support.edit_measure", "POST", "missing"): ("/admin/measures/999999/edit", admin_only(404)),
} | (
    rows("support.new_referral", "GET", "/engagements/<>/referrals/new", "engagement", write(200))
    | rows("support.new_referral", "POST", "/engagements/<>/referrals/new", "engagement", write(422))
    | rows("support.edit_referral", "GET", "/referrals/<>/edit", "referral", write(200))
    | rows("support.edit_referral", "POST", "/referrals/<>/edit", "referral", write(422))
)
