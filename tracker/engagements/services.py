"""Named operations on engagements: open one, edit it, set its team, change its phase.

`change_phase()` (through `_move()`) is the only code that writes an
engagement's phase, phase_since and closing_reason: each move is also a
dated PhaseChange, so time-in-phase is always derived, never typed.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.audit.trail import record_event
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import (
    ClosingReason,
    Company,
    Engagement,
    EngagementMember,
    Phase,
    PhaseChange,
    ReferralSource,
    User,
)


class RestoreRefused(Exception):
    """A record cannot come back while the case or company it belongs to is deleted."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EngagementRuleBroken(Exception):
    """A change that would break rules of engagements: `problems` maps each field to its message."""

    def __init__(self, problems: dict):
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))
        self.problems = problems


def local_today() -> date:
    """Today where the team works (the app's time zone), not on the server's clock."""
    return datetime.now(get_timezone()).date()


def local_date(moment: datetime, zone=None) -> date:
    """The local calendar date of a stored UTC timestamp (in `zone`, given when
    converting many at once, else the current one)."""
    return moment.astimezone(zone or get_timezone()).date()


FUTURE_DATE = _l("The date cannot be in the future.")


def open_engagement(
    company: Company, user: User, *, theme: str, referral_source: ReferralSource, referral_note: str,
    started_on: date, phase: Phase, members: list[User], lead: User,
) -> Engagement:
    """Open a support case for `company`, with its team and its first phase."""
    problems = {}
    if started_on > local_today():
        problems["started_on"] = FUTURE_DATE
    if phase == Phase.CLOSED:
        problems["phase"] = _l("An engagement cannot start closed.")
    if problems:
        raise EngagementRuleBroken(problems)
    engagement = Engagement(
        company=company, theme=theme.strip(), referral_source=referral_source,
        referral_note=referral_note.strip(), started_on=started_on, created_by_id=user.id,
    )
    _assign_team(engagement, members, lead)
    _move(engagement, user, phase, started_on, reason="", closing_reason=None)
    db.session.add(engagement)
    return engagement


def update_engagement(
    engagement: Engagement, *, theme: str, referral_source: ReferralSource, referral_note: str
) -> None:
    """Change what the engagement is about and where it came from."""
    engagement.theme = theme.strip()
    engagement.referral_source = referral_source
    engagement.referral_note = referral_note.strip()


def set_team(engagement: Engagement, members: list[User], lead: User) -> None:
    """Make `members` the team, `lead` its one lead (added to the team if missing)."""
    _assign_team(engagement, members, lead)
    # A team change is a change of the engagement: it bumps the version, so a
    # concurrent team edit based on the old team is refused.
    engagement.updated_at = utcnow()


def _assign_team(engagement: Engagement, members: list[User], lead: User) -> None:
    if lead not in members:
        members = [lead, *members]
    current = {member.user_id: member for member in engagement.members}
    team = []
    for user in dict.fromkeys(members):
        member = current.get(user.id) or EngagementMember(user=user)
        member.is_lead = user.id == lead.id
        team.append(member)
    engagement.members = team


def change_phase(
    engagement: Engagement, user: User, to_phase: Phase, changed_on: date, reason: str,
    closing_reason: ClosingReason | None = None,
) -> PhaseChange:
    """Move the engagement to another phase on a date, saying why.

    The date may not be in the future nor before the previous change; closing
    needs a closing reason; reopening a closed engagement clears it.
    """
    problems = {}
    if to_phase == engagement.phase:
        problems["to_phase"] = _l("The engagement is already in this phase: choose another.")
    previous = engagement.phase_changes[-1].changed_on if engagement.phase_changes else engagement.phase_since
    if changed_on > local_today():
        problems["changed_on"] = FUTURE_DATE
    elif previous and changed_on < previous:
        problems["changed_on"] = _(
            "The date cannot be before the previous phase change (%(day)s).", day=format_date(previous)
        )
    if not reason or not reason.strip():
        problems["reason"] = _l("Say why the phase changes: the next reader needs it.")
    if to_phase == Phase.CLOSED and closing_reason is None:
        problems["closing_reason"] = _l("Closing needs a closing reason: choose one.")
    if problems:
        raise EngagementRuleBroken(problems)
    changes = {"phase": [engagement.phase, to_phase], "changed_on": [engagement.phase_since, changed_on]}
    record_event("phase_change", engagement, changes=changes, detail=reason.strip(), actor=user)
    return _move(engagement, user, to_phase, changed_on, reason.strip(), closing_reason)


def _move(engagement, user, to_phase, changed_on, reason, closing_reason) -> PhaseChange:
    """Record the move and mirror it on the engagement (the one place that does)."""
    change = PhaseChange(
        from_phase=engagement.phase, to_phase=to_phase, changed_on=changed_on, reason=reason,
        changed_by_id=user.id,
    )
    engagement.phase_changes.append(change)
    engagement.phase = to_phase
    engagement.phase_since = changed_on
    engagement.closing_reason = closing_reason if to_phase == Phase.CLOSED else None
    return change


# ---- deleting and restoring ----------------------------------------------------


def delete_engagement(engagement: Engagement, user: User) -> None:
    """Soft-delete the case; its sessions, insights and actions are hidden with it
    (every look-up goes through the engagement) and come back when it is restored."""
    engagement.mark_deleted(user, utcnow())


def restore_engagement(engagement: Engagement) -> None:
    """Bring a deleted engagement back, unless its company is deleted (RestoreRefused)."""
    company = _including_deleted(sa.select(Company).where(Company.id == engagement.company_id))
    if company.is_deleted:
        raise RestoreRefused(_("%(company)s is deleted: restore the company first.", company=company.name))
    engagement.mark_restored()


def ensure_case_restorable(engagement_id: int) -> None:
    """RestoreRefused unless the engagement (and so its company) is in use: a session,
    insight or action cannot come back into a deleted case."""
    engagement = _including_deleted(sa.select(Engagement).where(Engagement.id == engagement_id))
    company = _including_deleted(sa.select(Company).where(Company.id == engagement.company_id))
    if company.is_deleted:
        raise RestoreRefused(_("%(company)s is deleted: restore the company first.", company=company.name))
    if engagement.is_deleted:
        raise RestoreRefused(
            _("The engagement with %(company)s is deleted: restore the engagement first.", company=company.name)
        )


def _including_deleted(query: sa.Select):
    return db.session.scalars(query.execution_options(include_deleted=True)).one()
