"""Named operations on the catalogue of support measures and on referrals."""

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.engagements.services import local_today
from tracker.extensions import db
from tracker.models import Engagement, MeasureKind, Referral, ReferralOutcome, SupportMeasure, User


class SupportRuleBroken(Exception):
    """A change that would break rules of the catalogue or of referrals: field -> message."""

    def __init__(self, problems: dict):
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))
        self.problems = problems


def _name_taken(name: str, except_measure: SupportMeasure | None) -> bool:
    query = sa.select(SupportMeasure.id).where(SupportMeasure.name == name)
    if except_measure is not None:
        query = query.where(SupportMeasure.id != except_measure.id)
    return db.session.scalar(query) is not None


def _apply(measure: SupportMeasure, details: dict) -> None:
    name = details["name"].strip()
    if _name_taken(name, measure if measure.id else None):
        raise SupportRuleBroken({"name": _l("The catalogue already has an entry with this name.")})
    measure.name = name
    measure.name_en = details["name_en"].strip()
    measure.kind = MeasureKind(details["kind"])
    measure.provider = details["provider"].strip()
    measure.description = details["description"].strip()
    measure.active = details["active"]


def create_measure(details: dict) -> SupportMeasure:
    """Add an entry to the catalogue. `details` holds the fields of the measure form."""
    measure = SupportMeasure()
    _apply(measure, details)
    db.session.add(measure)
    return measure


def update_measure(measure: SupportMeasure, details: dict) -> None:
    """Change a catalogue entry; an inactive one is no longer offered for new referrals."""
    _apply(measure, details)


def refer(
    engagement: Engagement, user: User, measure: SupportMeasure, referred_on: date, note: str
) -> Referral:
    """Refer the engagement to an active measure or partner; the outcome starts pending."""
    problems = {}
    if not measure.active:
        problems["measure_id"] = _l("This entry is no longer offered: choose another.")
    if referred_on > local_today():
        problems["referred_on"] = _l("The date cannot be in the future.")
    if problems:
        raise SupportRuleBroken(problems)
    referral = Referral(
        engagement=engagement, measure=measure, referred_on=referred_on, note=note.strip(),
        outcome=ReferralOutcome.PENDING, created_by_id=user.id,
    )
    db.session.add(referral)
    return referral


def record_outcome(referral: Referral, outcome: ReferralOutcome, outcome_note: str) -> None:
    """Say what came of a referral."""
    referral.outcome = outcome
    referral.outcome_note = outcome_note.strip()
