"""`cascade status` as a coloured tree: each unit under the unit whose directive it received."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from cascade.render import STATUS_LABELS

COLOURS = {
    "queued": "yellow",
    "arrived": "yellow",
    "refused": "bold red",
    "acknowledged": "green",
    "assigned": "green",
    "in_progress": "cyan",
    "completed": "bold green",
}


def _label(u: dict[str, Any], late: bool) -> str:
    colour = COLOURS.get(u["status"], "white")
    parts = [
        f"[bold]{escape(u['unit'])}[/] {escape(u['name'])}",
        f"[{colour}]{escape(u['status_label'])}[/]" + (f" [dim](edXML {u['edxml']})[/]" if u["edxml"] else ""),
    ]
    if u["acknowledged_at"]:
        parts.append(f"[dim]xác nhận {u['acknowledged_at'][:16].replace('T', ' ')}[/]")
    else:
        parts.append(("[bold red]QUÁ HẠN[/] " if late else "") + f"[dim]hạn {u['ack_due']}[/]")
    if u["role"] == "info":
        parts.append("[dim]để biết[/]")
    if u.get("implementing_directive"):
        parts.append(f"→ [magenta]{escape(u['implementing_directive'])}[/]")
    return " · ".join(parts)


def status_tree(data: dict[str, Any], today: str | None = None) -> Tree:
    """Rows are depth first with a `level`: a row hangs under the nearest row one level up."""
    root = Tree(f"[bold]{escape(data['number'])}[/] — {escape(data['summary'])}", guide_style="dim")
    parents: dict[int, Tree] = {0: root}
    for u in data["units"]:
        level = int(u["level"])
        waiting = not u["acknowledged_at"] and u["status"] in ("queued", "arrived")
        late = bool(today) and waiting and u["ack_due"] < str(today)
        parent = parents.get(level - 1, root)
        parents[level] = parent.add(_label(u, late))
    return root


def counts_line(data: dict[str, Any]) -> str:
    counts = Counter(data["counts"])
    parts = [
        f"[{COLOURS.get(status, 'white')}]{STATUS_LABELS.get(status, status)}[/] ({status}): {n}"
        for status, n in sorted(counts.items())
    ]
    return "Counts: " + ", ".join(parts)


def print_status(data: dict[str, Any], out: Console, today: str | None = None) -> None:
    wide = Console(file=out.file, width=max(out.width, 160), no_color=out.no_color) if not out.is_terminal else out
    wide.print(status_tree(data, today))
    wide.print(counts_line(data))
