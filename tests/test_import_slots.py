"""A burst of uploads cannot take every worker: a file is read only in one of
IMPORT_MAX_CONCURRENT slots kept in the database (one per user), and an upload
that finds none free is refused at once (429, a message beside the file field,
Retry-After, an audit event). tests/test_import_load.py measures the effect on
gunicorn."""

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import UserFactory
from tests.test_import_limits import header_row, xlsx_parts
from tests.test_imports import companies, csv_bytes, real_region, row, upload
from tracker.database import utcnow
from tracker.extensions import db
from tracker.imports import routes
from tracker.imports.slots import NoFreeSlot, take_slot
from tracker.models import AuditEvent, ImportSlot, Role, User

BUSY = "Another file is being read just now, so this one was not read. Choose it again and send it in a minute."


def admin_user():
    return UserFactory(role=Role.ADMIN, all_regions=True, language="en")


@pytest.fixture
def admin(app_context):
    """An admin who reads English, with 燕市 recorded."""
    real_region("新潟県", "燕市")
    return admin_user()


@pytest.fixture
def browser(signed_in, admin):
    return signed_in(admin)


def hold(user, seconds: float = 60, number: int = 1) -> None:
    """A slot held by `user` (as another request would), expiring in `seconds` (past if negative)."""
    db.session.add(ImportSlot(number=number, holder="elsewhere", user_id=user.id,
                              expires_at=utcnow() + timedelta(seconds=seconds)))
    db.session.commit()


def slots() -> list[tuple[int, int]]:
    """The slots held now, as (number, user id), read on a connection of their own."""
    with db.engine.connect() as connection:
        return connection.execute(sa.select(ImportSlot.number, ImportSlot.user_id).order_by("number")).all()


def busy(response) -> str:
    """The message beside the file field of an upload refused for want of a slot."""
    assert response.status_code == 429, response.status_code
    assert response.headers["Retry-After"] == "10"
    match = re.search(r'<p class="error" id="file-error">([^<]*)</p>', response.text)
    assert match, "no message beside the file field"
    return match.group(1)


def test_an_upload_while_another_file_is_read_is_refused_at_once(browser, monkeypatch):
    hold(admin_user())
    read = []
    monkeypatch.setattr(routes, "preview_file", lambda *args: read.append(args))
    assert busy(upload(browser, csv_bytes([row(1)]))) == BUSY
    assert read == [], "the file was read without a slot"
    assert 'name="file"' in browser.get("/companies/import/").text
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "throttled")).all()
    assert event.detail == "import: every import slot is taken POST /companies/import/"


def test_the_refusal_is_in_japanese_for_japanese_users(signed_in, app_context):
    real_region("新潟県", "燕市")
    hold(admin_user())
    browser = signed_in(UserFactory(role=Role.ADMIN, all_regions=True, language="ja"))
    assert busy(upload(browser, csv_bytes([row(1)]))).startswith("ほかのファイルを読み込んでいる")


def test_a_slot_whose_request_died_is_taken_over_once_expired(browser):
    hold(admin_user(), seconds=-1)
    response = upload(browser, csv_bytes([row(1)]))
    assert response.status_code == 303, response.status_code
    assert slots() == []


def test_the_file_is_read_inside_a_slot_let_go_after_success(browser, admin, monkeypatch):
    seen = []
    preview_file = routes.preview_file
    monkeypatch.setattr(routes, "preview_file", lambda *args: seen.append(slots()) or preview_file(*args))
    assert upload(browser, csv_bytes([row(1)])).status_code == 303
    assert seen == [[(1, admin.id)]]
    assert slots() == []


def test_the_slot_is_let_go_after_a_refused_file(browser):
    wide = xlsx_parts(header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>')
    assert upload(browser, wide, "wide.xlsx").status_code == 422
    assert slots() == []
    # and after a failure nobody foresaw
    broken = RuntimeError("the reader broke")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routes, "preview_file", lambda *args: (_ for _ in ()).throw(broken))
        with pytest.raises(RuntimeError):
            upload(browser, csv_bytes([row(1)]))
    assert slots() == []
    assert upload(browser, csv_bytes([row(1)])).status_code == 303


def test_one_user_holds_one_slot_whatever_the_limit(app, browser, admin, monkeypatch):
    """With more slots, other users read files side by side; one user still reads one at a time."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_CONCURRENT", 3)
    hold(admin, number=2)
    assert busy(upload(browser, csv_bytes([row(1)]))) == BUSY
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "throttled"))
    assert event.detail.startswith("import: the user already reads a file")
    db.session.execute(sa.delete(ImportSlot))
    other = admin_user()
    hold(other, number=2)
    assert upload(browser, csv_bytes([row(1)])).status_code == 303
    assert len(companies()) == 0 and slots() == [(2, other.id)]


def race_for_a_slot(app, user_ids: list[int]) -> list[int | None]:
    """Each user's request tries to take a slot at the same moment, in a thread of its
    own: the slot numbers they got (None: refused)."""
    start, results = threading.Barrier(len(user_ids)), []

    def take(user_id: int):
        with app.app_context():
            start.wait()
            try:
                results.append(take_slot(db.session.get(User, user_id), f"racer-{user_id}", app.config))
            except NoFreeSlot:
                results.append(None)
            db.session.remove()

    threads = [threading.Thread(target=take, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_requests_racing_for_the_last_slot_one_wins(app, app_context):
    """Exactly one INSERT of a slot's number succeeds, on SQLite and PostgreSQL alike (five rounds)."""
    racers = [admin_user().id for _ in range(2)]
    for _round in range(5):
        assert sorted(race_for_a_slot(app, racers), key=str) == [1, None]
        assert len(slots()) == 1
        db.session.execute(sa.delete(ImportSlot))
        db.session.commit()


def test_two_tabs_of_one_user_racing_get_one_slot(app, app_context, monkeypatch):
    """With slots to spare, the unique user still lets one of a user's two uploads in."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_CONCURRENT", 2)
    user_id = admin_user().id
    for _round in range(5):
        assert sorted(race_for_a_slot(app, [user_id, user_id]), key=str) == [1, None]
        db.session.execute(sa.delete(ImportSlot))
        db.session.commit()
