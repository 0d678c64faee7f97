"""The page each role lands on after signing in."""

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.home import bp
from tracker.models import Role, User

TEMPLATES = {
    Role.ADMIN: "home/admin.html",
    Role.MANAGER: "home/manager.html",
    Role.CONSULTANT: "home/consultant.html",
    Role.OFFICIAL: "home/official.html",
}


@bp.get("/")
@login_required
def index():
    """Home: what this role comes for (later features fill these pages)."""
    context = {}
    if current_user.role == Role.ADMIN:
        rows = db.session.execute(
            sa.select(User.role, User.active, sa.func.count()).group_by(User.role, User.active)
        )
        context = {"counts": {(role, active): n for role, active, n in rows}, "roles": list(Role)}
    return render_template(TEMPLATES[current_user.role], **context)
