"""`cascade status` as a coloured tree: each unit under the unit whose directive it received; above
cascade/status/page.py's TREE_LIMIT units, figures from SQL and the first units only."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree
from sqlmodel import Session

from cascade.rendering.render import STATUS_LABELS, vn_date, vn_number, vn_time
from models import Directive, Status

COLOURS = {
    Status.queued: "yellow",
    Status.arrived: "yellow",
    Status.refused: "bold red",
    Status.acknowledged: "green",
    Status.assigned: "green",
    Status.in_progress: "cyan",
    Status.completed: "bold green",
}


def _label(u: dict[str, Any]) -> str:
    """A unit as a person reads it: its name, role and status in words, Vietnamese dates, lateness in working days
    (the codes are in --json)."""
    colour = COLOURS.get(u["status"], "white")
    parts = [
        f"[bold]{escape(u['name'])}[/] [dim]{escape(u['role_label'])}[/]",
        f"[{colour}]{escape(u['status_label'])}[/]" + (f" [dim](edXML {u['edxml']})[/]" if u["edxml"] else ""),
    ]
    if u["acknowledged_at"]:
        parts.append(f"[dim]xác nhận {vn_time(datetime.fromisoformat(u['acknowledged_at']))}[/]")
    else:
        late = f"[bold red]QUÁ HẠN {vn_number(u['days_late'])} ngày làm việc[/] · " if u["days_late"] else ""
        if u["ack_due"]:  # none for a unit informed and never chased (a superior)
            parts.append(late + f"[dim]hạn {vn_date(date.fromisoformat(u['ack_due']))}[/]")
    if u.get("implementing_directive"):
        parts.append(f"→ [magenta]{escape(u['implementing_directive'])}[/]")
    return " · ".join(parts)


def status_tree(data: dict[str, Any]) -> Tree:
    """Rows are depth first with a `level`: a row hangs under the nearest row one level up. A unit late to
    acknowledge is marked with its working days late (the rows' `days_late`, cascade/status/summary.py's)."""
    root = Tree(f"[bold]{escape(data['number'])}[/] — {escape(data['summary'])}", guide_style="dim")
    parents: dict[int, Tree] = {0: root}
    for u in data["units"]:
        level = int(u["level"])
        parent = parents.get(level - 1, root)
        parents[level] = parent.add(_label(u))
    return root


def counts_line(data: dict[str, Any]) -> str:
    """Units by status, in words and in the order a unit goes through them, in Vietnamese numbers."""
    counts = Counter(data["counts"])
    parts = [
        f"[{COLOURS.get(Status(status), 'white')}]{label}[/]: {vn_number(counts[status])}"
        for status, label in STATUS_LABELS.items()
        if counts.get(status)
    ]
    return "Counts: " + ", ".join(parts)


def _wide(out: Console) -> Console:
    return Console(file=out.file, width=max(out.width, 160), no_color=out.no_color) if not out.is_terminal else out


def print_status(data: dict[str, Any], out: Console) -> None:
    wide = _wide(out)
    wide.print(status_tree(data))
    wide.print(counts_line(data))


def overview(
    session: Session, directive: Directive, today: date, *, limit: int, overdue: bool
) -> dict[str, Any] | None:
    """A big directive's figures and first `limit` units (only the late ones with `overdue`), in memory that
    does not grow with the tree; None for a directive small enough to print as the whole tree."""
    from cascade.core.settings import get_settings
    from cascade.status.page import TREE_LIMIT, status_page
    from cascade.status.summary import summarise, tree_size

    assert directive.id is not None
    size = tree_size(session, directive_id=directive.id)
    if not overdue and size <= TREE_LIMIT:
        return None
    status = "overdue" if overdue else None
    page = status_page(session, directive_id=directive.id, today=today, status=status, size=limit)
    url = f"{get_settings().web.public_url.rstrip('/')}/admin/directives/{directive.id}"
    return {
        "number": directive.number,
        "summary": summarise(session, directive.id, today, limit=0, named=0),
        "size": size,
        "overdue": overdue,
        "total": page.total,
        "units": page.rows if limit else [],
        "url": url + ("?status=overdue" if overdue else ""),
    }


def print_overview(data: dict[str, Any], out: Console) -> None:
    wide, summary = _wide(out), data["summary"]
    wide.print(f"[bold]{escape(data['number'])}[/] — {data['size']} units (every level)")
    wide.print(
        f"Acknowledged (direct recipients): [bold]{summary.progress}%[/] ({summary.acknowledged}/{summary.total})"
        f" · [bold red]Late to acknowledge: {summary.overdue}[/]"
    )
    wide.print(counts_line({"counts": summary.counts}))
    what = "units late to acknowledge, most overdue first" if data["overdue"] else "units"
    if data["units"]:
        wide.print(f"{len(data['units'])} of {data['total']} {what}:")
    for u in data["units"]:
        wide.print(f"  [dim]L{u['level']}[/] {_label(u)}")
    if data["total"] > len(data["units"]):
        rest = data["total"] - len(data["units"])
        hint = "" if data["overdue"] else ", --overdue for the late ones"
        wide.print(f"… {rest} more: --limit N to list more{hint}; all of them: {data['url']}", soft_wrap=True)
