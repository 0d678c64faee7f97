"""Device cookies: the owner's usual browser is not locked out by a stranger.

After a complete sign-in the browser gets a long-lived cookie, signed with the
app's secret, naming the account and a random nonce (OWASP, "Slow down online
guessing attacks with device cookies"). Failed attempts from a browser that
presents a valid one for the account typed are counted per cookie instead of
against the account-wide limit (tracker/auth/throttle.py), so someone who
knows an address can lock out only the browsers that never signed in to it.
One cookie per browser: signing in to another account replaces it.
"""

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from tracker.models import User

_SALT = "tracker-device-cookie"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def device_for(user: User | None) -> str:
    """The nonce of this browser's device cookie if it names `user`, else ""."""
    value = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not value or user is None:
        return ""
    try:
        data = _serializer().loads(value)
    except BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("n"), str):
        return ""
    return data["n"][:64]


def remember_device(response, user: User):
    """Give this browser a fresh device cookie for `user`; returns `response`."""
    config = current_app.config
    value = _serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        config["DEVICE_COOKIE_NAME"],
        value,
        max_age=int(config["DEVICE_COOKIE_LIFETIME"].total_seconds()),
        secure=config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response
