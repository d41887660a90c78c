"""The directive file: parse and validate it (against the org tree in the database) before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cascade.core.errors import InputError, Problem
from cascade.core.yamlfile import line_of, read_yaml, read_yaml_text, strip_lines
from cascade.directives.numbers import normalise_number, parse_number
from cascade.directives.reportplan import ReportingSpec, parse_reporting
from models import CascadeMode, Role, Urgency

ROLE_CHOICES = " | ".join(m.value for m in Role)
REQUIRED = ("number", "type", "issuer", "issued_on", "place", "summary", "signer", "report_due", "recipients")


@dataclass
class TaskSpec:
    text: str
    to: list[str] = field(default_factory=list)
    to_kinds: list[str] = field(default_factory=list)


@dataclass
class DirectiveSpec:
    number: str
    doc_type: str
    issuer: str
    issued_on: date
    place: str
    summary: str
    signer_on_behalf: str | None
    signer_title: str
    signer_name: str
    report_due: date
    recipients: list[tuple[str, Role]]  # (unit code, role)
    tasks: list[TaskSpec]
    body: str = ""
    basis: str | None = None
    basis_issued_on: date | None = None
    basis_issuer: str | None = None
    report_to: str | None = None
    urgency: Urgency = Urgency.normal
    cascade_mode: CascadeMode = CascadeMode.forward
    lead_days: int = 3
    source: str = ""
    # indicators, report_schedule, escalation, follow_up (cascade/directives/reportplan.py)
    reporting: ReportingSpec | None = None
    # Per-unit override of cascade_mode ({unit code: forward | author}).
    modes: dict[str, CascadeMode] = field(default_factory=dict)
    # The "Lưu:" line ("VT, TgNc"), printed on the document and never mailed.
    archive: str | None = None
    # Nơi nhận lines naming no unit of the tree ("Bộ Y tế (b/c)"): printed as written, never mailed.
    printed: list[str] = field(default_factory=list)
    # The signed original, resolved against the directive file's folder (checked by cascade.documents.originals).
    original: Path | None = None
    # The number of the issuer's directive this one replaces (thay thế): launching it closes that one.
    replaces: str | None = None
    # Where the file names each unit code (its recipients' and tasks' lines), for a problem to cite.
    unit_lines: dict[str, int] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        """Everything that identifies the directive's content, to tell a rerun from a different directive."""
        data = dict(self.__dict__)
        data.pop("source")
        data.pop("unit_lines")
        reporting = data.pop("reporting")
        if reporting is not None and not reporting.is_empty():
            data["reporting"] = reporting.__dict__
        data["tasks"] = [t.__dict__ for t in self.tasks]
        # The original's path says nothing of its content: cascade.directives.store adds the file's hash.
        data["original"] = self.original.name if self.original else None
        for key in ("replaces", "printed"):
            if not data[key]:
                del data[key]  # a file without it hashes as it always did: its rerun still resumes
        return data


class Reader:
    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.name, self.data = name, data
        self.problems: list[Problem] = []
        self.unit_lines: dict[str, int] = {}  # where the file first names each unit code

    def named(self, code: str, line: int | None) -> None:
        if line is not None:
            self.unit_lines.setdefault(code, line)

    def fail(self, message: str, entry: str | None = None, line: int | None = None) -> None:
        self.problems.append(Problem(self.name, message, line=line or line_of(self.data, entry), entry=entry))

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"missing required field `{key}`", entry=key)
            return None
        if not isinstance(value, str | int | float):
            self.fail(f"`{key}` must be text", entry=key)
            return None
        return normalise_number(str(value)) if key in ("number", "basis", "replaces") else str(value).strip()

    def day(self, key: str, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"missing required field `{key}`", entry=key)
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"`{key}` is not a date in YYYY-MM-DD form: {value!r}", entry=key)
            return None


def parse_directive(path: Path) -> DirectiveSpec:
    """Read a directive file and check its own consistency (units are checked by `check_units`)."""
    return _parse_data(read_yaml(path), str(path), path.parent)


def parse_directive_text(text: str, *, source: str, base: Path) -> DirectiveSpec:
    """parse_directive of a directive file's text (one kept in the database: the console's drafts); `source`
    names it in problems, and its `original:` is looked for in the folder `base`."""
    return _parse_data(read_yaml_text(text, source), source, base)


def _parse_data(data: Any, name: str, base: Path) -> DirectiveSpec:
    if not isinstance(data, dict):
        raise InputError([Problem(name, "expected a mapping of directive fields at the top level")])
    r = Reader(name, data)
    number, basis = r.text("number"), r.text("basis", required=False)
    replaces = r.text("replaces", required=False)
    if replaces and replaces == number:
        r.fail(
            f"`replaces` {replaces!r} is the directive's own number: a new version of it is `cascade amend`", "replaces"
        )
    for key, value in (("number", number), ("basis", basis), ("replaces", replaces)):
        if value and parse_number(value) is None:
            r.fail(f"`{key}` {value!r} is not a number and symbol such as 252/KH-LĐLĐ or 31-KH/TU", entry=key)
    issued_on, report_due = r.day("issued_on"), r.day("report_due")
    basis_issued_on = r.day("basis_issued_on", required=False)
    if issued_on and report_due and report_due < issued_on:
        r.fail(f"report_due {report_due} is before issued_on {issued_on}", entry="report_due")
    signer = data.get("signer")
    if signer is not None and not (isinstance(signer, dict) and signer.get("name") and signer.get("title")):
        r.fail("`signer` needs `name` and `title` (and optionally `on_behalf`)", entry="signer")
    signer = signer if isinstance(signer, dict) else {}
    for key, allowed in (("urgency", Urgency), ("cascade_mode", CascadeMode)):
        if key in data and data[key] not in {m.value for m in allowed}:
            r.fail(f"`{key}` must be one of {', '.join(m.value for m in allowed)}", entry=key)
    lead_days = data.get("lead_days", 3)
    if not isinstance(lead_days, int) or isinstance(lead_days, bool) or not 0 <= lead_days <= 60:
        r.fail("`lead_days` must be a whole number of working days between 0 and 60", entry="lead_days")
    recipients, modes = read_recipients(r)
    tasks, printed = read_tasks(r), _printed(r)
    reporting = parse_reporting(data, lambda message, entry: r.fail(message, entry=entry))
    for key in REQUIRED:
        if key not in data and not any(p.entry == key for p in r.problems):
            r.fail(f"missing required field `{key}`", entry=key)
    doc_type, issuer, place, summary = r.text("type"), r.text("issuer"), r.text("place"), r.text("summary")
    if r.problems:
        raise InputError(unique_problems(r.problems))
    assert number and doc_type and issuer and place and summary and issued_on and report_due
    return DirectiveSpec(
        number=number,
        doc_type=doc_type,
        issuer=issuer,
        issued_on=issued_on,
        place=place,
        summary=summary,
        signer_on_behalf=signer.get("on_behalf"),
        signer_title=str(signer["title"]),
        signer_name=str(signer["name"]),
        report_due=report_due,
        recipients=recipients,
        modes=modes,
        tasks=tasks,
        body=str(data.get("body") or ""),
        basis=basis,
        basis_issued_on=basis_issued_on,
        basis_issuer=r.text("basis_issuer", required=False),
        report_to=r.text("report_to", required=False),
        urgency=Urgency(data.get("urgency", Urgency.normal)),
        cascade_mode=CascadeMode(data.get("cascade_mode", CascadeMode.forward)),
        lead_days=lead_days,
        source=name,
        reporting=reporting,
        archive=r.text("archive", required=False),
        printed=printed,
        original=_original(r, base),
        replaces=replaces,
        unit_lines=r.unit_lines,
    )


def _printed(r: Reader) -> list[str]:
    raw = r.data.get("printed")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        r.fail("`printed` must be a list of lines of text (the Nơi nhận lines sent to no unit)", entry="printed")
        return []
    return [v.strip() for v in raw]


def _original(r: Reader, base: Path) -> Path | None:
    name = r.text("original", required=False)
    return (base / name) if name else None


def unique_problems(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def read_recipients(r: Reader) -> tuple[list[tuple[str, Role]], dict[str, CascadeMode]]:
    raw = r.data.get("recipients")
    modes: dict[str, CascadeMode] = {}
    if raw is None:
        return [], modes
    if not isinstance(raw, list) or not raw:
        r.fail(f"`recipients` must be a non-empty list of {{unit: CODE, role: {ROLE_CHOICES}}}", entry="recipients")
        return [], modes
    out: list[tuple[str, Role]] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, start=1):
        entry, line = f"recipients[{i}]", line_of(item)
        item = strip_lines(item)
        if not isinstance(item, dict) or not item.get("unit"):
            r.fail(f"each recipient needs `unit` (a unit code) and `role` ({ROLE_CHOICES})", entry, line)
            continue
        code, role = str(item["unit"]).strip(), str(item.get("role", "")).strip()
        r.named(code, line)
        if role not in {m.value for m in Role}:
            r.fail(f"role {role!r} of {code} must be one of {ROLE_CHOICES}", entry, line)
        elif code in seen:
            r.fail(f"unit {code} is listed twice", entry, line)
        else:
            seen.add(code)
            out.append((code, Role(role)))
        mode = item.get("mode")
        if mode is not None and mode not in {m.value for m in CascadeMode}:
            r.fail(f"mode {mode!r} of {code} must be forward or author", entry, line)
        elif mode is not None:
            modes[code] = CascadeMode(mode)
    return out, modes


def read_tasks(r: Reader) -> list[TaskSpec]:
    raw = r.data.get("tasks") or []
    if not isinstance(raw, list):
        r.fail("`tasks` must be a list of {to: [CODES], text}", entry="tasks")
        return []
    out: list[TaskSpec] = []
    for i, item in enumerate(raw, start=1):
        entry, line = f"tasks[{i}]", line_of(item)
        item = strip_lines(item)
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            r.fail("each task needs `text`", entry, line)
            continue
        to, kinds = item.get("to") or [], item.get("to_kinds") or []
        if not isinstance(to, list) or not isinstance(kinds, list) or not (to or kinds):
            r.fail(
                "each task needs `to`: a list of unit codes (or `to_kinds`: a list of unit kinds)",
                entry,
                line,
            )
            continue
        for code in to:
            r.named(str(code), line)
        out.append(TaskSpec(text=str(item["text"]).strip(), to=[str(c) for c in to], to_kinds=[str(k) for k in kinds]))
    return out
