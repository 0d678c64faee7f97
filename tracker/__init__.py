"""Bansō Tracker: records of companion-style support for regional core companies."""

import os
import sys
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS
from tracker.routing import guard_request_values

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, handlers."""
    app = Flask(
        __name__,
        template_folder=ROOT / "templates",
        static_folder=ROOT / "static",
        instance_path=str(ROOT / "instance"),
    )
    config_name = config_name or os.environ.get("TRACKER_CONFIG", "development")
    app.config.from_object(CONFIGS[config_name])
    app.config.update(overrides or {})
    check_required_settings(app)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=1, x_host=1)

    register_extensions(app)
    guard_request_values(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def check_required_settings(app: Flask) -> None:
    """Production refuses to start without its secrets; development makes its own."""
    missing = [name for name in app.config.get("REQUIRED_ENVIRONMENT", ()) if not os.environ.get(name)]
    if missing:
        sys.exit(f"Refusing to start in production: {', '.join(missing)} not set in the environment.")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = development_secret(Path(app.instance_path))


def development_secret(instance: Path) -> str:
    """A random key kept in instance/ so development sign-ins survive restarts."""
    import secrets

    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (every table known to the metadata)
    from tracker.audit.trail import configure_audit_log
    from tracker.auth.sessions import load_user
    from tracker.extensions import babel, csrf, db, login_manager, migrate
    from tracker.i18n import select_locale

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are checked on the server instead
    login_manager.request_loader(lambda _request: load_user())
    configure_audit_log(app)


def register_blueprints(app: Flask) -> None:
    from tracker import (
        actions,
        admin,
        audit,
        auth,
        companies,
        engagements,
        health,
        home,
        imports,
        insights,
        outcomes,
        pipeline,
        profile,
        review,
        search,
        sessions,
        summaries,
        support,
    )

    features = (health, auth, home, admin, audit, profile, imports, companies, engagements, sessions, insights,
                actions, support, pipeline, review, summaries, outcomes, search)
    for feature in features:
        app.register_blueprint(feature.bp)


def register_request_hooks(app: Flask) -> None:
    from tracker.errors import register_error_handlers
    from tracker.i18n import language_context, remember_language_choice
    from tracker.navigation import menu_for_current_user
    from tracker.security import set_security_headers
    from tracker.timing import register_server_timing

    app.before_request(remember_language_choice)
    app.after_request(set_security_headers)
    app.context_processor(menu_for_current_user)
    app.context_processor(language_context)
    register_error_handlers(app)
    register_server_timing(app)


def register_commands(app: Flask) -> None:
    from tracker.admin.commands import users_cli
    from tracker.audit.commands import audit_cli
    from tracker.backup import backup_cli
    from tracker.demo import demo_cli
    from tracker.grants import security_cli
    from tracker.imports import companies_cli
    from tracker.summaries import summaries_cli

    for group in (users_cli, demo_cli, companies_cli, backup_cli, summaries_cli, audit_cli, security_cli):
        app.cli.add_command(group)
