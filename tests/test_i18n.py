"""The Japanese catalogue is complete and keeps every placeholder.

Japanese is the default language, so an untranslated string is a visible
defect. These tests extract the messages straight from the sources, exactly as
`make extract-messages` does (babel.cfg plus the `_l` keyword), and compare them
with tracker/translations/ja/LC_MESSAGES/messages.po. They need no app, no
database and no fixture: only babel and the files.
"""

import re
from functools import cache
from pathlib import Path

from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"
JA_PO = ROOT / "tracker" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"

# The same keywords as `pybabel extract -k _l`: babel's defaults plus `_l`.
EXTRA_KEYWORDS = ["_l"]

# A named printf-style placeholder: %(name)s, %(count)d, %(ratio).1f, %(n)5d...
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +\-]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlL]?[diouxXeEfFgGcrsa]")

HOW_TO_FIX = (
    "Run `make extract-messages`, then translate the strings in "
    "tracker/translations/ja/LC_MESSAGES/messages.po."
)


@cache
def extracted() -> dict[tuple[str, str | None], str | tuple[str, ...]]:
    """Every message in the sources: (msgid, context) -> msgid or (singular, plural)."""
    parse_mapping = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with BABEL_CFG.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping(cfg, str(BABEL_CFG))
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(frontend.parse_keywords(EXTRA_KEYWORDS))
    messages: dict[tuple[str, str | None], str | tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            messages[(key, context)] = message
    return messages


@cache
def japanese() -> Catalog:
    with JA_PO.open("rb") as po:
        return read_po(po, locale="ja")


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def translations(entry) -> tuple[str, ...]:
    """The msgstr (or every msgstr[n]) of a catalogue entry, empty ones as ''."""
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return tuple(string or "" for string in strings)


def show(msgid: str, context: str | None) -> str:
    return f"  {msgid!r}" + (f" (context {context!r})" if context else "")


def test_sources_have_messages():
    """Guards the other tests: an extraction that finds nothing proves nothing."""
    messages = extracted()
    assert len(messages) > 50, f"only {len(messages)} messages extracted; is babel.cfg still right?"
    assert ("Sign in", None) in messages


def test_catalogue_header_is_japanese():
    catalog = japanese()
    assert str(catalog.locale) == "ja"
    assert catalog.plural_forms.replace(" ", "") == "nplurals=1;plural=0;"


def test_every_message_has_a_japanese_translation():
    catalog = japanese()
    missing, fuzzy = [], []
    for msgid, context in sorted(extracted(), key=lambda key: key[0]):
        entry = catalog.get(msgid, context=context)
        strings = () if entry is None else translations(entry)
        if not strings or not all(string.strip() for string in strings):
            missing.append(show(msgid, context))
        elif entry.fuzzy:
            fuzzy.append(show(msgid, context))
    problems = []
    if missing:
        problems.append(f"{len(missing)} message(s) have no Japanese translation:\n" + "\n".join(missing))
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} translation(s) are marked fuzzy (check them, then remove the flag):\n"
            + "\n".join(fuzzy)
        )
    assert not problems, "\n\n".join(problems) + "\n\n" + HOW_TO_FIX


def test_no_fuzzy_entries_anywhere_in_the_catalogue():
    fuzzy = [
        show(entry.id if isinstance(entry.id, str) else entry.id[0], entry.context)
        for entry in japanese()
        if entry.id and entry.fuzzy
    ]
    assert not fuzzy, "fuzzy entries in the catalogue:\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders():
    catalog = japanese()
    wrong = []
    for (msgid, context), message in sorted(extracted().items(), key=lambda item: item[0][0]):
        entry = catalog.get(msgid, context=context)
        if entry is None:
            continue  # reported by test_every_message_has_a_japanese_translation
        # Japanese has one plural form, which must carry the plural message's placeholders.
        source = [part for part in message if part][-1] if isinstance(message, tuple) else message
        strings = translations(entry)
        expected = placeholders(source)
        for string in strings:
            if string and placeholders(string) != expected:
                wrong.append(
                    f"{show(msgid, context)}\n    expects {sorted(expected)}, "
                    f"has {sorted(placeholders(string))}: {string!r}"
                )
    heading = "translations whose %(...)x placeholders differ from the English:"
    assert not wrong, "\n".join([heading, *wrong])
