"""A directive's status as a person reads it: lateness in working days ("quá 3 ngày làm việc"), roles and kinds
in words, dates and figures the Vietnamese way, and units by name (never "TU_LC", "district_federation" or "act").
The Prefect artifacts are written here (tasks/status.py only publishes them); the pages and the command line use
the same words."""

from __future__ import annotations

from datetime import date, datetime

from cascade.rendering.render import KIND_LABELS, STATUS_LABELS, vn_date, vn_number, vn_time
from cascade.status.summary import Summary
from models import Directive


def late_phrase(days: int) -> str:
    """ "quá 3 ngày làm việc"; "" when not late."""
    return f"quá {vn_number(days)} ngày làm việc" if days > 0 else ""


def kind_label(kind: str) -> str:
    """The kind of a unit in words; a kind the project has no words for reads as "Đơn vị", never as its code."""
    return KIND_LABELS.get(kind, "Đơn vị")


def _date(iso: str | None) -> str:
    return vn_date(date.fromisoformat(iso)) if iso else ""


def _time(iso: str | None) -> str:
    return vn_time(datetime.fromisoformat(iso)) if iso else ""


def artifact_rows(summary: Summary) -> list[dict[str, str]]:
    """The table artifact: each direct recipient by name, its role and status in words, its deadlines as
    Vietnamese dates and how late it is acknowledging, under Vietnamese column names."""
    rows = []
    for r in summary.rows:
        rows.append(
            {
                "Đơn vị": r["name"],
                "Vai trò": r["role_label"],
                "Trạng thái": r["status_label"],
                "Mã edXML": r["edxml"] or "",
                "Hạn xác nhận": _date(r["ack_due"]),
                "Đã xác nhận lúc": _time(r["acknowledged_at"]),
                "Hạn báo cáo": _date(r["report_due"]),
                "Quá hạn xác nhận": late_phrase(r["days_late"]),
            }
        )
    return rows


def status_markdown(
    directive: Directive,
    summary: Summary,
    url: str,
    *,
    reported: tuple[int, int] | None = None,
    live_url: str | None = None,
) -> str:
    """The summary artifact: the figures in Vietnamese numbers, the units late to acknowledge by name, and the
    link to the directive's supervisor view in the web app; with `reported` (direct recipients owing a report,
    how many reported) the share reported, with `live_url` a link to the console's live progress page."""
    counts = ", ".join(f"{STATUS_LABELS.get(s, s)}: {vn_number(n)}" for s, n in sorted(summary.counts.items()))
    more = summary.overdue > len(summary.overdue_names)
    named = ", ".join(summary.overdue_names) + (", …" if more else "")
    share = f"**{vn_number(summary.progress, 1)}%** ({vn_number(summary.acknowledged)}/{vn_number(summary.total)})"
    lines = [
        f"## {directive.number}",
        f"_{directive.summary}_",
        "",
        f"- Đã xác nhận (đơn vị nhận trực tiếp phải xác nhận): {share}",
        f"- Trạng thái (mọi cấp): {counts}",
        f"- Quá hạn xác nhận: **{vn_number(summary.overdue)}** đơn vị" + (f": {named}" if named else ""),
    ]
    if directive.recalled_at is not None:  # cascade/lifecycle: the recall, and the answers in the table
        lines.insert(2, f"**Đã thu hồi lúc {vn_time(directive.recalled_at)}.** Lý do: {directive.recall_reason}\n")
    elif directive.closed_at is not None:
        lines.insert(2, f"**Đã hết hiệu lực lúc {vn_time(directive.closed_at)}** (được thay thế).\n")
    if reported is not None and reported[0]:
        owed, done = reported
        lines.insert(4, f"- Đã báo cáo (đơn vị nhận trực tiếp phải báo cáo): **{vn_number(100.0 * done / owed, 1)}%** "
                     f"({vn_number(done)}/{vn_number(owed)})")  # fmt: skip
    if summary.truncated:
        shown = f"{vn_number(len(summary.rows))} trên {vn_number(summary.recipients)}"
        lines.append(
            f"- Bảng người nhận chỉ gồm {shown} đơn vị nhận trực tiếp đầu tiên: danh sách đầy đủ ở trang theo dõi."
        )
    lines += ["", f"**[Mở trang theo dõi (cây đơn vị, quá hạn, xuất Excel)]({url})**"]
    if live_url:
        lines += ["", f"[Xem tiến độ trực tiếp (đã gửi, đã xác nhận, quá hạn theo từng cấp)]({live_url})"]
    return "\n".join(lines)


def truncation_note(summary: Summary, url: str) -> str:
    """What the table leaves out and where the full list is ("" when it holds every direct recipient)."""
    if not summary.truncated:
        return ""
    shown = f"{vn_number(len(summary.rows))} trên {vn_number(summary.recipients)}"
    return f"Bảng chỉ gồm {shown} đơn vị nhận trực tiếp; danh sách đầy đủ: {url}"
