"""A unit's journal (its audit log, on the console's unit page) as a clerk reads it: who did it in words ("hệ
thống", "nhắc việc tự động", "đơn vị xác nhận qua liên kết (IP …)"), and what each entry records as a sentence:
units by name, figures by their indicators' names in Vietnamese numbers, dates as dd/mm/yyyy. The audit log keeps
its raw detail for programs; each event kind has its sentence here, and a detail no sentence knows is still read
out plainly (`plainly`), never as a Python value."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from sqlmodel import Session, col, select

from cascade.directives.reportplan import effective_plan
from cascade.rendering.render import ACCOUNT_ROLE_LABELS, AUDIT_EVENT_LABELS, owed_words, vn_date, vn_number
from models import AuditEvent, AuditLog, Directive, Unit

LINK_ACTOR = re.compile(r"link from (.*)")
ACTORS = {  # the actors written by the system itself (an account writes its email)
    "system": "hệ thống",
    "monitor": "nhắc việc tự động",
    "cli": "quản trị viên (dòng lệnh)",
}
MODES = {"forward": "hệ thống ban hành công văn chuyển tiếp", "author": "đơn vị tự soạn văn bản triển khai"}
MISSING = {"signer": "người ký"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The words of the detail keys no sentence below knows, for `plainly`.
KEY_WORDS = {
    "number": "văn bản số", "reason": "lý do", "source": "nguồn", "count": "số lượng", "email": "tài khoản",
    "cycle": "kỳ", "version": "phiên bản", "files": "tệp đính kèm", "to": "gửi tới", "due": "hạn",
    "late": "sau hạn", "with": "cùng văn bản số", "to_name": "đơn vị", "year": "năm",
}  # fmt: skip


@dataclass(frozen=True)
class JournalLine:
    at: datetime
    event: str  # the event in words (a Vietnamese source text, translated by the page)
    actor: str
    detail: str


class Names:
    """Unit names by code and indicator names by directive, read once for the whole journal."""

    def __init__(self, session: Session, entries: list[AuditLog]) -> None:
        codes = {c for e in entries for c in _codes(e.detail)}
        found = session.exec(select(Unit.code, Unit.name).where(col(Unit.code).in_(codes))).all() if codes else []
        self.units = dict(found)
        self.session = session
        self.known: dict[int, dict[str, dict[str, Any]]] = {}

    def unit(self, code: Any) -> str:
        return self.units.get(str(code), str(code))

    def indicators(self, directive_id: int | None) -> dict[str, dict[str, Any]]:
        if directive_id is None:
            return {}
        if directive_id not in self.known:
            directive = self.session.get(Directive, directive_id)
            plan = effective_plan(self.session, directive) if directive else None
            self.known[directive_id] = {i["code"]: i for i in (plan.indicators if plan else [])}
        return self.known[directive_id]


def journal(session: Session, entries: list[AuditLog]) -> list[JournalLine]:
    """The entries, in their order, as the unit page shows them."""
    names = Names(session, entries)
    return [
        JournalLine(e.at, AUDIT_EVENT_LABELS.get(e.event, "Sự kiện khác"), actor_words(e), detail_words(e, names))
        for e in entries
    ]


def actor_words(entry: AuditLog) -> str:
    link = LINK_ACTOR.fullmatch(entry.actor)
    if link:
        who = "đơn vị xác nhận qua liên kết" if entry.event == AuditEvent.acknowledged else "đơn vị qua liên kết"
        return f"{who} (IP {link[1]})" if link[1] not in ("", "None") else who
    if entry.actor.startswith("cascade "):  # a command's name: `cascade register set`, `cascade user add`
        return ACTORS["cli"]
    return ACTORS.get(entry.actor, entry.actor)


def detail_words(entry: AuditLog, names: Names) -> str:
    detail = dict(entry.detail or {})
    sentence = SENTENCES.get(entry.event)
    try:
        return sentence(detail, names, entry) if sentence else plainly(detail, names)
    except (KeyError, TypeError, ValueError, AttributeError):  # an older entry without a key: read it plainly
        return plainly(detail, names)


def plainly(detail: dict[str, Any], names: Names) -> str:
    parts = [f"{KEY_WORDS.get(k, k.replace('_', ' '))}: {_value(v, names)}" for k, v in detail.items() if v != ""]
    return "; ".join(parts)


def _value(value: Any, names: Names) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float):
        return vn_number(value)
    if isinstance(value, list):
        return ", ".join(_value(v, names) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v, names)}" for k, v in value.items())
    if value is None:
        return "không có"
    text = str(value)
    return _day(text) if ISO_DATE.fullmatch(text) else names.unit(text)


def _day(iso: str) -> str:
    return vn_date(date.fromisoformat(iso))


def _file(source: str) -> str:
    return PurePath(source).name


def _codes(detail: dict[str, Any]) -> list[str]:
    """Every text of the detail that may be a unit's code (looked up all at once; the others find no unit)."""
    found: list[str] = []
    for value in (detail or {}).values():
        found += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and len(v) <= 64]
    return found


def _figures(detail: dict[str, Any], names: Names, entry: AuditLog) -> str:
    indicators = names.indicators(entry.directive_id)
    parts = []
    for code, value in (detail.get("totals") or {}).items():
        known = indicators.get(code, {})
        unit = f" {known['unit']}" if known.get("unit") and known["unit"] != "%" else known.get("unit", "")
        parts.append(f"{known.get('name', code)}: {vn_number(value)}{unit}")
    text = f"Kỳ {detail['cycle']}: " + ("; ".join(parts) if parts else "chưa có số liệu")
    missing = [names.unit(c) for c in detail.get("missing") or []]
    return text + (f". Chưa báo cáo: {', '.join(missing)}" if missing else ". Mọi đơn vị đã báo cáo")


def _issued(d: dict[str, Any], names: Names, entry: AuditLog) -> str:
    how = "công văn do hệ thống ban hành" if d["source"] == "forward" else "văn bản đơn vị tự soạn"
    number = "số lấy từ sổ văn bản đi" if d.get("register") == "taken" else "số do đơn vị ghi"
    return f"Văn bản số {d['number']} ({how}, {number}) gửi {vn_number(d['recipients'])} đơn vị trực thuộc"


def _recalled(d: dict[str, Any], names: Names, entry: AuditLog) -> str:
    if d.get("with"):
        return f"Văn bản số {d['number']}, thu hồi cùng văn bản số {d['with']}. Lý do: {d['reason']}"
    counts = f"{vn_number(d['notices'])} đơn vị được báo thu hồi, {vn_number(d['cancelled'])} thư chưa gửi đã hủy"
    reason = d["reason"].rstrip()
    return f"Văn bản số {d['number']}. Lý do: {reason}{'' if reason.endswith(('.', '!', '?')) else '.'} {counts}"


def _chased(d: dict[str, Any], names: Names, entry: AuditLog) -> str:
    return f"Việc {owed_words(d['item'])}, hạn {_day(d['due'])}; thư gửi {', '.join(d['to'])}"


def _report(d: dict[str, Any], names: Names, entry: AuditLog) -> str:
    late = ", nộp sau hạn" if d.get("late") else ""
    return f"Kỳ {d['cycle']}, lần {d['version']}{late}; {vn_number(d['files'])} tệp đính kèm"


Sentence = Callable[[dict[str, Any], Names, AuditLog], str]
SENTENCES: dict[str, Sentence] = {
    AuditEvent.directive_stored: lambda d, n, e: f"Văn bản số {d['number']}, từ tệp {_file(d['source'])}",
    AuditEvent.notices_enqueued: lambda d, n, e: f"{vn_number(d['count'])} thư thông báo",
    AuditEvent.directive_launched: lambda d, n, e: f"Văn bản số {d['number']}, từ tệp {_file(d['source'])}",
    AuditEvent.refusal_accepted: lambda d, n, e: f"Lý do đơn vị nêu: {d['reason']}",
    AuditEvent.account_created: lambda d, n, e: f"Tài khoản {d['email']}, vai trò "
    f"{str(ACCOUNT_ROLE_LABELS.get(d['role']) or d['role']).lower()}",
    AuditEvent.password_changed: lambda d, n, e: f"Tài khoản {d['email']}",
    AuditEvent.api_token_created: lambda d, n, e: f"Tài khoản {d['email']}" + (
        f", ghi chú: {d['label']}" if d.get("label") else ""),
    AuditEvent.directive_recalled: _recalled,
    AuditEvent.recall_agreed: lambda d, n, e: f"Văn bản số {d['number']}",
    AuditEvent.recall_refused: lambda d, n, e: f"Văn bản số {d['number']}. Lý do: {d['reason']}",
    AuditEvent.directive_amended: lambda d, n, e: f"Văn bản số {d['number']}, phiên bản {d['version']}: "
    + "; ".join(d["changes"]),
    AuditEvent.reacknowledgement_asked: lambda d, n, e: f"Hạn xác nhận lại {_day(d['ack_due'])}",
    AuditEvent.directive_replaced: lambda d, n, e: f"Văn bản số {d['number']} được thay thế bằng văn bản số {d['by']}",
    AuditEvent.recipients_added: lambda d, n, e: f"Văn bản số {d['number']}: thêm "
    + ", ".join(n.unit(c) for c in d["units"]),
    AuditEvent.acknowledged: lambda d, n, e: "",  # the link's browser says nothing a clerk needs
    AuditEvent.refused: lambda d, n, e: f"Lý do: {d['reason']}",
    AuditEvent.rerouted: lambda d, n, e: f"Chuyển cho {d.get('to_name') or n.unit(d['to'])}",
    AuditEvent.awaiting_implementing_directive: lambda d, n, e: f"Hạn triển khai {_day(d['pass_on_due'])}; "
    f"cách triển khai: {MODES.get(d['mode'], d['mode'])}"
    + (f"; còn thiếu {MISSING.get(d['missing'], d['missing'])}" if d.get("missing") else ""),
    AuditEvent.implementing_directive_issued: _issued,
    AuditEvent.signer_recorded: lambda d, n, e: "Người ký: "
    + " ".join(p for p in (d.get("on_behalf"), d.get("title"), d.get("name")) if p),
    AuditEvent.register_set: lambda d, n, e: f"Sổ văn bản đi năm {d['year']}: số tiếp theo {d['next_number']} "
    f"(trước đó {d['was']}, số lớn nhất đã dùng {d['highest_used']})",
    AuditEvent.report_saved: _report,
    AuditEvent.report_submitted: _report,
    AuditEvent.report_consolidated: _figures,
    AuditEvent.org_imported: lambda d, n, e: f"Từ tệp {_file(d['source'])}: {vn_number(d['created'])} đơn vị mới, "
    f"{vn_number(d['updated'])} đơn vị cập nhật",
    AuditEvent.assignment_moved: lambda d, n, e: f"Sang {d.get('to_name') or n.unit(d['to'])}",
    AuditEvent.assignment_merged: lambda d, n, e: f"Đơn vị kế thừa: {d.get('to_name') or n.unit(d['to'])}",
    AuditEvent.unit_dissolved: lambda d, n, e: f"Đơn vị kế thừa: {d['successor_name']}; "
    f"{vn_number(d['moved'])} văn bản đang thực hiện và {vn_number(d['children'])} đơn vị trực thuộc chuyển sang",
    AuditEvent.mail_bounced: lambda d, n, e: f"Thư tới {d['to']} bị trả lại: {d['reply']}"
    + (f"; đã báo {n.unit(d['escalated_to'])}" if d.get("escalated_to") else ""),
    **dict.fromkeys(
        (AuditEvent.mail_in_doubt_delivered, AuditEvent.mail_in_doubt_resent, AuditEvent.mail_in_doubt_not_delivered),
        lambda d, n, e: "",  # the event says it all; the message's keys are for the operator's log
    ),
    **dict.fromkeys((AuditEvent.escalation(s) for s in ("before", "due", "parent", "escalate")), _chased),
}  # fmt: skip
