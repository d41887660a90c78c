"""What an amendment changes, field by field and in words a clerk writes in a "đính chính": "Hạn báo cáo kết
quả: «31/12/2021» sửa thành «14/01/2022»", "Nội dung, đoạn 2: … sửa thành …", "Thêm nhiệm vụ 3 …".

A version's values are a plain dict (JSON, kept in directive_version): the directive's fields, its signed
original and its tasks; the stored directive's (`stored_values`) and the new file's (`file_values`) have the same
keys, so comparing them is comparing dicts."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cascade.directives.directivefile import DirectiveSpec
from cascade.directives.store import SignedOriginal
from cascade.documents.kind_names import kind_names
from cascade.documents.unit_names import kinds_words
from cascade.rendering.render import vn_date
from models import Directive, DirectiveTask, Unit

# The fields an amendment may change, in the order a notice lists them, with their names in words.
FIELDS: dict[str, str] = {
    "doc_type": "Loại văn bản",
    "issued_on": "Ngày ban hành",
    "place": "Địa danh",
    "summary": "Trích yếu",
    "basis": "Văn bản căn cứ",
    "basis_issued_on": "Ngày của văn bản căn cứ",
    "basis_issuer": "Cơ quan ban hành văn bản căn cứ",
    "report_due": "Hạn báo cáo kết quả",
    "report_to": "Nơi nhận báo cáo",
    "urgency": "Độ khẩn",
    "cascade_mode": "Cách triển khai xuống cấp dưới",
    "lead_days": "Số ngày làm việc để cấp dưới tổng hợp báo cáo",
    "signer_on_behalf": "Thẩm quyền ký",
    "signer_title": "Chức vụ người ký",
    "signer_name": "Người ký",
    "archive": "Nơi lưu",
    "printed": "Nơi nhận chỉ in trên văn bản",
    "body": "Nội dung",
}
DATES = ("issued_on", "basis_issued_on", "report_due")
SHOWN = {
    "normal": "Thường",
    "khan": "Khẩn",
    "thuong_khan": "Thượng khẩn",
    "hoa_toc": "Hỏa tốc",
    "forward": "hệ thống ban hành công văn triển khai",
    "author": "đơn vị tự soạn văn bản triển khai",
}
QUOTED = 300  # characters of a paragraph or task quoted in a notice


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    words: str  # the line of the notice


def _plain(value: Any) -> Any:
    if isinstance(value, list):  # the printed Nơi nhận lines, quoted in a notice as one text
        return "; ".join(value)
    return value.isoformat() if isinstance(value, date) else (str(value) if hasattr(value, "value") else value)


def stored_values(session: Session, directive: Directive) -> dict[str, Any]:
    """The directive as stored now: its fields, original and tasks."""
    values = {name: _plain(getattr(directive, name)) for name in FIELDS}
    values["original"] = (
        {"name": directive.original_name, "sha256": directive.original_sha256, "mime": directive.original_mime,
         "size": directive.original_size} if directive.original_sha256 else None
    )  # fmt: skip
    tasks = session.exec(
        select(DirectiveTask).where(DirectiveTask.directive_id == directive.id).order_by(col(DirectiveTask.seq))
    ).all()
    values["tasks"] = [{"text": t.text, "to": list(t.to_codes), "to_kinds": list(t.to_kinds)} for t in tasks]
    return values


def file_values(spec: DirectiveSpec, original: SignedOriginal | None) -> dict[str, Any]:
    """The same keys, from a directive file (its original checked: cascade.documents.originals)."""
    values = {name: _plain(getattr(spec, name)) for name in FIELDS}
    values["original"] = asdict(original) if original is not None else None
    values["tasks"] = [{"text": t.text, "to": list(t.to), "to_kinds": list(t.to_kinds)} for t in spec.tasks]
    return values


def _quote(text: str) -> str:
    text = " ".join(str(text).split())
    return f"«{text if len(text) <= QUOTED else text[: QUOTED - 1] + '…'}»"


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if name in DATES:
        return vn_date(date.fromisoformat(value))
    return SHOWN.get(str(value), str(value))


def _addressees(session: Session, task: dict[str, Any]) -> str:
    names = {u.code: u.name for u in session.exec(select(Unit).where(col(Unit.code).in_(task["to"]))).all()}
    parts = [names.get(code, code) for code in task["to"]]
    parts += kinds_words(task["to_kinds"], kind_names(session, task["to_kinds"]))
    return ", ".join(parts)


def _paragraphs(label: str, old: str, new: str) -> list[str]:
    a = [p.strip() for p in (old or "").split("\n\n") if p.strip()]
    b = [p.strip() for p in (new or "").split("\n\n") if p.strip()]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                before = a[i1 + k] if i1 + k < i2 else None
                after = b[j1 + k] if j1 + k < j2 else None
                if before is not None and after is not None:
                    out.append(f"{label}, đoạn {j1 + k + 1}: {_quote(before)} sửa thành {_quote(after)}")
                elif after is not None:
                    out.append(f"{label}: thêm đoạn {j1 + k + 1}: {_quote(after)}")
                else:
                    out.append(f"{label}: bỏ đoạn {_quote(before or '')}")
        elif op == "insert":
            out += [f"{label}: thêm đoạn {j + 1}: {_quote(b[j])}" for j in range(j1, j2)]
        elif op == "delete":
            out += [f"{label}: bỏ đoạn {_quote(a[i])}" for i in range(i1, i2)]
    return out


def _tasks(session: Session, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    out = []
    for n in range(max(len(old), len(new))):
        before = old[n] if n < len(old) else None
        after = new[n] if n < len(new) else None
        if before == after:
            continue
        if before is None:
            out.append(f"Thêm nhiệm vụ {n + 1} (giao {_addressees(session, after or {})}): {_quote(after['text'])}")  # type: ignore[index]
        elif after is None:
            out.append(f"Bỏ nhiệm vụ {n + 1}: {_quote(before['text'])}")
        else:
            if before["text"] != after["text"]:
                out.append(f"Nhiệm vụ {n + 1}: {_quote(before['text'])} sửa thành {_quote(after['text'])}")
            if (before["to"], before["to_kinds"]) != (after["to"], after["to_kinds"]):
                out.append(
                    f"Nhiệm vụ {n + 1}: giao {_addressees(session, after)} (trước đây: {_addressees(session, before)})"
                )
    return out


def changes(session: Session, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between two versions' values, in words, in the order a notice lists them."""
    out: list[Change] = []
    for name, label in FIELDS.items():
        before, after = old.get(name), new.get(name)
        if (before or None) == (after or None):
            continue
        if name == "body":
            out += [Change(name, label, line) for line in _paragraphs(label, before or "", after or "")]
        elif not before:
            out.append(Change(name, label, f"{label}: bổ sung {_quote(_shown(name, after))}"))
        elif not after:
            out.append(Change(name, label, f"{label}: bỏ {_quote(_shown(name, before))}"))
        else:
            out.append(
                Change(name, label, f"{label}: {_quote(_shown(name, before))} sửa thành {_quote(_shown(name, after))}")
            )
    before_file, after_file = old.get("original"), new.get("original")
    if (before_file or {}).get("sha256") != (after_file or {}).get("sha256"):
        label = "Bản gốc có chữ ký"
        if before_file and after_file:
            words = f"{label}: thay tệp {_quote(before_file['name'])} bằng tệp {_quote(after_file['name'])}"
        elif after_file:
            words = f"{label}: bổ sung tệp {_quote(after_file['name'])}"
        else:
            words = f"{label}: bỏ tệp {_quote((before_file or {}).get('name', ''))}"
        out.append(Change("original", label, words))
    out += [Change("tasks", "Nhiệm vụ", line) for line in _tasks(session, old["tasks"], new["tasks"])]
    return out
