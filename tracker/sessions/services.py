"""Named operations on dialogue sessions: log one, edit it (keeping who changed
what), submit it for review; and the scoped look-ups its pages need."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.actions.services import create_action
from tracker.concurrency import StaleEdit, ensure_fresh
from tracker.database import utcnow
from tracker.engagements.services import ensure_case_restorable
from tracker.extensions import db
from tracker.insights.services import create_insight
from tracker.models import (
    Action,
    Contact,
    DialogueSession,
    Engagement,
    EngagementMember,
    Insight,
    SessionRevision,
    SessionState,
    Statement,
    User,
)
from tracker.models.dialogue import session_team
from tracker.models.insights import insight_sessions
from tracker.permissions import can_edit_session, case_record_or_404, scoped_to_cases

SCALAR_FIELDS = ("held_on", "duration_minutes", "format", "kind", "notes", "reflection", "next_steps")

# ---- look-ups ----------------------------------------------------------------


def session_or_404(user: User, session_id: int) -> DialogueSession:
    """A session within the user's cases, with everything its pages show, or 404."""
    return case_record_or_404(
        user,
        DialogueSession,
        session_id,
        joinedload(DialogueSession.engagement).joinedload(Engagement.company),
        joinedload(DialogueSession.author),
        joinedload(DialogueSession.reviewed_by),
        selectinload(DialogueSession.statements).joinedload(Statement.speaker),
        selectinload(DialogueSession.company_attendees),
        selectinload(DialogueSession.team_attendees),
        selectinload(DialogueSession.revisions).joinedload(SessionRevision.user),
    )


def company_contacts(engagement: Engagement) -> list[Contact]:
    """The people at the engagement's company, to tick as attendees or speakers."""
    query = sa.select(Contact).where(Contact.company_id == engagement.company_id).order_by(Contact.id)
    return list(db.session.scalars(query))


def team_choices(engagement: Engagement, user: User, session: DialogueSession | None = None) -> list[User]:
    """Who may be ticked as a team attendee: the team, the writer (a manager
    may log a session without being on the team) and anyone already ticked."""
    members = sa.select(EngagementMember.user_id).where(EngagementMember.engagement_id == engagement.id)
    wanted = [User.id.in_(members), User.id == user.id]
    if session is not None and session.id is not None:
        ticked = sa.select(session_team.c.user_id).where(session_team.c.session_id == session.id)
        wanted.append(User.id.in_(ticked))
    return list(db.session.scalars(sa.select(User).where(sa.or_(*wanted)).order_by(User.name, User.id)))


def form_choices(engagement: Engagement, user: User, session: DialogueSession | None = None) -> dict:
    """What the session form offers: the company's contacts (attendees, speakers,
    action owners), people to tick as team attendees, and the team members who
    may own a support action (only members: an action stays within its case)."""
    team = team_choices(engagement, user, session)
    member_ids = sa.select(EngagementMember.user_id).where(EngagementMember.engagement_id == engagement.id)
    members = set(db.session.scalars(member_ids))
    return {
        "contacts": company_contacts(engagement),
        "team": team,
        "owners": [person for person in team if person.id in members],
    }


def session_insights(user: User, session: DialogueSession) -> list[Insight]:
    """The insights that surfaced in this session (from the link table's ids: an EXISTS
    per insight made SQLite walk every insight of an admin's country)."""
    linked = sa.select(insight_sessions.c.insight_id).where(insight_sessions.c.session_id == session.id)
    query = scoped_to_cases(user, Insight).where(Insight.id.in_(linked))
    return list(db.session.scalars(query.order_by(Insight.id)))


def session_actions(user: User, session: DialogueSession) -> list[Action]:
    """The actions agreed in this session, with their owners."""
    query = (
        scoped_to_cases(user, Action)
        .where(Action.session_id == session.id)
        .options(joinedload(Action.owner_contact), joinedload(Action.owner_user))
        .order_by(Action.id)
    )
    return list(db.session.scalars(query))


def last_change(session: DialogueSession) -> tuple[User | None, object]:
    """Who saved the session last and when (from its newest revision)."""
    if session.revisions:
        latest = session.revisions[-1]
        return latest.user, latest.recorded_at
    return session.author, session.updated_at


# ---- operations ----------------------------------------------------------------


def save_session(
    engagement: Engagement, user: User, details: dict, *, session: DialogueSession | None = None,
    version=None, submit: bool = False,
) -> DialogueSession:
    """Log a new session or save changes to one, with the insights and actions
    that came up in it, all in the caller's transaction.

    `details` is SessionForm.details(). Changes to an existing session are
    refused with StaleEdit when someone saved it after `version`; otherwise
    they are recorded as a SessionRevision (field: [before, after]).
    """
    choices = form_choices(engagement, user, session)
    contacts = {contact.id: contact for contact in choices["contacts"]}
    team = {person.id: person for person in choices["team"]}
    owners = {person.id: person for person in choices["owners"]}
    writer = team[user.id]
    if session is None:
        session = DialogueSession(engagement=engagement, author=writer, state=SessionState.DRAFT)
        db.session.add(session)
        before = None
    else:
        ensure_fresh(session, version)
        before = snapshot(session)
    with db.session.no_autoflush:  # one flush below, where a concurrent save is caught
        _apply(session, engagement, details, contacts, team)
        if submit:
            submit_session(session, writer)
        if before is not None:
            changes = _changes(before, snapshot(session), details)
            if changes:
                session.updated_at = utcnow()  # a new version even when only statements or attendees changed
                session.revisions.append(SessionRevision(user_id=writer.id, changes=changes))
    _flush(session)
    for row in details["insights"]:
        create_insight(engagement, writer, session=session, **row)
    for row in details["actions"]:
        create_action(engagement, writer, session=session, title=row["title"], due_on=row["due_on"],
                      **_owner(row["owner"], contacts, owners))
    _flush(session)
    return session


def submittable(session: DialogueSession | None) -> bool:
    """A new, draft, submitted or returned session may be (re)submitted; a reviewed one stays reviewed."""
    return session is None or session.state != SessionState.REVIEWED


def submit_session(session: DialogueSession, user: User) -> None:
    """Send the report to the managers for review (again, after a return or changes)."""
    if not can_edit_session(user, session) or not submittable(session):
        raise ValueError("this session cannot be submitted for review")
    session.state = SessionState.SUBMITTED
    session.submitted_at = utcnow()


def snapshot(session: DialogueSession) -> dict:
    """The session's recorded content as plain values, to compare before/after."""
    values = {name: getattr(session, name) for name in SCALAR_FIELDS}
    values["held_on"] = values["held_on"].isoformat()
    values["format"] = session.format.value
    values["kind"] = session.kind.value
    values["state"] = session.state.value
    values["statements"] = [statement_line(statement) for statement in session.statements]
    values["company_attendees"] = sorted(contact.name for contact in session.company_attendees)
    values["team_attendees"] = sorted(member.name for member in session.team_attendees)
    return values


def statement_line(statement: Statement) -> str:
    return f"{statement.speaker.name}: {statement.text}" if statement.speaker else statement.text


def _apply(session, engagement, details, contacts, team) -> None:
    for name in SCALAR_FIELDS:
        setattr(session, name, details[name])
    added = [Contact(company_id=engagement.company_id, **row) for row in details["new_contacts"]]
    db.session.add_all(added)
    ticked = sorted(set(details["contact_ids"]) & contacts.keys())
    session.company_attendees = [contacts[contact_id] for contact_id in ticked] + added
    session.team_attendees = [team[user_id] for user_id in sorted(set(details["user_ids"]) & team.keys())]
    existing = list(session.statements)
    statements = []
    for position, (text, speaker_id) in enumerate(details["statements"]):
        statement = existing[position] if position < len(existing) else Statement()
        statement.position, statement.text, statement.speaker = position, text, contacts.get(speaker_id)
        statements.append(statement)
    session.statements = statements  # rows beyond these are deleted (delete-orphan)


def _changes(before: dict, after: dict, details: dict) -> dict:
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if details["insights"]:
        changes["new_insights"] = [[], [row["text"] for row in details["insights"]]]
    if details["actions"]:
        changes["new_actions"] = [[], [row["title"] for row in details["actions"]]]
    return changes


def _owner(value: str, contacts: dict, members: dict) -> dict:
    """'c-<contact id>' or 'u-<user id>' (the form's owner select) as create_action arguments."""
    kind, _, raw = (value or "").partition("-")
    if not raw.isdigit():
        return {}
    if kind == "c":
        return {"owner_contact": contacts.get(int(raw))}
    if kind == "u":
        return {"owner_user": members.get(int(raw))}
    return {}


def _flush(session: DialogueSession) -> None:
    """Flush, turning a concurrent save caught by the version column into StaleEdit."""
    try:
        db.session.flush()
    except StaleDataError as error:
        db.session.rollback()  # the transaction is spent; nothing of this save is kept
        raise StaleEdit(session) from error


# ---- deleting and restoring ------------------------------------------------------


def delete_session(session: DialogueSession, user: User) -> None:
    """Soft-delete a session report (an admin can restore it)."""
    session.mark_deleted(user, utcnow())


def restore_session(session: DialogueSession) -> None:
    """Bring a session back, unless its engagement or company is deleted (RestoreRefused)."""
    ensure_case_restorable(session.engagement_id)
    session.mark_restored()
