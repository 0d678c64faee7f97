"""`flask backup create` / `flask backup restore`: a populated database survives the round trip.

Each test gets a database of its own (a SQLite file; on PostgreSQL a
throw-away database created here, so the shared test database is left alone).
"""

import os
import sqlite3
import stat
import subprocess
from contextlib import closing
from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import database_url
from tests import factories
from tests.conftest import IsolatedClient, login, post
from tests.scratch_databases import BACKENDS, scratch_database
from tracker import create_app
from tracker.audit.trail import record_event
from tracker.backup import postgres
from tracker.backup import sqlite as backup_sqlite
from tracker.extensions import db
from tracker.models import Action, AuditEvent, Company, DialogueSession, Insight, Role, Statement, User, UserSession


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path):
    """The URL of an empty database of its own on each backend."""
    with scratch_database(request.param, tmp_path, "backup") as url:
        yield url


@pytest.fixture
def backup_app(database, tmp_path):
    """The application on that database, migrated; backups by default in tmp_path/backups."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database, "BACKUP_DIR": str(tmp_path / "backups")})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def run(app, *args, answer=None):
    """`flask backup ...` as typed on the command line."""
    return app.test_cli_runner().invoke(args=["backup", *args], input=answer)


def populate():
    """Several kinds of records, with Japanese text and NULLs in nullable columns."""
    region = factories.RegionFactory(municipality="燕市", municipality_en="Tsubame")
    manager = factories.UserFactory(role=Role.MANAGER, regions=[region], name="管理 花子")
    consultant = factories.UserFactory(role=Role.CONSULTANT, regions=[region])
    company = factories.CompanyFactory(region=region, name="株式会社燕研磨", employees=None, capital=None)
    president = factories.ContactFactory(company=company, name="燕 一郎")
    engagement = factories.EngagementFactory(company=company, team=[(manager, True), (consultant, False)])
    session = factories.DialogueSessionFactory(engagement=engagement, author=consultant,
                                               notes="「磨きの技術」を次の世代へ。\n改行も残る。", reflection="")
    session.statements.append(Statement(position=0, text="うちの強みは人だ", speaker=president))
    session.statements.append(Statement(position=1, text="話し手不明の言葉", speaker=None))
    factories.InsightFactory(engagement=engagement, barrier=None, text="顧客起点で考える習慣がない")
    factories.ActionFactory(engagement=engagement, owner_contact=president, due_on=None, title="若手の会を作る")
    factories.ActionFactory(engagement=engagement, owner_user=consultant, due_on=date(2026, 3, 31))
    factories.ReferralFactory(engagement=engagement)
    record_event("company.create", company, {"name": [None, company.name]}, actor=manager)
    db.session.commit()


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (as reflected from the database), in primary-key order."""
    engine = sa.create_engine(database_url(url, ""))
    try:
        metadata = sa.MetaData()
        metadata.reflect(bind=engine)
        with engine.connect() as connection:
            return {
                name: [tuple(row) for row in connection.execute(
                    sa.select(table).order_by(*(table.primary_key.columns or table.columns)))]
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def change_everything() -> None:
    """Edits, a delete and an insert after the backup was taken."""
    db.session.scalars(sa.select(Company)).first().name = "書き換えた社名"
    db.session.scalars(sa.select(DialogueSession)).first().notes = "消えるはずの変更"
    db.session.delete(db.session.scalars(sa.select(Insight)).first())
    db.session.execute(sa.delete(Action).where(Action.due_on.is_(None)))
    factories.CompanyFactory(name="後から来た会社")
    db.session.commit()


def test_round_trip_while_another_connection_writes(backup_app, database, tmp_path):
    populate()
    at_backup = snapshot(database)
    assert {"companies", "dialogue_sessions", "statements", "insights", "actions", "audit_events",
            "alembic_version"} <= at_backup.keys()
    assert all(at_backup[name] for name in ("companies", "statements", "actions", "audit_events", "industries"))

    # Online: another connection is in the middle of a write transaction during the backup.
    other = sa.create_engine(database_url(database, "")).connect()
    writing = other.begin()
    other.execute(sa.text("UPDATE companies SET name = '書きかけ、未確定'"))
    output = tmp_path / "copy" / "before-changes.bak"
    created = run(backup_app, "create", "--output", str(output))
    assert created.exit_code == 0, created.output
    assert f"Backup written to {output}" in created.output
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    writing.commit()  # committed after the backup began: not in it
    change_everything()
    assert snapshot(database) != at_backup

    refused = run(backup_app, "restore", str(output), answer="n\n")
    assert refused.exit_code != 0 and "Replace everything" in refused.output
    assert snapshot(database) != at_backup

    restored = run(backup_app, "restore", str(output), "--yes")  # `other` still holds the database open
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output and "flask db upgrade" not in restored.output
    after = snapshot(database)
    # Everything as at the backup, plus the restore's own audit event.
    assert after.pop("audit_events")[:-1] == at_backup.pop("audit_events")
    assert after == at_backup
    # The connection that was open all along reads the restored data.
    assert other.execute(sa.text("SELECT name FROM companies")).scalars().all() == ["株式会社燕研磨"]
    other.close()
    other.engine.dispose()

    # The database as it was before the restore was kept, and restores too.
    safety = sorted((tmp_path / "backups").glob("before-restore-*"))
    assert len(safety) == 1 and str(safety[0]) in restored.output
    assert run(backup_app, "restore", str(safety[0]), "--yes").exit_code == 0
    assert snapshot(database)["companies"] != at_backup["companies"]


def _sign_in_and_back_up(app, output):
    """A manager signed in on a browser, then a backup: (browser, its session cookie)."""
    app.test_client_class = IsolatedClient
    populate()
    manager = db.session.scalar(sa.select(User).where(User.role == Role.MANAGER))
    browser, cookie_name = app.test_client(), app.config["SESSION_COOKIE_NAME"]
    assert login(browser, manager).status_code == 302
    assert run(app, "create", "--output", str(output)).exit_code == 0
    return browser, browser.get_cookie(cookie_name).value


@pytest.mark.parametrize("backup_holds_sign_ins", [False, True], ids=["backup-of-now", "older-backup"])
def test_a_restore_ends_every_session_and_is_audited(backup_app, tmp_path, monkeypatch, backup_holds_sign_ins):
    """A cookie signed out after the backup must not come back to life with the backup's
    user_sessions row; the restore itself stays in the restored audit trail. Backups made
    now hold no sign-in at all; one made before they left them out (simulated) still
    has its sessions ended by the restore."""
    if backup_holds_sign_ins:
        for module in (backup_sqlite, postgres):
            monkeypatch.setattr(module, "SIGN_IN_TABLES", ())
    output = tmp_path / "signed-in.bak"
    browser, cookie = _sign_in_and_back_up(backup_app, output)
    post(browser, "/auth/sign-out")

    restored = run(backup_app, "restore", str(output), "--yes")
    assert restored.exit_code == 0, restored.output
    replay = backup_app.test_client()
    replay.set_cookie(backup_app.config["SESSION_COOKIE_NAME"], cookie)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/sign-in")
    db.session.expire_all()
    assert db.session.scalars(sa.select(UserSession)).all() == []
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "database_restore")).all()
    revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    assert (event.actor_id, event.target_type) == (None, "")
    assert str(output.resolve()) in event.detail and f"schema revision {revision}" in event.detail
    assert event.detail.endswith(f"sessions ended: {int(backup_holds_sign_ins)}")


def test_a_backup_holds_no_sign_in(backup_app, database, tmp_path):
    """The rows of live sessions (and forms kept over an expired sign-in) never go into a
    backup file, where a copy of it could bring them back; the rest is there."""
    output = tmp_path / "no-sign-ins.bak"
    _sign_in_and_back_up(backup_app, output)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
    if database.startswith("sqlite"):
        with closing(sqlite3.connect(output)) as backup:
            counts = {table: backup.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                      for table in ("user_sessions", "pending_forms", "users")}
        assert counts["user_sessions"] == counts["pending_forms"] == 0 and counts["users"] > 0
    else:
        listing = subprocess.run([postgres.tool("pg_restore"), "--list", str(output)], capture_output=True, text=True,
                                 check=True).stdout
        assert "TABLE DATA public users " in listing
        assert "TABLE DATA public user_sessions " not in listing
        assert "TABLE DATA public pending_forms " not in listing


def test_default_name_and_folder(backup_app, tmp_path):
    populate()
    created = run(backup_app, "create")
    assert created.exit_code == 0, created.output
    [path] = (tmp_path / "backups").iterdir()
    assert path.name.startswith("tracker-") and path.suffix in (".sqlite3", ".dump")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = run(backup_app, "create", "--output", str(path))
    assert again.exit_code != 0 and "already exists" in again.output


@pytest.fixture
def usual_umask():
    """The common umask 022, under which a folder made without a mode is 0755."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_output_folders_are_made_private(backup_app, tmp_path, usual_umask):
    output = tmp_path / "new" / "deeper" / "monday.bak"
    created = run(backup_app, "create", "--output", str(output))
    assert created.exit_code == 0, created.output
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (output, output.parent, output.parent.parent)}
    assert modes == {"monday.bak": 0o600, "deeper": 0o700, "new": 0o700}


def test_the_default_folder_and_its_missing_parents_are_private(tmp_path, usual_umask):
    folder = tmp_path / "srv" / "backups"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}",
                                 "BACKUP_DIR": str(folder)})
    with app.app_context():
        upgrade()
        assert run(app, "create").exit_code == 0
        db.engine.dispose()
    assert [stat.S_IMODE(path.stat().st_mode) for path in (folder, folder.parent)] == [0o700, 0o700]


def test_sqlite_backup_is_one_consistent_file_and_restore_keeps_wal(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "BACKUP_DIR": str(tmp_path / "backups")})
    with app.app_context():
        upgrade()
        populate()
        output = tmp_path / "copy.sqlite3"
        assert run(app, "create", "--output", str(output)).exit_code == 0
        copy = sqlite3.connect(output)
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy.close()
        assert run(app, "restore", str(output), "--yes").exit_code == 0
        live = sqlite3.connect(tmp_path / "live.sqlite3")
        assert live.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert live.execute("PRAGMA foreign_key_check").fetchall() == []
        live.close()
        db.engine.dispose()


def test_restore_refuses_what_is_not_a_backup_of_this_app(backup_app, database, tmp_path):
    populate()
    before = snapshot(database)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("これはバックアップではない")
    refused = run(backup_app, "restore", str(garbage), "--yes")
    assert refused.exit_code != 0 and "Error:" in refused.output
    other_database = tmp_path / "other.sqlite3"
    with sqlite3.connect(other_database) as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    if backup_app.extensions["sqlalchemy"].engine.dialect.name == "sqlite":
        refused = run(backup_app, "restore", str(other_database), "--yes")
        assert refused.exit_code != 0 and "not a backup of this application" in refused.output
    missing = run(backup_app, "restore", str(tmp_path / "nothing.bak"), "--yes")
    assert missing.exit_code != 0 and "There is no file" in missing.output
    assert snapshot(database) == before
    assert not (tmp_path / "backups").exists()  # nothing ran far enough to take a safety copy


def _set_revision(path, revision: str) -> None:
    """Pretend the backup was made at another schema revision."""
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.close()


def test_restore_says_to_upgrade_an_older_schema_and_refuses_a_newer_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "BACKUP_DIR": str(tmp_path / "backups")})
    with app.app_context():
        upgrade()
        output = tmp_path / "copy.sqlite3"
        assert run(app, "create", "--output", str(output)).exit_code == 0
        _set_revision(output, "0006")
        older = run(app, "restore", str(output), "--yes")
        assert older.exit_code == 0, older.output
        assert "schema revision 0006" in older.output and "flask db upgrade" in older.output
        _set_revision(output, "9999")
        newer = run(app, "restore", str(output), "--yes")
        assert newer.exit_code != 0 and "made by a newer version" in newer.output
        db.engine.dispose()


def test_pg_credentials_go_through_the_environment(monkeypatch, tmp_path):
    calls = []

    def fake_run(command, env, **_kwargs):
        """Record the call instead of running pg_dump."""
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, b"", b"")

    monkeypatch.setattr(postgres.subprocess, "run", fake_run)
    monkeypatch.setattr(postgres.shutil, "which", lambda name: f"/usr/bin/{name}")
    url = "postgresql+psycopg://tracker:pa%3Ass%20word@db.example.jp:6543/tracker_prod?sslmode=require"
    postgres.create(url, tmp_path / "out.dump")
    [(command, env)] = calls
    assert not any("pa:ss word" in part or "pa%3Ass" in part for part in command)
    assert command[1] == "--format=custom"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGDATABASE"], env["PGSSLMODE"]) \
        == ("db.example.jp", "6543", "tracker", "pa:ss word", "tracker_prod", "require")


def test_missing_pg_dump_is_said_plainly(monkeypatch, tmp_path):
    monkeypatch.setattr(postgres.shutil, "which", lambda _name: None)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/none"})
    with app.app_context():
        result = run(app, "create", "--output", str(tmp_path / "x.dump"))
    assert result.exit_code != 0
    assert "pg_dump was not found" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "x.dump").exists()
