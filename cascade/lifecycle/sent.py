"""What a lifecycle command sent, as its Prefect artifact shows it (tasks/lifecycle.py publishes it): each email
by unit, address, subject and what became of it, in words; and a markdown summary."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cascade.lifecycle.results import Outcome
from cascade.rendering.render import vn_number
from models import MailStatus, OutboxMessage

MAIL_LABELS: dict[str, str] = {
    MailStatus.pending: "Chờ gửi",
    MailStatus.claimed: "Đang gửi",
    MailStatus.sending: "Đang gửi",
    MailStatus.sent: "Đã gửi",
    MailStatus.failed: "Lỗi tạm thời, sẽ gửi lại",
    MailStatus.bounced: "Bị trả lại",
    MailStatus.cancelled: "Đã hủy",
}
TITLES = {
    "recall": "Thu hồi văn bản",
    "amend": "Đính chính văn bản",
    "replace": "Thay thế văn bản",
    "add-recipients": "Bổ sung nơi nhận",
}


def notice_ids(session: Session, assignment_ids: list[int]) -> list[int]:
    """The notices of these assignments (units added to a directive)."""
    if not assignment_ids:
        return []
    query = select(OutboxMessage.id).where(
        col(OutboxMessage.assignment_id).in_(assignment_ids), OutboxMessage.kind == "notice"
    )
    return sorted(i for i in session.exec(query).all() if i is not None)


def sent_rows(session: Session, message_ids: list[int]) -> list[dict[str, str]]:
    """One row per email: to whom, its subject, and whether it went."""
    if not message_ids:
        return []
    query = select(OutboxMessage).where(col(OutboxMessage.id).in_(message_ids)).order_by(col(OutboxMessage.id))
    return [
        {"Đơn vị": m.to_name, "Địa chỉ": m.to_addr, "Tiêu đề": m.subject, "Tình trạng": MAIL_LABELS[m.status]}
        for m in session.exec(query).all()
    ]


def outcome_markdown(outcome: Outcome, rows: list[dict[str, str]]) -> str:
    sent = sum(1 for r in rows if r["Tình trạng"] == MAIL_LABELS[MailStatus.sent])
    lines = [
        f"## {TITLES[outcome['kind']]}: {outcome['number']}",
        f"_{outcome['issuer']}_",
        "",
        *outcome["lines"],
        "",
        f"- Thư đã gửi: **{vn_number(sent)}** / {vn_number(len(rows))}",
    ]
    if outcome["cancelled"]:
        lines.append(f"- Thư chưa gửi đã hủy: **{vn_number(outcome['cancelled'])}**")
    return "\n".join(lines)
