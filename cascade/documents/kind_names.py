"""Many units of a kind in words, for a kind the code base has no words for: a tree's `kind` is a free label
("primary_school") a person never reads, but its units' names start with the words a clerk would use
("Trường Tiểu học Hòa Thắng", "Trường Tiểu học Ea Kênh": "Các trường Tiểu học")."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from cascade.rendering.render import KIND_GROUPS
from models import Unit

# Kind words a Vietnamese name writes with a capital though they name no one ("Trường Tiểu học", "Phòng Giáo
# dục và Đào tạo", "Trạm Y tế"). Past a name's first word any other capitalised word (not an acronym) begins a
# proper name ("Hòa Thắng", "Ea Kênh", "Nguyễn Du") and ends the kind's words.
CAPITALISED_KIND_WORDS = tuple(
    tuple(phrase.casefold().split())
    for phrase in (
        "Tiểu học", "Trung học", "Mầm non", "Mẫu giáo", "Phổ thông", "Dân tộc", "Nội trú", "Bán trú", "Giáo dục",
        "Đào tạo", "Lao động", "Y tế", "Văn hóa", "Thể thao", "Du lịch", "Nội vụ", "Tư pháp", "Tài chính",
        "Kế hoạch", "Nông nghiệp", "Phát triển nông thôn", "Tài nguyên", "Môi trường", "Công Thương", "Viên chức",
        "Thanh niên", "Phụ nữ", "Nông dân", "Cựu chiến binh", "Liên hiệp", "Chữ thập đỏ", "Mặt trận", "Tổ quốc",
        "Chỉ huy", "Quân sự", "Công an", "Công đoàn",
    )
)  # fmt: skip
# Lower-case words that lead into a name rather than end a kind's words ("Trường Tiểu học số 1").
NAME_LEADS = frozenset({"số", "và", "của", "thuộc", "-", "–"})


def _proper(word: str) -> bool:
    """A capitalised word that is not an acronym ("Hòa", not "THCS" or "huyện")."""
    return word[:1].isupper() and not (len(word) > 1 and word.isupper())


def _all_capitals(words: list[str]) -> bool:
    """A name written all in capitals ("TRƯỜNG TIỂU HỌC HÒA THẮNG"): its case tells kind words from none."""
    return len(words) > 1 and " ".join(words).isupper()


def _kind_words(shared: list[str], proper: list[bool]) -> list[str]:
    """The shared leading words up to the first that begins a proper name; its first word always (it begins
    every name), a known capitalised kind phrase whole; never ending on a word that leads into a name."""
    folded = [word.casefold() for word in shared]
    end = 1
    while end < len(shared):
        phrase = next((p for p in CAPITALISED_KIND_WORDS if tuple(folded[end : end + len(p)]) == p), None)
        if phrase:
            end += len(phrase)
        elif proper[end]:
            break
        else:
            end += 1
    while end > 1 and folded[end - 1] in NAME_LEADS:
        end -= 1
    return shared[:end]


def name_stem(names: Iterable[str]) -> str | None:
    """The kind's words every name starts with ("Trường Tiểu học", never "Trường Tiểu học Hòa" of "… Hòa Thắng"
    and "… Hòa Phú"), compared case-blind; None unless there are at least two names and each has more words
    after them (one name alone is a unit's, not a kind's), or when every name is written all in capitals.
    One pass over the names: a kind's units may be many."""
    shared: list[str] | None = None  # the words all names share so far, as the first name in mixed case has them
    proper: list[bool] = []  # per shared word: some name in mixed case begins a proper name with it
    first, several, shortest, cased = "", False, 0, False
    for name in names:
        words = name.split()
        if shared is None:
            first, shared, shortest = name, words, len(words)
            proper = [False] * len(words)
        several = several or name != first
        shortest = min(shortest, len(words))
        same = 0
        while same < min(len(shared), len(words)) and shared[same].casefold() == words[same].casefold():
            same += 1
        del shared[same:], proper[same:]
        if not _all_capitals(words):
            if not cased:  # the words as a name in mixed case writes them
                shared, cased = words[:same], True
            proper = [was or _proper(word) for was, word in zip(proper, words, strict=False)]
    if not shared or not several or not cased:
        return None
    stem = _kind_words(shared, proper)
    return " ".join(stem) if shortest > len(stem) else None


def many_of(stem: str) -> str:
    """ "Các trường Tiểu học", "Các điểm trường", "Các UBND xã": the first word lower case unless an acronym."""
    first, _, rest = stem.partition(" ")
    if not (len(first) > 1 and first.isupper()):
        first = first[0].lower() + first[1:]
    return " ".join(("Các", first, rest)).strip()


def _stem_in_tree(session: Session, kind: str) -> str | None:
    """The stem of the names of every active unit of the kind in the tree, compared in Python: the same answer
    on SQLite and PostgreSQL, whose LIKE and lower() treat Vietnamese letters differently."""
    return name_stem(session.exec(select(Unit.name).where(Unit.kind == kind, col(Unit.active).is_(True))))


def kind_names(session: Session, kinds: Iterable[str]) -> dict[str, str]:
    """Words for many units of each kind: the code base's own (rendering.render.KIND_GROUPS), else those the
    names of the tree's units of the kind start with; a kind with neither is left out."""
    out: dict[str, str] = {}
    for kind in dict.fromkeys(kinds):
        if kind in KIND_GROUPS:
            out[kind] = KIND_GROUPS[kind]
        elif stem := _stem_in_tree(session, kind):
            out[kind] = many_of(stem)
    return out
