"""How a document names units: comparison keys, abbreviations, the leadership words before a name, the role
markers after it ("(b/c)", "(t/h)", "(p/h)", "(để biết)") and the group names ("LĐLĐ các huyện, thành phố").

Names are compared on a key: NFC, casefold, diacritics stripped (đ → d), punctuation dropped, spaces
collapsed and the usual abbreviations expanded (LĐLĐ, CĐCS, CĐN, CĐVC, TU, UBND, TT, TLĐ ..., and those of
several words: GD&ĐT, GDĐT, Sở GD&ĐT, LĐ-TB&XH ...).
"""

from __future__ import annotations

import re
import unicodedata

from models import Role

ABBREVIATIONS: dict[str, str] = {
    "ldld": "lien doan lao dong",
    "tld": "tong lien doan lao dong",
    "tldld": "tong lien doan lao dong",
    "cdcs": "cong doan co so",
    "cdn": "cong doan nganh",
    "cdvc": "cong doan vien chuc",
    "cd": "cong doan",
    "tu": "tinh uy",
    "hu": "huyen uy",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tt": "thuong truc",
    "btv": "ban thuong vu",
    "bch": "ban chap hanh",
    "uv": "uy vien",
    "ubkt": "uy ban kiem tra",
    "mttq": "mat tran to quoc",
    "tp": "thanh pho",
    "vp": "van phong",
    "vn": "viet nam",
}
# Abbreviations of several words, as fold() leaves them: "GD&ĐT", "GD-ĐT" fold to "gd dt", "GDĐT" to "gddt".
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{letters}\b"), words)
    for letters, words in (
        (r"sgd ?dt", "so giao duc va dao tao"),
        (r"pgd ?dt", "phong giao duc va dao tao"),
        (r"gd ?dt", "giao duc va dao tao"),
        (r"ld ?tb ?xh", "lao dong thuong binh va xa hoi"),
        (r"kh ?dt", "ke hoach va dau tu"),
        (r"tn ?mt", "tai nguyen va moi truong"),
        (r"nn ?ptnt", "nong nghiep va phat trien nong thon"),
        (r"kh ?cn", "khoa hoc va cong nghe"),
        (r"vh ?tt ?dl", "van hoa the thao va du lich"),
        (r"gt ?vt", "giao thong van tai"),
        (r"pct", "pho chu tich"),
        (r"ct", "chu tich"),
    )
]
# Words before a unit's name that address its leadership, its members or its head ("Chánh Văn phòng",
# "Trưởng các Ban": a decision's "… chịu trách nhiệm thi hành"), not another unit. "Trưởng" only before
# "các", "Ban", "Phòng": "Trường" (a school) folds to the same word.
QUALIFIER_RE = re.compile(
    r"^(?:thuong truc|ban thuong vu|ban chap hanh|cac dong chi|dong chi|lanh dao|uy vien"
    r"|(?:cac )?(?:pho )?(?:chu tich|chanh|giam doc|bi thu)|thu truong(?: cac)?|truong(?= (?:cac|ban|phong) ))\s"
)
_PLACES = r"(?:huyen|quan|thi xa|thanh pho)"
# Group names: a key pattern and the kinds of units it stands for (under the issuer, or the nearest unit above
# it that has such units).
GROUPS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(rf"^(cac )?lien doan lao dong (cac {_PLACES}( {_PLACES})*|{_PLACES}( {_PLACES})+)$"),
        ("district_federation",),
    ),
    (
        re.compile(r"^(cac )?cong doan co so truc thuoc(?: (?P<owner>.+))?$|^(cac )?cong doan co so$"),
        ("grassroots_union",),
    ),
    (re.compile(r"^(cac )?cong doan nganh( tinh)?$"), ("sector_union",)),
    (re.compile(r"^(cac )?cong doan vien chuc( tinh)?$"), ("civil_servants_union",)),
    (re.compile(r"^(cac )?ban (dang|xay dung dang)(?: (?P<owner>.+))?$"), ("party_department",)),
    # The issuer's own departments: "các ban", "các ban chuyên môn", "các phòng, ban chuyên môn"; "các phòng"
    # alone is a level word (the Phòng under the issuer, cascade.directives.docimport.grouped).
    (
        re.compile(r"^cac (?:ban( chuyen mon)?|phong( ban)? chuyen mon)(?: (?:thuoc |cua )?(?P<owner>.+))?$"),
        ("department",),
    ),
    (
        re.compile(r"^(cac )?cong doan cap tren truc tiep co so( truc thuoc)?$"),
        ("district_federation", "sector_union", "civil_servants_union"),
    ),
    (re.compile(r"^cac (huyen uy|thanh uy)( (huyen uy|thanh uy))*$"), ("party_committee",)),
]
# People named beside the units ("các đồng chí có tên tại Điều 1"): not recipients, not a problem.
PERSON_RE = re.compile(r"^(cac )?(dong chi|ong|ba|ca nhan|thanh vien)\b")
_MARKER_WORDS: list[tuple[re.Pattern[str], Role]] = [
    (re.compile(r"\bb\s*c\b|\bbao cao\b"), Role.superior),
    (re.compile(r"\bp\s*h\b|\bphoi hop\b"), Role.coordinate),
    (re.compile(r"\bt\s*h\b|\bthuc hien\b|\btrien khai\b"), Role.act),
    (re.compile(r"\bbiet\b|\btheo doi\b|\bdang tin\b|\bchi dao\b"), Role.info),
]
_TRAILING_PAREN = re.compile(r"\s*\((?P<marker>[^()]{1,40})\)\s*[;,.:]*\s*$")
_TRAILING_WORDS = re.compile(r"\s+(?P<marker>để\s+(?:b/c|t/h|p/h|biết|báo cáo|thực hiện|phối hợp))\s*[;,.:]*\s*$", re.I)


APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc](?=\w)")


def fold(text: str) -> str:
    """Casefolded text without diacritics (đ → d) or punctuation, single-spaced."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    # An apostrophe is part of a word (Ea H'Leo, Cư M'gar): "ea hleo" and "ea h'leo" both find it.
    text = APOSTROPHES.sub("", text)
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())


def name_key(text: str) -> str:
    """fold() with the abbreviations expanded ("đ/c" is "đồng chí"): the form in which names are compared."""
    text = re.sub(r"(?i)\bđ/c\b", "đồng chí", text)
    key = fold(text)
    for pattern, words in PHRASES:
        key = pattern.sub(words, key)
    return " ".join(ABBREVIATIONS.get(word, word) for word in key.split())


def strip_qualifiers(key: str) -> str:
    while found := QUALIFIER_RE.match(key):
        key = key[found.end() :]
    return key


def clean_item(text: str) -> str:
    """A list item without its bullet, trailing separators or surrounding markup."""
    return re.sub(r"[\s;,.:*]+$", "", re.sub(r"^[\s\-–—+•*]+", "", text)).strip()


def marker_role(text: str) -> Role | None:
    """The role a marker gives ("b/c", "để báo cáo" → superior; "t/h" → act; "p/h" → coordinate; "để biết" →
    info), or None when the text is no marker."""
    key = fold(text.replace("/", " "))
    for pattern, role in _MARKER_WORDS:
        if pattern.search(key):
            return role
    return None


def split_marker(text: str) -> tuple[str, Role | None]:
    """("TT Tỉnh ủy", superior) for "TT Tỉnh ủy (để b/c);": the name and the role its marker gives."""
    text = clean_item(text)
    for pattern in (_TRAILING_PAREN, _TRAILING_WORDS):
        found = pattern.search(text)
        if found and (role := marker_role(found.group("marker"))) is not None:
            return clean_item(text[: found.start()]), role
    return text, None


def heading_role(text: str) -> Role | None:
    """The role of a Nơi nhận group heading ("- Để báo cáo:", "- Để thực hiện:"), None for a unit line."""
    item = clean_item(text)
    if not text.rstrip().endswith(":") or len(item) > 30 or not fold(item).startswith(("de ", "bao cao")):
        return None
    return marker_role(item)


def is_person(key: str) -> bool:
    return bool(PERSON_RE.match(key))
