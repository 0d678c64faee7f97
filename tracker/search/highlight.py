"""Snippets with every match marked, built safely.

The text is what users typed and is never trusted: each piece is escaped
first, and only the <mark> tags this module writes are markup.
"""

import re

from markupsafe import Markup, escape

BEFORE = 40  # characters shown before the first match
WIDTH = 160  # characters in a snippet


def term_pattern(terms) -> re.Pattern | None:
    """One pattern for all terms, longest first so the longest match wins."""
    unique = sorted(set(terms), key=len, reverse=True)
    if not unique:
        return None
    return re.compile("|".join(re.escape(term) for term in unique), re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern | None, width: int = WIDTH) -> Markup | None:
    """A window of `text` around its first match, every match in it inside <mark>;
    None when nothing matches."""
    text = text or ""
    first = pattern.search(text) if pattern else None
    if first is None:
        return None
    start = max(0, first.start() - BEFORE)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    window = text[start:end]
    pieces = [Markup("…")] if start > 0 else []
    position = 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[position:match.start()]))
        pieces.append(Markup("<mark>%s</mark>") % match.group())
        position = match.end()
    pieces.append(escape(window[position:]))
    if end < len(text):
        pieces.append(Markup("…"))
    return Markup("").join(pieces)
