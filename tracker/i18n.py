"""Language: Japanese by default, English complete.

Signed-in users get the language of their profile. Anyone else can switch
with `?lang=en` / `?lang=ja`, remembered in their session cookie.
"""

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def remember_language_choice() -> None:
    """before_request: keep an anonymous visitor's `?lang=` choice."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang


def select_locale() -> str:
    """Flask-Babel's locale selector (the default language outside a request)."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        return current_user.language
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def language_context() -> dict:
    """Context processor: the language of this page, for <html lang>."""
    from flask_babel import get_locale

    locale = get_locale()
    return {"current_language": locale.language if locale else "ja"}
