"""Load-test clients that write dialogue sessions and actions through the real
forms, and the checks run on the database afterwards."""

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from tests.gunicorn_server import Browser
from tracker.idempotency import new_form_key

SESSION_LOCATION = re.compile(r"/sessions/(\d+)$")
ACTION_LOCATION = re.compile(r"/actions/(\d+)$")


@dataclass
class Seat:
    """One client: who signs in, and the engagement (with a company contact) it writes to."""

    email: str
    password: str
    user_id: int
    engagement_id: int
    contact_id: int


@dataclass
class SessionWrite:
    notes: str
    statements: list[str]
    insight: str
    action: str


@dataclass
class ActionWrite:
    title: str
    description: str


def session_form(seat: Seat, token: str, notes: str, statements: list[str], insight: str, action: str,
                 version: str = "") -> dict:
    """The session form as a browser posts it: attendees ticked, rows filled, a one-time key as if just shown."""
    return {
        "csrf_token": token, "form_key": new_form_key(), "version": version,
        "held_on": (date.today() - timedelta(days=1)).isoformat(), "duration_minutes": "75",
        "format": "visit", "kind": "president_dialogue",
        "company_attendee_ids": str(seat.contact_id), "team_attendee_ids": str(seat.user_id),
        "notes": notes, "reflection": "聞き切る前に提案しかけた。", "next_steps": "次回は幹部と対話する。",
        "statements-0-text": statements[0], "statements-0-speaker_id": str(seat.contact_id),
        "statements-1-text": statements[1], "statements-1-speaker_id": "0",
        "insights-0-text": insight, "insights-0-holder": "president", "insights-0-category": "organisation",
        "insights-0-barrier": "", "insights-0-state": "voiced",
        "actions-0-title": action, "actions-0-owner": f"c-{seat.contact_id}", "actions-0-due_on": "",
    }


@dataclass(eq=False)  # a thread stays hashable
class Writer(threading.Thread):
    """A consultant logging sessions and actions as fast as the server answers, until `deadline`.

    Every write the server acknowledged (302 to the new record) is kept with
    what was sent, to be looked for in the database afterwards.
    """

    base: str
    seat: Seat
    deadline: float
    sessions: dict[int, SessionWrite] = field(default_factory=dict)
    actions: dict[int, ActionWrite] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    broken: list[tuple[float, str]] = field(default_factory=list)  # (when, what) of connections lost
    acknowledged_at: list[float] = field(default_factory=list)

    def __post_init__(self):
        """The dataclass made the fields; the Thread needs its own set-up too."""
        threading.Thread.__init__(self, daemon=True)

    def run(self) -> None:
        """Sign in, then write a session and an action, again and again, until the deadline."""
        browser = Browser(self.base)
        token = self._sign_in(browser)
        number = 0
        # At least one round, however slow the machine: every client gets to write.
        while token and (number == 0 or time.monotonic() < self.deadline):
            number += 1
            try:
                self._log_session(browser, token, number)
                self._record_action(browser, token, number)
            except OSError as error:  # a worker died with our request: that request only is lost
                self.broken.append((time.monotonic(), repr(error)))

    def _call(self, browser: Browser, path: str, data=None, expected=200):
        """One request; its status counted, anything but `expected` noted."""
        status, headers, body = browser.request(path, data)
        self.statuses[status] += 1
        if status != expected:
            self.unexpected.append(f"{'POST' if data else 'GET'} {path}: {status} {body[:300]!r}")
        return status, headers

    def _sign_in(self, browser: Browser) -> str | None:
        """Sign in through the form (again if a worker died meanwhile); the CSRF token, or None."""
        for _attempt in range(3):
            try:
                status, _, body = browser.sign_in(self.seat.email, self.seat.password)
                self.statuses[status] += 1
                if status != 302:
                    self.unexpected.append(f"sign-in of {self.seat.email}: {status} {body[:300]!r}")
                    return None
                return browser.token("/")
            except OSError as error:
                self.broken.append((time.monotonic(), repr(error)))
        return None

    def _log_session(self, browser: Browser, token: str, number: int) -> None:
        """Open the session form, then log a session with two statements, an insight and an action."""
        seat, tag = self.seat, f"{self.seat.email} #{number}"
        path = f"/engagements/{seat.engagement_id}/sessions/new"
        self._call(browser, path)
        write = SessionWrite(notes=f"負荷試験 {tag}: 社長は後継者の育成について語った。",
                             statements=[f"「人が財産だ」({tag})", f"話し手不明の言葉 ({tag})"],
                             insight=f"育成の仕組みがない ({tag})", action=f"育成計画を作る ({tag})")
        status, headers = self._call(browser, path, session_form(seat, token, write.notes, write.statements,
                                                                 write.insight, write.action), expected=302)
        found = SESSION_LOCATION.search(headers.get("Location", "")) if status == 302 else None
        if found:
            self.sessions[int(found.group(1))] = write
            self.acknowledged_at.append(time.monotonic())

    def _record_action(self, browser: Browser, token: str, number: int) -> None:
        """Record an action through the action form."""
        seat, tag = self.seat, f"{self.seat.email} #{number}"
        path = f"/engagements/{seat.engagement_id}/actions/new"
        write = ActionWrite(title=f"展示会に出展する ({tag})", description=f"担当: 営業部\n期日未定 ({tag})")
        data = {"csrf_token": token, "form_key": new_form_key(), "version": "", "title": write.title,
                "description": write.description, "owner": f"contact-{seat.contact_id}", "due_on": "",
                "state": "planned"}
        status, headers = self._call(browser, path, data, expected=302)
        found = ACTION_LOCATION.search(headers.get("Location", "")) if status == 302 else None
        if found:
            self.actions[int(found.group(1))] = write
            self.acknowledged_at.append(time.monotonic())


def missing_writes(engine: sa.Engine, writers: list[Writer]) -> list[str]:
    """Every acknowledged write that is not in the database as it was sent."""
    problems = []
    with engine.connect() as connection:
        for writer in writers:
            for session_id, write in writer.sessions.items():
                notes = connection.scalar(sa.text(
                    "SELECT notes FROM dialogue_sessions WHERE id = :id AND deleted_at IS NULL"), {"id": session_id})
                statements = connection.scalars(sa.text(
                    "SELECT text FROM statements WHERE session_id = :id ORDER BY position"), {"id": session_id}).all()
                actions = connection.scalars(sa.text(
                    "SELECT title FROM actions WHERE session_id = :id"), {"id": session_id}).all()
                insights = connection.scalars(sa.text(
                    "SELECT i.text FROM insights i JOIN insight_sessions s ON s.insight_id = i.id "
                    "WHERE s.session_id = :id"), {"id": session_id}).all()
                if (notes, statements, actions, insights) != (write.notes, write.statements, [write.action],
                                                              [write.insight]):
                    problems.append(f"session {session_id}: {notes!r} {statements} {actions} {insights}")
            for action_id, write in writer.actions.items():
                row = connection.execute(sa.text(
                    "SELECT title, description FROM actions WHERE id = :id AND deleted_at IS NULL"),
                    {"id": action_id}).one_or_none()
                if row is None or tuple(row) != (write.title, write.description):
                    problems.append(f"action {action_id}: {row}")
    return problems


def integrity_problems(engine: sa.Engine) -> list[str]:
    """What is wrong with the database: SQLite's own checks, orphans, half-written sessions."""
    problems = []
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            verdict = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
            if verdict != ["ok"]:
                problems.append(f"integrity_check: {verdict}")
            problems += [f"foreign_key_check: {row}" for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]
        # A reference to a row that is not there, for every foreign key (PostgreSQL's
        # constraints forbid it; this proves it for both backends alike).
        for table in metadata.sorted_tables:
            for key in table.foreign_key_constraints:
                parent = key.referred_table.alias("parent")  # an alias: some tables refer to themselves
                pairs = [(column, parent.c[element.column.name]) for column, element in
                         zip(key.columns, key.elements, strict=True)]
                orphans = connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(table.outerjoin(parent, sa.and_(*(theirs == ours for ours, theirs in pairs))))
                    .where(*(ours.isnot(None) for ours, _ in pairs), pairs[0][1].is_(None))
                )
                if orphans:
                    problems.append(f"{orphans} rows of {table.name} refer to missing {key.referred_table.name}")
        # Every load-test session was sent with two statements, one insight and one action:
        # a session with fewer was half-written (its transaction was not all or nothing).
        half = connection.execute(sa.text(
            "SELECT s.id, "
            " (SELECT count(*) FROM statements t WHERE t.session_id = s.id),"
            " (SELECT count(*) FROM actions a WHERE a.session_id = s.id),"
            " (SELECT count(*) FROM insight_sessions i WHERE i.session_id = s.id) "
            "FROM dialogue_sessions s WHERE s.notes LIKE '負荷試験 %'")).all()
        problems += [f"half-written session {row}" for row in half if tuple(row[1:]) != (2, 1, 1)]
    return problems
