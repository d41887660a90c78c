"""The organisation tree file: parse, validate (cycles, duplicates, parents, emails, organ codes) and import."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session

from cascade.core.errors import InputError, Problem
from cascade.core.yamlfile import line_of, read_yaml
from cascade.org.organ_ids import duplicate_organ_ids, organ_id_problem
from models import AuditEvent, Unit, record_audit, utcnow

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
EMAIL_RE = re.compile(
    r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?)+$"
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None
    email: str
    symbol: str | None = None
    successor: str | None = None
    dissolved: bool = False
    line: int | None = None
    # How the unit's documents are headed and signed (cascade.documents): the line above its name in the
    # heading when it is not the parent's name, the place in its place-and-date line, and its signer.
    header: str | None = None
    place: str | None = None
    signer_on_behalf: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    # Its national organ code (QCVN 102:2016, cascade/org/organ_ids.py), for the edXML packages it sends.
    organ_id: str | None = None

    def attributes(self) -> dict[str, Any]:
        """The unit's own columns (everything but its links to other units)."""
        return {key: getattr(self, key) for key in UNIT_ATTRIBUTES}


# The columns of a unit that the org file sets as they are (the tree's links are resolved separately).
UNIT_ATTRIBUTES = ("name", "kind", "email", "symbol", "header", "place", "signer_on_behalf", "signer_title",
                   "signer_name", "organ_id")  # fmt: skip


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value)) and len(value) <= 320


def _text(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    return str(value).strip() or None


def parse_org(path: Path) -> list[UnitSpec]:
    """Read and validate an org file; raise InputError listing every problem (file, line, unit)."""
    name = str(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise InputError([Problem(name, "expected a top-level `units:` list", line=line_of(data))])
    problems: list[Problem] = []
    specs: list[UnitSpec] = []
    for index, entry in enumerate(data["units"], start=1):
        label = f"units[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(name, "each unit must be a mapping", entry=label))
            continue
        line = line_of(entry)
        code = _text(entry, "code")
        label = f"unit {code}" if code else label
        before = len(problems)
        for key in ("code", "name", "kind", "email"):
            if not _text(entry, key):
                problems.append(Problem(name, f"missing required field `{key}`", line=line, entry=label))
        if code and not CODE_RE.match(code):
            problems.append(Problem(name, f"code {code!r} may only hold letters, digits, _ . -", line, label))
        email = _text(entry, "email")
        if email and not is_valid_email(email):
            problems.append(Problem(name, f"malformed email {email!r}", line=line, entry=label))
        organ_id = _text(entry, "organ_id")
        if organ_id and (reason := organ_id_problem(organ_id)):
            problems.append(Problem(name, reason, line=line, entry=label))
        if "parent" not in entry:
            problems.append(Problem(name, "missing field `parent` (a unit code, or null for a root)", line, label))
        signer = entry.get("signer")
        if signer is not None and not (isinstance(signer, dict) and _text(signer, "title") and _text(signer, "name")):
            problems.append(Problem(name, "`signer` needs `title` and `name` (and `on_behalf`, optional)", line, label))
        if len(problems) > before:
            continue
        assert code and email
        signer = signer or {}
        specs.append(
            UnitSpec(
                code=code,
                name=str(entry["name"]).strip(),
                kind=str(entry["kind"]).strip(),
                parent=_text(entry, "parent"),
                email=email,
                symbol=_text(entry, "symbol"),
                successor=_text(entry, "successor"),
                dissolved=bool(entry.get("dissolved", False)),
                line=line,
                header=_text(entry, "header"),
                place=_text(entry, "place"),
                signer_on_behalf=_text(signer, "on_behalf"),
                signer_title=_text(signer, "title"),
                signer_name=_text(signer, "name"),
                organ_id=organ_id,
            )
        )
    problems += _check_tree(name, specs)
    if problems:
        raise InputError(problems)
    return specs


def _check_tree(name: str, specs: list[UnitSpec]) -> list[Problem]:
    problems: list[Problem] = []
    by_code: dict[str, UnitSpec] = {}
    for spec in specs:
        if spec.code in by_code:
            first = by_code[spec.code].line
            problems.append(Problem(name, f"duplicate code (first at line {first})", spec.line, f"unit {spec.code}"))
        else:
            by_code[spec.code] = spec
    for spec in specs:
        if spec.parent and spec.parent not in by_code:
            problems.append(Problem(name, f"unknown parent {spec.parent!r}", spec.line, f"unit {spec.code}"))
        if spec.successor and spec.successor not in by_code:
            problems.append(Problem(name, f"unknown successor {spec.successor!r}", spec.line, f"unit {spec.code}"))
        if spec.successor and not spec.dissolved:
            problems.append(
                Problem(name, "`successor` given but `dissolved` is not true", spec.line, f"unit {spec.code}")
            )
    for code, line, message in duplicate_organ_ids((s.code, s.organ_id, s.line) for s in specs):
        problems.append(Problem(name, message, line, f"unit {code}"))
    reported: set[str] = set()
    for spec in specs:
        seen: list[str] = []
        node: UnitSpec | None = spec
        while node is not None and node.parent:
            if node.code in seen:
                cycle = seen[seen.index(node.code) :] + [node.code]
                if not reported.intersection(cycle):
                    problems.append(Problem(name, "cycle: " + " → ".join(cycle), spec.line, f"unit {spec.code}"))
                reported.update(cycle)
                break
            seen.append(node.code)
            node = by_code.get(node.parent)
    return problems


def import_org(session: Session, specs: list[UnitSpec], *, source: str) -> dict[str, int]:
    """Insert new units and update changed ones by code, in the caller's transaction.

    Bulk statements (executemany, chunked), never one ORM object per unit: new units go in parents first, one
    level at a time, with their parent's id, so 100,000 units take a few seconds."""
    table: Any = Unit.__table__  # type: ignore[attr-defined]
    c = table.c
    query = sa_select(c.id, c.code, *(c[k] for k in UNIT_ATTRIBUTES), c.parent_id, c.successor_id, c.active)
    existing = {row.code: row for row in session.execute(query).all()}
    ids: dict[str, int] = {code: row.id for code, row in existing.items()}
    now = utcnow()
    new_specs = [spec for spec in specs if spec.code not in existing]
    for level in _levels(new_specs, existing):
        rows = [
            {"code": s.code, **s.attributes(),
             "parent_id": ids[s.parent] if s.parent else None, "active": not s.dissolved, "updated_at": now}
            for s in level
        ]  # fmt: skip
        for chunk in _chunks(rows):
            ids.update((code, uid) for code, uid in session.execute(insert(table).returning(c.code, c.id), chunk))
    updates: list[dict[str, Any]] = []
    updated = 0
    for spec in specs:
        values = {**spec.attributes(),
                  "parent_id": ids[spec.parent] if spec.parent else None,
                  "successor_id": ids[spec.successor] if spec.successor else None,
                  "active": not spec.dissolved}  # fmt: skip
        row = existing.get(spec.code)
        if row is None:
            if values["successor_id"] is not None:
                updates.append({"uid": ids[spec.code], "updated_at": now, **values})
            continue
        fields_changed = tuple(getattr(row, k) for k in UNIT_ATTRIBUTES) != tuple(spec.attributes().values())
        updated += fields_changed
        if fields_changed or (row.parent_id, row.successor_id, row.active) != (
            values["parent_id"],
            values["successor_id"],
            values["active"],
        ):
            updates.append({"uid": row.id, "updated_at": now, **values})
    if updates:
        stmt = update(table).where(c.id == bindparam("uid")).values({k: bindparam(k) for k in updates[0] if k != "uid"})
        for chunk in _chunks(updates):
            session.execute(stmt, chunk)
    record_audit(
        session,
        AuditEvent.org_imported,
        actor="cli",
        detail={"source": source, "created": len(new_specs), "updated": updated},
    )
    session.flush()
    session.expire_all()  # ORM objects loaded before the bulk statements must not show stale values
    return {"units": len(specs), "created": len(new_specs), "updated": updated}


def _levels(new: list[UnitSpec], existing: Mapping[str, Any]) -> list[list[UnitSpec]]:
    """New units grouped by depth below the units that exist already: parents always in an earlier group."""
    by_code = {spec.code: spec for spec in new}
    depth: dict[str, int] = {}
    for spec in new:
        chain: list[str] = []
        node: UnitSpec | None = spec
        while node is not None and node.code not in depth:
            chain.append(node.code)
            node = by_code.get(node.parent) if node.parent and node.parent not in existing else None
        base = depth[node.code] + 1 if node is not None else 0
        for offset, code in enumerate(reversed(chain)):
            depth[code] = base + offset
    levels: list[list[UnitSpec]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for spec in new:
        levels[depth[spec.code]].append(spec)
    return levels


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
