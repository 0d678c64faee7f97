"""Browser fixtures: the app on a live server, driven by Chromium through Playwright.

These tests use their own application (one SQLite file with the demo data
loaded), not the `app` fixture of tests/conftest.py, so they run once rather
than once per database backend. CSRF stays on: the browser submits the real
forms, hidden tokens included.

Chromium comes from the system (Debian's `chromium`), never from
`playwright install`: set CHROMIUM_PATH to use another binary. Without one,
every test here is skipped with a message saying so.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # requirements-dev.txt not installed
    sync_playwright = None

from tracker.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET

HERE = Path(__file__).resolve().parent
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Quiet, offline, and able to run as root in a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCALE = "ja-JP"
TIMEOUT_MS = 10_000


def find_chromium() -> str | None:
    """CHROMIUM_PATH if set, else the first Chromium-like binary on PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if sync_playwright is None:
        return "browser tests skipped: Playwright is not installed (pip install -r requirements-dev.txt)"
    configured = os.environ.get("CHROMIUM_PATH")
    if configured and find_chromium() is None:
        return f"browser tests skipped: CHROMIUM_PATH={configured} is not a file"
    if find_chromium() is None:
        return (
            "browser tests skipped: no Chromium found "
            "(install Debian's chromium or set CHROMIUM_PATH)"
        )
    return None


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser`, and skip them all without Chromium."""
    reason = skip_reason()
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The application on a migrated SQLite file holding the demo data set."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.demo import load_demo_data
    from tracker.extensions import db

    path = tmp_path_factory.mktemp("browser") / "browser.sqlite3"
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with application.app_context():
        upgrade()
        load_demo_data()
        db.session.remove()
        db.engine.dispose()
    LIVE_APPS[:] = [application]
    return application


# The live application, for sign_in() to forget the code last accepted (see there).
LIVE_APPS = []


@pytest.fixture(scope="session")
def base_url(live_app):
    """http://127.0.0.1:<free port>, served by a threaded Werkzeug server."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        """No access log line per request; errors are still reported."""

        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def translate(live_app):
    """`translate("Pipeline", "ja")`: a msgid as the live server renders it.

    Asks the application's own catalogue, so assertions follow the
    translations as they change instead of copying them.
    """
    from flask_babel import force_locale, gettext

    def translated(msgid: str, language: str = "ja") -> str:
        with live_app.test_request_context("/"), force_locale(language):
            return gettext(msgid)

    return translated


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser):
    """`new_page(viewport={...})`: a page in a fresh context (no cookies), closed afterwards."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(locale=LOCALE, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context, Japanese locale, desktop size."""
    return new_page()


def sign_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD):
    """Sign in through the real form and wait for the page it leads to.

    Only ever called with the right password: failures are counted per account
    in the database, and enough of them would lock a demo account for the rest
    of the run.
    """
    page.goto(f"{base_url}/auth/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if page.url.endswith("/auth/code"):
        page.fill("input[name=code]", current_code(email))
        with page.expect_navigation():
            page.click("main form button[type=submit]")
    return page


def current_code(email: str, secret: str = DEMO_TOTP_SECRET) -> str:
    """The demo authenticator's code now, for `email`'s second step.

    The code last accepted for the account is forgotten first: the tests sign the
    same demo manager in several times within one 30-second step, and the app
    never accepts one code twice.
    """
    import pyotp
    import sqlalchemy as sa

    from tracker.extensions import db
    from tracker.models import User

    with LIVE_APPS[0].app_context():
        db.session.execute(sa.update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()
    return pyotp.TOTP(secret).now()
