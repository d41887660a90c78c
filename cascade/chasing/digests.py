"""The digests and escalations of a monitor run: one email per supervisor (its units taking their "parent"
step, and every unit overdue with its directives) and one per follow-up officer, each listing the first units
and counting the rest, collected step by step in bounded memory."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cascade.chasing.reminders import what
from cascade.chasing.steps import Item, Taken
from cascade.core.workdays import WorkCalendar
from cascade.rendering.render import outbox_row


def line(item: Item, today: date, calendar: WorkCalendar) -> dict[str, Any]:
    """A unit's line in a digest or an escalation; how late it is counts working days ("quá 3 ngày làm việc")."""
    return {
        "unit": item.unit,
        "directive": item.directive,
        "what": what(item),
        "due": item.due,
        "days_late": calendar.working_days_late(item.due, today),
    }


# Units an email lists; the others are counted and linked. The issuer of a national directive is its every
# unit's supervisor: its digest listed 70,544 units, and the officer's escalation, 14 MB of HTML, was refused
# by the mail server ("552 Too much mail data"; Postfix's default limit is 10 MB).
LISTED = 200


def listed(lines: list[dict[str, Any]], public_url: str) -> dict[str, Any]:
    """The first LISTED lines, how many there are in all, and where the supervisor view has them all."""
    if len(lines) <= LISTED:
        return {"lines": lines, "total": len(lines), "full_lists": []}
    directives = {entry["directive"].id: entry["directive"].number for entry in lines}
    base = public_url.rstrip("/")
    full = [{"number": number, "url": f"{base}/admin/directives/{i}"} for i, number in directives.items()]
    return {"lines": lines[:LISTED], "total": len(lines), "full_lists": full}


class Listing:
    """A list that may be national, kept short as it grows: the first LISTED lines by their sort key, how many
    in all, and the directives its lines name in the order they first appear (`listed` of the whole list)."""

    def __init__(self) -> None:
        self.kept: list[tuple[Any, int, Item, Any]] = []  # (key, arrival, item, supervisor)
        self.total = 0
        self.first_of: dict[int, tuple[Any, int, str]] = {}  # directive id: (its first key, arrival, number)

    def add(self, key: Any, item: Item, supervisor: Any = None) -> None:
        self.total += 1
        entry = (key, self.total, item, supervisor)  # the arrival breaks ties as a stable sort would
        self.kept.append(entry)
        if len(self.kept) > 4 * LISTED:
            self.kept.sort(key=lambda e: e[:2])
            del self.kept[LISTED:]
        directive_id = item.directive.id or 0
        if directive_id not in self.first_of or entry[:2] < self.first_of[directive_id][:2]:
            self.first_of[directive_id] = (key, self.total, item.directive.number)

    def count_more(self, n: int) -> None:
        """Items of the list, not added, that sort after the ones added from the same query."""
        self.total += n

    def listed(
        self, today: date, calendar: WorkCalendar, public_url: str, with_supervisor: bool = False
    ) -> dict[str, Any]:
        """As `listed` would make of the whole list, sorted."""
        self.kept.sort(key=lambda e: e[:2])
        lines = [
            {**line(item, today, calendar), **({"supervisor": sup} if with_supervisor else {})}
            for _, _, item, sup in self.kept[:LISTED]
        ]
        if self.total <= LISTED:
            return {"lines": lines, "total": self.total, "full_lists": []}
        base = public_url.rstrip("/")
        firsts = sorted(self.first_of.items(), key=lambda d: d[1][:2])
        full = [{"number": number, "url": f"{base}/admin/directives/{i}"} for i, (_, _, number) in firsts]
        return {"lines": lines, "total": self.total, "full_lists": full}


@dataclass
class Digest:
    """One recipient's digest or escalation being collected: its lines and the span of its step ids."""

    to: tuple[str, str]
    recipient: Any
    lines: Listing = field(default_factory=Listing)
    first_step: int = 0
    last_step: int = 0
    issuers: dict[int, str] = field(default_factory=dict)  # the units that issued the directives it lists

    def add(self, t: Taken, key: Any, supervisor: Any = None) -> None:
        self.lines.add(key, t.item, supervisor)
        if t.supervisor is not None:  # the issuer of the item's directive (cascade.chasing.ladder's Chase)
            self.issuers[t.supervisor.id or 0] = t.supervisor.name
        self.first_step = min(self.first_step or t.step_id, t.step_id)
        self.last_step = max(self.last_step, t.step_id)

    @property
    def span(self) -> str:
        return f"{self.first_step}-{self.last_step}"

    @property
    def from_name(self) -> str:
        """Sent in the name of the unit whose directives it is about, as its notices and reminders were; about
        several units' directives, in CASCADE_MAIL_FROM's own name (the empty name: the outbox's default)."""
        return next(iter(self.issuers.values())) if len(self.issuers) == 1 else ""


class Digests:
    """The digests (one per supervisor of units taking their "parent" step) and escalations (one per follow-up
    officer) of a run, collected step by step in bounded memory."""

    def __init__(self) -> None:
        self.supervisors: dict[int, Digest] = {}
        self.officers: dict[str, Digest] = {}

    def add(self, t: Taken) -> None:
        if t.step == "parent" and t.supervisor is not None:
            sup = t.supervisor
            digest = self.supervisors.setdefault(sup.id or 0, Digest((sup.name, sup.email), sup))
            digest.add(t, (t.item.unit.code, t.item.item))
        if t.step == "escalate" and t.officer[1]:
            digest = self.officers.setdefault(t.officer[1].lower(), Digest((t.officer[0] or "", t.officer[1]), None))
            digest.add(t, (t.item.directive.number, t.item.unit.code, t.item.item), t.supervisor)

    def count_escalated(self, officer: tuple[str | None, str], count: int, first_step: int, last_step: int) -> None:
        """`count` more escalated items of the officer's, not added one by one: each sorts after the items of its
        directive and kind already added (the caller added the first LISTED by unit code), with steps in the span."""
        if not officer[1] or count <= 0:
            return
        digest = self.officers.setdefault(officer[1].lower(), Digest((officer[0] or "", officer[1]), None))
        digest.lines.count_more(count)
        digest.first_step = min(digest.first_step or first_step, first_step)
        digest.last_step = max(digest.last_step, last_step)

    def rows(
        self,
        overdue: Callable[[int], Listing],
        today: date,
        now: datetime,
        public_url: str,
        calendar: WorkCalendar,
    ) -> list[dict[str, Any]]:
        """The outbox rows; `overdue(supervisor id)` lists every unit overdue with that supervisor's directives."""
        rows: list[dict[str, Any]] = []
        for sup_id, digest in sorted(self.supervisors.items()):
            rows.append(
                outbox_row(
                    f"digest:{sup_id}:{digest.span}",
                    "digest",
                    digest.to,
                    "digest",
                    now,
                    supervisor=digest.recipient,
                    new=digest.lines.listed(today, calendar, public_url),
                    overdue=overdue(sup_id).listed(today, calendar, public_url),
                    today=today,
                )
                | {"from_name": digest.from_name}
            )
        for email, digest in sorted(self.officers.items()):
            name = digest.to[0]
            rows.append(
                outbox_row(
                    f"escalation:{hashlib.sha1(email.encode()).hexdigest()[:10]}:{digest.span}",
                    "escalation",
                    (name, email),
                    "escalation",
                    now,
                    officer_name=name,
                    escalated=digest.lines.listed(today, calendar, public_url, with_supervisor=True),
                    today=today,
                )
                | {"from_name": digest.from_name}
            )
        return rows
