"""The organisation tree file: parse, validate (cycles, duplicates, parents, emails) and import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from cascade.errors import InputError, Problem
from cascade.yamlfile import line_of, read_yaml
from models import AuditLog, Unit, utcnow

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
        if "parent" not in entry:
            problems.append(Problem(name, "missing field `parent` (a unit code, or null for a root)", line, label))
        if len(problems) > before:
            continue
        assert code and email
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
    """Insert new units and update changed ones by code, in the caller's transaction."""
    existing = {u.code: u for u in session.exec(select(Unit)).all()}
    created = updated = 0
    for spec in specs:
        unit = existing.get(spec.code)
        if unit is None:
            unit = Unit(code=spec.code, name=spec.name, kind=spec.kind, email=spec.email, symbol=spec.symbol)
            session.add(unit)
            existing[spec.code] = unit
            created += 1
        elif (unit.name, unit.kind, unit.email, unit.symbol) != (
            spec.name,
            spec.kind,
            spec.email,
            spec.symbol,
        ):
            unit.name, unit.kind, unit.email, unit.symbol = spec.name, spec.kind, spec.email, spec.symbol
            unit.updated_at = utcnow()
            updated += 1
    session.flush()
    for spec in specs:
        unit = existing[spec.code]
        parent_id = existing[spec.parent].id if spec.parent else None
        successor_id = existing[spec.successor].id if spec.successor else None
        active = not spec.dissolved
        if (unit.parent_id, unit.successor_id, unit.active) != (parent_id, successor_id, active):
            unit.parent_id, unit.successor_id, unit.active = parent_id, successor_id, active
            unit.updated_at = utcnow()
    session.add(
        AuditLog(
            event="org_imported",
            actor="cli",
            detail={"source": source, "created": created, "updated": updated},
        )
    )
    session.flush()
    return {"units": len(specs), "created": created, "updated": updated}
