"""Named operations of two-factor sign-in: TOTP codes (RFC 6238) and recovery codes.

A code is checked with compare-and-set statements, so two requests carrying
the same code cannot both succeed: a TOTP code moves the account's last
accepted time-step forward (and is refused when it would not), a recovery
code is deleted (and is refused when nothing was deleted).
"""

import hashlib
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from tracker.audit.trail import record_event
from tracker.auth.sessions import end_all_sessions
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# Codes of the previous and next 30-second step are accepted too (clock drift).
_DRIFT_STEPS = 1
_TOTP_FORMAT = re.compile(r"[0-9]{6}")
# 12 characters of base32, lower case: 60 random bits, shown as xxxx-xxxx-xxxx.
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_RECOVERY_FORMAT = re.compile(r"[a-z2-7]{12}")

TOTP = "totp"
RECOVERY = "recovery"


def normalise_code(text: str | None) -> str:
    """A typed code without spaces or hyphens, lower case."""
    return re.sub(r"[\s\-]", "", text or "").lower()


def code_kind(code: str) -> str | None:
    """TOTP for six digits, RECOVERY for a recovery code's shape, else None."""
    if _TOTP_FORMAT.fullmatch(code):
        return TOTP
    if _RECOVERY_FORMAT.fullmatch(code):
        return RECOVERY
    return None


def new_secret() -> str:
    """A fresh 160-bit TOTP secret, base32."""
    return pyotp.random_base32(32)


def enrolment_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_svg(uri: str) -> Markup:
    """The QR code of `uri` as inline SVG, drawn here (nothing is fetched from elsewhere)."""
    # segno writes only paths of its own making: no text of the URI reaches the SVG markup.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))  # noqa: S704  # nosec B704


def _matching_step(secret: str, code: str) -> int | None:
    """The time-step (near now) whose code is `code`, or None."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    for offset in range(-_DRIFT_STEPS, _DRIFT_STEPS + 1):
        moment = now + offset * totp.interval
        if secrets.compare_digest(totp.at(moment), code):
            return int(moment // totp.interval)
    return None


def totp_matches(secret: str, code: str) -> int | None:
    """The step of a right code for a secret being enrolled (nothing stored yet)."""
    return _matching_step(secret, code) if code_kind(code) == TOTP else None


def use_code(user: User, code: str) -> str | None:
    """Accept `code` (normalised) as `user`'s second factor once: TOTP, RECOVERY or None.

    The caller commits; a recovery code used is audited.
    """
    kind = code_kind(code)
    if kind == TOTP and user.totp_secret:
        step = _matching_step(user.totp_secret, code)
        if step is None:
            return None
        moved = db.session.execute(
            sa.update(User)
            .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        return TOTP if moved.rowcount == 1 else None
    if kind == RECOVERY and user.totp_secret:
        used = db.session.execute(
            sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code))
        )
        if used.rowcount == 1:
            record_event("recovery_code_used", target=user, actor=user)
            return RECOVERY
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes with fresh ones; returns them for showing once."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id))


def enrol(user: User, secret: str, step: int) -> list[str]:
    """Make `secret` (confirmed by a code of `step`) the user's second factor; new recovery codes."""
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_enrolled_at = utcnow()
    record_event("two_factor_enrolled", target=user, actor=user)
    return new_recovery_codes(user)


def _remove(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_enrolled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User) -> None:
    """The user drops their own second factor (allowed only where no role requires one)."""
    _remove(user)
    record_event("two_factor_disabled", target=user, actor=user)


def reset_by_admin(user: User) -> None:
    """An admin removes `user`'s second factor (a lost phone): they enrol again at the
    next sign-in if their role requires one, and are signed out everywhere now."""
    _remove(user)
    end_all_sessions(user)
    record_event("two_factor_reset", target=user)
