"""Japanese input as people type it: full-width digits, hiragana, hyphens.

Forms and the company search share these, so what is typed in a search box
is read the same way as what was typed in the company form.
"""

import re
import unicodedata

_HIRAGANA = re.compile("[\u3041-\u3096\u309d\u309e]")
# Katakana, the prolonged sound mark and middle dot, iteration marks, spaces,
# and the Latin letters, digits and signs found in company readings ("エービーシー&Co.").
_KANA_READING = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe A-Za-z0-9&.,'()\-]*")
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc]")


def nfkc(text: str) -> str:
    """Full-width letters and digits to ASCII, half-width katakana to full-width."""
    return unicodedata.normalize("NFKC", text or "")


def to_katakana(text: str) -> str:
    """Hiragana become katakana; everything else is left as it is."""
    return _HIRAGANA.sub(lambda m: chr(ord(m.group()) + 0x60), text)


def normalise_kana(text: str) -> str:
    """The reading of a name as stored: full-width katakana, single spaces."""
    return " ".join(to_katakana(nfkc(text)).split())


def is_kana_reading(text: str) -> bool:
    """True if a normalised reading holds no kanji or other script."""
    return _KANA_READING.fullmatch(text) is not None


def digits_only(text: str) -> str:
    """Full-width digits made ASCII, hyphens and spaces removed ("１２３-４" → "1234")."""
    return _SEPARATORS.sub("", nfkc(text))


def corporate_number_check_digit(base: str) -> int:
    """The check digit of a 法人番号 from its 12 base digits (National Tax Agency rule).

    With P(n) the n-th base digit counted from the right and Q(n) = 1 for odd
    n, 2 for even n: check digit = 9 − (Σ P(n) × Q(n) mod 9). The check digit
    is written first, before the base digits.
    """
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def is_valid_corporate_number(number: str) -> bool:
    return (
        len(number) == 13
        and number.isascii()
        and number.isdigit()
        and int(number[0]) == corporate_number_check_digit(number[1:])
    )


def parse_amount(text: str) -> int | None:
    """A whole number as typed: "50,000,000", "５０００", "1 200". None if it is not one."""
    cleaned = re.sub(r"[,\s_]", "", nfkc(text))
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        return None
    return int(cleaned)
