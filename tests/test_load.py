"""Under load, behind gunicorn with several workers, on SQLite (WAL) and PostgreSQL:
no acknowledged write is lost, no answer is a 5xx, a worker killed mid-request
loses only that request, and two people saving the same record get a 409.

LOAD_SECONDS (default 60) sets how long the clients write; `-m load` selects
these tests, `-m "not load"` leaves them out.
"""

import os
import re
import signal
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import database_url
from tests import factories
from tests.gunicorn_server import Browser, gunicorn
from tests.load_clients import Seat, Writer, integrity_problems, missing_writes, session_form
from tests.scratch_databases import BACKENDS, scratch_database
from tracker import create_app
from tracker.extensions import db
from tracker.idempotency import new_form_key
from tracker.models import Role

pytestmark = pytest.mark.load

LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", 60))
CLIENTS = 20
WORKERS = 4
CONSULTANTS_PER_ENGAGEMENT = 4  # several clients write to the same engagement at once


def seed(url: str) -> list[Seat]:
    """Migrate and create the people and engagements the clients write to."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    seats = []
    with app.app_context():
        upgrade()
        region = factories.RegionFactory()
        for _ in range(CLIENTS // CONSULTANTS_PER_ENGAGEMENT):
            team = [factories.UserFactory(role=Role.CONSULTANT, regions=[region])
                    for _ in range(CONSULTANTS_PER_ENGAGEMENT)]
            engagement = factories.EngagementFactory(company__region=region,
                                                     team=[(user, n == 0) for n, user in enumerate(team)])
            contact = factories.ContactFactory(company=engagement.company, name="社長 太郎")
            seats += [Seat(user.email, factories.PASSWORD, user.id, engagement.id, contact.id) for user in team]
        db.session.remove()
        db.engine.dispose()
    return seats


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """A fresh database (a SQLite file, or a PostgreSQL database of its own), seeded, behind gunicorn."""
    folder = tmp_path_factory.mktemp(f"load-{request.param}")
    with scratch_database(request.param, folder, "load") as url:
        seats = seed(url)
        with gunicorn(url, WORKERS, folder / "gunicorn.log") as server:
            engine = sa.create_engine(database_url(url, ""))
            yield server, seats, engine
            engine.dispose()


def run_writers(server, seats: list[Seat], seconds: float, during=None) -> list[Writer]:
    """CLIENTS threads writing for `seconds`; `during()` runs meanwhile in this thread."""
    deadline = time.monotonic() + seconds
    writers = [Writer(server.base, seat, deadline) for seat in seats]
    for writer in writers:
        writer.start()
    if during is not None:
        during()
    for writer in writers:
        writer.join(timeout=seconds + 60)
    assert not any(writer.is_alive() for writer in writers), "a client hung"
    return writers


def report(label: str, writers: list[Writer], seconds: float) -> int:
    """Print the throughput (shown with -s) and return the number of acknowledged writes."""
    acknowledged = sum(len(w.sessions) + len(w.actions) for w in writers)
    requests = sum(sum(w.statuses.values()) for w in writers)
    print(f"\n{label}: {acknowledged} writes acknowledged in {seconds:.0f}s "
          f"({acknowledged / seconds:.1f} writes/s, {requests / seconds:.1f} requests/s, "
          f"{CLIENTS} clients, {WORKERS} workers)")
    return acknowledged


def server_errors(writers: list[Writer], server) -> list[str]:
    """5xx answers and anything else unexpected, with the server's log when there are some."""
    unexpected = [line for writer in writers for line in writer.unexpected]
    if unexpected or "Traceback" in server.log_text():
        return unexpected + [server.log_text()[-5000:]]
    return []


def test_many_clients_lose_no_write_and_get_no_500(served):
    server, seats, engine = served
    writers = run_writers(server, seats, LOAD_SECONDS)
    acknowledged = report(f"load on {engine.dialect.name}", writers, LOAD_SECONDS)

    assert server_errors(writers, server) == []
    assert not any(writer.broken for writer in writers)
    assert all(writer.sessions and writer.actions for writer in writers), "every client got writes through"
    assert acknowledged >= CLIENTS * 2
    assert missing_writes(engine, writers) == []
    assert integrity_problems(engine) == []


def test_a_worker_killed_mid_write_loses_only_that_request(served):
    server, seats, engine = served
    seconds = max(15, LOAD_SECONDS // 4)
    killed = {}

    def kill_a_worker():
        """SIGKILL one worker while clients write, then wait for the master to replace it."""
        time.sleep(seconds / 3)  # clients are busy writing by now
        workers = server.worker_pids()
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        killed["at"] = time.monotonic()
        server.wait_for_workers(WORKERS, other_than={victim})
        killed["respawned_at"] = time.monotonic()

    writers = run_writers(server, seats, seconds, during=kill_a_worker)
    report(f"load with a SIGKILL on {engine.dialect.name}", writers, seconds)

    # A sync worker serves one request at a time: at most the one it had is lost.
    broken = [what for writer in writers for what in writer.broken]
    print(f"requests lost with the killed worker: {broken}")
    assert len(broken) <= 1, broken
    assert server_errors(writers, server) == []
    # The master started a new worker and service went on.
    assert any(at > killed["respawned_at"] for writer in writers for at in writer.acknowledged_at)
    after = Writer(server.base, seats[0], deadline=0)  # one more round, once all is quiet
    after.run()
    assert after.sessions and after.actions and not after.unexpected
    writers.append(after)
    assert missing_writes(engine, writers) == []
    assert integrity_problems(engine) == []


VERSION = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _open_form(browser: Browser, path: str) -> tuple[str, str]:
    """GET an edit form: the version it was shown at, and the CSRF token."""
    status, _, page = browser.request(path)
    assert status == 200
    version, token = VERSION.search(page), TOKEN.search(page)
    return version.group(1) or version.group(2), token.group(1) or token.group(2)


def test_two_people_saving_the_same_record_the_second_gets_409_with_its_text_kept(served):
    server, seats, engine = served
    first_seat, second_seat = seats[0], seats[1]  # on the same engagement, each through its own worker
    first, second = Browser(server.base), Browser(server.base)
    assert first.sign_in(first_seat.email, first_seat.password)[0] == 302
    assert second.sign_in(second_seat.email, second_seat.password)[0] == 302

    # An action both open, then both save.
    action_path = f"/engagements/{first_seat.engagement_id}/actions/new"
    token = first.token("/")
    status, headers, _ = first.request(action_path, {
        "csrf_token": token, "form_key": new_form_key(), "title": "共同編集する行動", "description": "", "owner": "",
        "due_on": "", "state": "planned", "version": ""})
    assert status == 302
    edit = headers["Location"] + "/edit"
    first_version, first_token = _open_form(first, edit)
    second_version, second_token = _open_form(second, edit)
    assert first_version == second_version
    common = {"description": "", "owner": "", "due_on": "", "state": "in_progress"}
    saved = first.request(edit, {**common, "csrf_token": first_token, "version": first_version,
                                 "title": "先に保存した題名"})
    assert saved[0] == 302
    status, _, page = second.request(edit, {**common, "csrf_token": second_token, "version": second_version,
                                            "title": "後から保存しようとした題名"})
    assert status == 409
    alert = page.split('id="stale"')[1].split("</div>")[0]
    assert "先に保存した題名" in alert  # what the other person saved
    assert 'value="後から保存しようとした題名"' in page  # what this person typed, kept
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT title FROM actions WHERE title LIKE '%保存%'")) == "先に保存した題名"

    # A dialogue session both open, then both save.
    new_path = f"/engagements/{first_seat.engagement_id}/sessions/new"
    rows = {"statements": ["言葉一", "言葉二"], "insight": "", "action": ""}
    status, headers, _ = first.request(new_path, session_form(first_seat, first.token("/"), "最初のメモ", **rows))
    assert status == 302
    edit = headers["Location"] + "/edit"
    first_version, first_token = _open_form(first, edit)
    second_version, second_token = _open_form(second, edit)
    saved = first.request(edit, session_form(first_seat, first_token, "一人目が直したメモ", version=first_version,
                                             **rows))
    assert saved[0] == 302
    second_form = session_form(second_seat, second_token, "二人目が書いた長いメモ", version=second_version, **rows)
    second_form["team_attendee_ids"] = [str(first_seat.user_id), str(second_seat.user_id)]
    status, _, page = second.request(edit, second_form)
    assert status == 409
    assert 'id="conflict"' in page
    saved_version = page.split('id="saved-version"')[1]
    assert "一人目が直したメモ" in saved_version  # what changed, shown read-only
    assert re.search(r"<textarea[^>]*name=\"notes\"[^>]*>\s*二人目が書いた長いメモ</textarea>", page)
    with engine.connect() as connection:
        notes = connection.scalars(sa.text("SELECT notes FROM dialogue_sessions WHERE notes LIKE '%メモ'")).all()
    assert notes == ["一人目が直したメモ"]
    assert server_errors([], server) == []
