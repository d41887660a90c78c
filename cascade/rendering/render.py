"""Jinja2 environment for every email and page (autoescaped HTML, plain text alongside)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cascade.core.workdays import VN_TZ
from cascade.rendering.i18n import decree_long_date
from cascade.rendering.i18n import install as install_i18n
from models import (
    CHASED_ROLES,
    AuditEvent,
    CascadeMode,
    MailStatus,
    RecallState,
    ReportState,
    ReportStatus,
    Role,
    Status,
    TaskStatus,
    Urgency,
    UserRole,
)

# The templates ship as the `templates` package (package data in the wheel), found through the import system.
TEMPLATES_DIR = Path(str(files("templates")))

# A recipient's role in words, as the status views, exports and artifacts show it (never the raw value); keyed by
# str so that a plain value read back from a row finds its label too.
ROLE_LABELS: dict[str, str] = {
    Role.act: "Thực hiện",
    Role.coordinate: "Phối hợp",
    Role.info: "Để biết",
    Role.superior: "Để báo cáo",
}
# A unit's kind in words (the tree's `kind` is a code a person never reads): one unit, and many under one line
# of a "Nơi nhận" or a task heading ("Các CĐCS trực thuộc (33 đơn vị)").
KIND_LABELS: dict[str, str] = {
    "party_committee": "Cấp ủy",
    "party_department": "Ban của cấp ủy",
    "confederation": "Tổng Liên đoàn Lao động",
    "federation": "Liên đoàn Lao động tỉnh, thành phố",
    "department": "Ban, văn phòng",
    "district_federation": "Liên đoàn Lao động huyện, thành phố",
    "sector_union": "Công đoàn ngành",
    "civil_servants_union": "Công đoàn Viên chức",
    "grassroots_union": "Công đoàn cơ sở",
}
KIND_GROUPS: dict[str, str] = {
    "party_committee": "Các cấp ủy",
    "party_department": "Các ban của cấp ủy",
    "confederation": "Tổng Liên đoàn Lao động",
    "federation": "LĐLĐ các tỉnh, thành phố",
    "department": "Các ban, văn phòng",
    "district_federation": "LĐLĐ các huyện, thành phố",
    "sector_union": "Các Công đoàn ngành",
    "civil_servants_union": "Các Công đoàn Viên chức",
    "grassroots_union": "Các CĐCS",
}
UNKNOWN_KIND_GROUP = "Các đơn vị"
# Keyed by the members; typed by str because a plain value finds its label too (a StrEnum member hashes and
# compares as its value): counts and rows read back from JSON hold plain values.
STATUS_LABELS: dict[str, str] = {
    Status.queued: "Chờ gửi",
    Status.arrived: "Đã đến",
    Status.refused: "Từ chối tiếp nhận",
    Status.acknowledged: "Đã tiếp nhận",
    Status.assigned: "Đã phân công",
    Status.in_progress: "Đang xử lý",
    Status.completed: "Hoàn thành",
}
# A unit's answer to a recall (cascade/lifecycle), as the status views and exports show it (edXML 13, 15, 16).
RECALL_LABELS: dict[str, str] = {
    RecallState.requested: "Đã yêu cầu thu hồi, chưa trả lời",
    RecallState.agreed: "Đồng ý thu hồi",
    RecallState.refused: "Không đồng ý thu hồi",
}
# A unit's report for a cycle in the rolled-up tables (cascade/status/rollup.py unit_rows: never a draft).
REPORT_STATE_LABELS: dict[ReportState, str] = {
    ReportState.submitted: "Đã báo cáo",
    ReportState.late: "Báo cáo muộn",
    ReportState.missing: "Chưa báo cáo",
}
# An audit log entry's event in words (the admin unit history; English in cascade.rendering.i18n.EN). Keyed by
# str: an entry read back from its row holds the plain value.
AUDIT_EVENT_LABELS: dict[str, str] = {
    AuditEvent.directive_stored: "Lưu văn bản vào hệ thống",
    AuditEvent.notices_enqueued: "Xếp thư thông báo vào hàng gửi",
    AuditEvent.acknowledged: "Xác nhận đã nhận văn bản",
    AuditEvent.refused: "Từ chối tiếp nhận văn bản",
    AuditEvent.rerouted: "Chuyển văn bản cho đơn vị khác",
    AuditEvent.awaiting_implementing_directive: "Chờ ban hành văn bản triển khai",
    AuditEvent.implementing_directive_issued: "Ban hành văn bản triển khai",
    AuditEvent.signer_recorded: "Ghi nhận người ký",
    AuditEvent.register_set: "Đặt lại sổ văn bản đi",
    AuditEvent.report_saved: "Lưu báo cáo (chưa gửi)",
    AuditEvent.report_submitted: "Nộp báo cáo",
    AuditEvent.report_consolidated: "Tổng hợp báo cáo",
    AuditEvent.org_imported: "Nhập cơ cấu tổ chức",
    AuditEvent.assignment_moved: "Chuyển văn bản sang đơn vị kế thừa",
    AuditEvent.assignment_merged: "Gộp vào văn bản của đơn vị kế thừa",
    AuditEvent.unit_dissolved: "Giải thể đơn vị, giao đơn vị kế thừa",
    AuditEvent.mail_bounced: "Thư bị trả lại",
    AuditEvent.mail_in_doubt_delivered: "Thư chưa rõ tình trạng: xác định đã đến",
    AuditEvent.mail_in_doubt_resent: "Thư chưa rõ tình trạng: đã gửi lại",
    AuditEvent.mail_in_doubt_not_delivered: "Thư chưa rõ tình trạng: xác định không đến",
    AuditEvent.escalation_before: "Nhắc trước hạn",
    AuditEvent.escalation_due: "Nhắc đúng hạn",
    AuditEvent.escalation_parent: "Nhắc, báo đơn vị cấp trên",
    AuditEvent.escalation_escalate: "Báo cán bộ theo dõi",
    AuditEvent.directive_launched: "Phát hành văn bản từ trang quản trị",
    AuditEvent.refusal_accepted: "Chấp nhận việc từ chối tiếp nhận",
    AuditEvent.account_created: "Tạo tài khoản",
    AuditEvent.password_changed: "Đổi mật khẩu",
    AuditEvent.api_token_created: "Tạo mã truy cập API",
    AuditEvent.directive_recalled: "Thu hồi văn bản",
    AuditEvent.recall_agreed: "Đồng ý thu hồi văn bản",
    AuditEvent.recall_refused: "Không đồng ý thu hồi văn bản",
    AuditEvent.directive_amended: "Đính chính văn bản",
    AuditEvent.reacknowledgement_asked: "Đề nghị xác nhận lại văn bản đã đính chính",
    AuditEvent.directive_replaced: "Thay thế văn bản",
    AuditEvent.recipients_added: "Bổ sung nơi nhận",
}


def owed_words(item: str) -> str:
    """What an item of the chasing ladder asks of a unit ("ack", "pass", "r1", …), in words: the reminders, the
    digests and the unit's journal say it alike."""
    if item == "ack":
        return "xác nhận đã nhận văn bản"
    if item == "pass":
        return "ban hành văn bản triển khai tới các đơn vị trực thuộc"
    return f"báo cáo kết quả (kỳ {item[1:]})"


# A console account's role in words (models.account.UserRole; keyed by str, like the others).
ACCOUNT_ROLE_LABELS: dict[str, str] = {
    UserRole.admin: "Quản trị đơn vị",
    UserRole.supervisor: "Theo dõi",
    UserRole.operator: "Vận hành hệ thống",
}
# The enums templates compare with (`assignment.status == Status.refused`).
ENUMS = (CascadeMode, MailStatus, RecallState, ReportState, ReportStatus, Role, Status, TaskStatus, Urgency)


def vn_date(value: date | None) -> str:
    """20/05/2021, the way Vietnamese documents write dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def vn_long_date(value: date) -> str:
    """ngày 20 tháng 5 năm 2021, ngày 05 tháng 02 năm 2026: a document's place-and-date line, as the decree
    pads it (cascade.rendering.i18n.decree_long_date)."""
    return decree_long_date(value)


_SWAP_SEPARATORS = str.maketrans(",.", ".,")


def vn_number(value: float | int | None, decimals: int = 4) -> str:
    """1.234.567 and 12,5: a figure the Vietnamese way (dot between thousands, comma before decimals), never
    in exponent form; whole floats lose their ",0", decimals are rounded to `decimals` places."""
    if value is None or isinstance(value, bool):
        return ""
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return ""
    rounded = round(number, decimals)
    if rounded == int(rounded):
        text = f"{int(rounded):,}"
    else:
        text = f"{rounded:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.translate(_SWAP_SEPARATORS)


def vn_size(size: int) -> str:
    """A file's size as a Vietnamese reader writes it: 35 KB, 12,5 MB (a decimal comma, never "0 KB")."""
    if size < 1024 * 1024:
        return f"{vn_number(max(1, round(size / 1024)))} KB"
    return f"{vn_number(size / (1024 * 1024), 1)} MB"


def vn_time(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the code: no stat() of the file at every render
    )
    env.filters.update(vn_date=vn_date, vn_long_date=vn_long_date, vn_time=vn_time, vn_number=vn_number)
    env.filters.update(vn_size=vn_size)
    env.globals.update(role_labels=ROLE_LABELS, status_labels=STATUS_LABELS, report_state_labels=REPORT_STATE_LABELS)
    env.globals.update(kind_labels=KIND_LABELS, audit_event_labels=AUDIT_EVENT_LABELS)
    env.globals.update(account_role_labels=ACCOUNT_ROLE_LABELS, chased_roles=CHASED_ROLES)
    env.globals.update({enum.__name__: enum for enum in ENUMS})
    install_i18n(env)
    return env


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)


def outbox_row(key: str, kind: str, to: tuple[str, str], template: str, now: datetime, **values: Any) -> dict[str, Any]:
    """An outbox row for `email/<template>_subject.txt`, `.txt` and `.html` rendered with `values`
    (`directive_id` and `assignment_id` among them go on the row, not to the templates)."""
    return {
        "key": key,
        "kind": kind,
        "directive_id": values.pop("directive_id", None),
        "assignment_id": values.pop("assignment_id", None),
        "to_addr": to[1],
        "to_name": to[0],
        "subject": " ".join(render(f"email/{template}_subject.txt", **values).split()),
        "body_text": render(f"email/{template}.txt", **values),
        "body_html": render(f"email/{template}.html", **values),
        "status": MailStatus.pending,
        "attempts": 0,
        "created_at": now,
    }
