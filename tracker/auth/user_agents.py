"""A readable name for the browser and system a User-Agent header names.

Only for people looking at their own sessions ("Chrome on Windows"): no
library, a few patterns in the order that matters (Edge and Opera also say
"Chrome", Chrome also says "Safari", Android also says "Linux").
"""

import re

from flask_babel import gettext as _

_BROWSERS = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def _first(patterns, text: str) -> str | None:
    return next((name for name, pattern in patterns if pattern.search(text)), None)


def device_name(user_agent: str) -> str:
    """"Firefox on Windows", "Safari on iPhone"..., or "Unknown device"."""
    browser, system = _first(_BROWSERS, user_agent or ""), _first(_SYSTEMS, user_agent or "")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")
