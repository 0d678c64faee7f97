"""Named operations on actions."""

from tracker.extensions import db
from tracker.models import Action, Contact, DialogueSession, Engagement, Insight, User


def create_action(
    engagement: Engagement, user: User, *, title, description="", owner_contact: Contact | None = None,
    owner_user: User | None = None, due_on=None, session: DialogueSession | None = None,
    insights: list[Insight] = (),
) -> Action:
    """Record an action the company (or, for a support action, the team) will take."""
    if owner_contact is not None and owner_user is not None:
        raise ValueError("an action has one owner")
    action = Action(
        engagement=engagement, title=title.strip(), description=description.strip(), owner_contact=owner_contact,
        owner_user=owner_user, due_on=due_on, session=session, insights=list(insights), created_by_id=user.id,
    )
    db.session.add(action)
    return action
