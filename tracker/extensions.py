"""Every Flask extension object, created once and bound in create_app()."""

import sqlite3

from flask import has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.database import Base


class Database(SQLAlchemy):
    """Flask-SQLAlchemy, reading `?page=` like every other number of the address (tracker.routing)."""

    def paginate(self, select, *, page=None, **kwargs):
        # Flask-SQLAlchemy would int() any length of digits, and an offset past 2**63 fails in SQLite.
        if page is None and has_request_context():
            page = request.args.get("page", 1, type=int)
        return super().paginate(select, page=page, **kwargs)


db = Database(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """WAL for concurrent readers, enforced foreign keys, and a busy timeout.

    The listener is global to SQLAlchemy, so it ignores non-SQLite drivers.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    from flask import current_app, has_app_context

    timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] if has_app_context() else 5000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cursor.close()
