"""Named operations on actions."""

from collections.abc import Iterable
from datetime import date

from tracker.database import utcnow
from tracker.engagements.services import ensure_case_restorable, local_today
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    ActionUpdate,
    Contact,
    DialogueSession,
    Engagement,
    Insight,
    Referral,
    User,
)


class OwnerNotOnCase(ValueError):
    """An action's owner is neither a contact of the company nor on the team."""


def create_action(
    engagement: Engagement, user: User, *, title, description="", owner_contact: Contact | None = None,
    owner_user: User | None = None, due_on=None, session: DialogueSession | None = None,
    insights: Iterable[Insight] = (), referrals: Iterable[Referral] = (), state=ActionState.PLANNED,
) -> Action:
    """Record an action the company (or, for a support action, the team) will take."""
    check_owner(engagement, owner_contact, owner_user)
    action = Action(
        engagement=engagement, title=title.strip(), description=(description or "").strip(),
        owner_contact=owner_contact, owner_user=owner_user, due_on=due_on, session=session,
        insights=_own(engagement, insights), referrals=_own(engagement, referrals), state=state,
        done_on=local_today() if state == ActionState.DONE else None, created_by_id=user.id,
    )
    db.session.add(action)
    return action


def change_action(action: Action, user: User, **fields) -> Action:
    """Edit an action: any of title, description, owner_contact and owner_user
    (given together: the one owner or none), due_on, state, insights, referrals."""
    unknown = fields.keys() - {
        "title", "description", "owner_contact", "owner_user", "due_on", "state", "insights", "referrals"
    }
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    if "owner_contact" in fields or "owner_user" in fields:
        contact, member = fields.get("owner_contact"), fields.get("owner_user")
        # Someone who has since left the team may stay the owner they already were.
        if (contact, member) != (action.owner_contact, action.owner_user):
            check_owner(action.engagement, contact, member)
        action.owner_contact, action.owner_user = contact, member
    if "title" in fields:
        action.title = fields["title"].strip()
    if "description" in fields:
        action.description = (fields["description"] or "").strip()
    if "due_on" in fields:
        action.due_on = fields["due_on"]
    for name in ("insights", "referrals"):
        if name in fields:
            records = _own(action.engagement, fields[name])
            if set(records) != set(getattr(action, name)):
                setattr(action, name, records)
                action.updated_at = utcnow()  # an UPDATE of the row, so the version moves too
    if fields.get("state") is not None:
        _move(action, fields["state"], local_today())
    return action


def add_action_update(action: Action, user: User, noted_on: date, text: str, state=None) -> ActionUpdate:
    """Note progress on an action; a new state moves the action (done: done that day)."""
    if noted_on > local_today():
        raise ValueError("a progress update cannot be dated in the future")
    update = ActionUpdate(noted_on=noted_on, text=text.strip(), state=state or None, author_id=user.id)
    action.updates.append(update)
    if state:
        _move(action, state, noted_on)
    return update


def check_owner(engagement: Engagement, contact: Contact | None, member: User | None) -> None:
    """The owner is a contact of the engagement's company or a member of its team."""
    if contact is not None and member is not None:
        raise OwnerNotOnCase("an action has one owner")
    if contact is not None and contact.company_id != engagement.company_id:
        raise OwnerNotOnCase("the contact is not of this company")
    if member is not None and not any(_is(m, member) for m in engagement.members):
        raise OwnerNotOnCase("the user is not on this engagement's team")


def _is(membership, user: User) -> bool:
    # A membership added in the same request has no user_id until it is flushed.
    return membership.user is user if membership.user_id is None else membership.user_id == user.id


def _move(action: Action, state: ActionState, on: date) -> None:
    """Change the state; done_on says when it was done, and only while it is."""
    if state == ActionState.DONE and (action.state != ActionState.DONE or action.done_on is None):
        action.done_on = on
    elif state != ActionState.DONE:
        action.done_on = None
    action.state = state


def _own(engagement: Engagement, records) -> list:
    """Linked insights or referrals, once each, all of this engagement."""
    unique = list(dict.fromkeys(records))
    if any(record.engagement_id not in (None, engagement.id) for record in unique):
        raise ValueError("an action links only records of its own engagement")
    return unique


def delete_action(action: Action, user: User) -> None:
    """Soft-delete an action with its progress updates (an admin can restore it)."""
    action.mark_deleted(user, utcnow())


def restore_action(action: Action) -> None:
    """Bring an action back, unless its engagement or company is deleted (RestoreRefused)."""
    ensure_case_restorable(action.engagement_id)
    action.mark_restored()
