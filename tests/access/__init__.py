"""Rows of the permission matrix, one module per feature.

Each module defines ROWS: {(endpoint, method, variant): (path, {role: status})}.
`variant` names the record the path points at (see the `world` fixture):
"" for routes without records, "team" (in the consultant's team, in the
manager's and official's region), "region" (in the region, not on the
consultant's team), "out" (in another region), "missing" (no such id).
Paths are format strings over the world's ids: "/companies/{company_team}".
"""

import importlib
import pkgutil

ROLES = ("anonymous", "admin", "manager", "consultant", "official")
SIGN_IN = 302  # anonymous visitors are sent to the sign-in page


def statuses(anonymous=SIGN_IN, *, admin, manager, consultant, official):
    return {"anonymous": anonymous, "admin": admin, "manager": manager, "consultant": consultant,
            "official": official}


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status):
    return statuses(admin=status, manager=status, consultant=status, official=status)


def admin_only(allowed_status):
    return statuses(admin=allowed_status, manager=403, consultant=403, official=403)


def all_rows() -> dict:
    rows = {}
    for module in pkgutil.iter_modules(__path__):
        feature = importlib.import_module(f"{__name__}.{module.name}")
        overlap = rows.keys() & feature.ROWS.keys()
        assert not overlap, f"{module.name} repeats rows: {overlap}"
        rows.update(feature.ROWS)
    return rows
