"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0-4; below 3 means fewer than 10^10 guesses: a common
# password, a keyboard walk, a repeated word with digits and the like.
MIN_STRENGTH = 3
# zxcvbn refuses longer input; the first 72 characters decide whether a
# password is one of the common ones.
_ZXCVBN_MAX = 72

# OWASP Password Storage Cheat Sheet minimum for argon2id: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the account does not exist, so the answer takes as
# long either way and does not reveal whether the email is known.
_DUMMY_HASH = _hasher.hash("no such account, constant-time filler")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always spends the same effort."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, user_inputs: tuple[str, ...] = ()):
    """A message saying what is wrong with a new password, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return _l("Use at least %(min)d characters.", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Use at most %(max)d characters.", max=MAX_LENGTH)
    inputs = [part for text in user_inputs if text for part in text.replace("@", " ").split()]
    if zxcvbn(password[:_ZXCVBN_MAX], user_inputs=inputs)["score"] < MIN_STRENGTH:
        return _l(
            "This password is too common or too easy to guess. "
            "Try a longer phrase of several unrelated words."
        )
    return None
