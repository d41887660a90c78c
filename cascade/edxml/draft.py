"""`cascade edxml import`: an incoming package (the party committee's plan, say) as the directive file of the
implementing plan the receiving unit issues under it.

The package's document becomes the file's `basis` (number, date, issuer: the unit of the tree with the sender's
organ code, or the sender's name as the package gives it); its subject and body are a starting point; the unit
it is addressed to is the issuer, with its place and signer from the tree. What only that unit can decide (its
number, date, deadline, recipients) is left with a `# TODO:` above it, as `cascade import-document --partial`
does. The attached original is saved beside the file: it is the basis's, not the plan's own signed original.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from cascade.directives.docimport.output import write_directive_yaml
from cascade.directives.docimport.problems import ImportProblem
from cascade.edxml.organs import join_code
from cascade.edxml.reader import IncomingAttachment, IncomingPackage
from cascade.edxml.schema import BUSINESS_REASON, URGENCY_OF_PRIORITY, Business
from cascade.rendering.render import vn_date
from models import Unit, Urgency


@dataclass
class Draft:
    directive: dict[str, Any]
    todos: list[ImportProblem]
    basis_issuer: Unit | None = None
    issuer: Unit | None = None
    attachments: list[IncomingAttachment] = field(default_factory=list)


def _unit(session: Session, organ_id: str) -> Unit | None:
    if not organ_id:
        return None
    return session.exec(select(Unit).where(Unit.organ_id == organ_id, Unit.active == True)).first()  # noqa: E712


def draft_directive(session: Session, package: IncomingPackage) -> Draft:
    basis = join_code(package.code_number, package.code_notation)
    sender = _unit(session, package.from_id)
    issuer = next((u for organ_id, _ in package.to if (u := _unit(session, organ_id))), None)
    what = f"{package.type_name or 'văn bản'} {basis} ngày {vn_date(package.promulgated)} của {package.from_name}"
    todos = [
        ImportProblem("number", "the number of the plan implementing " + what + " (cascade register show --issuer)"),
        ImportProblem("type", "the plan's type: KẾ HOẠCH as written here, or CÔNG VĂN, HƯỚNG DẪN…"),
        ImportProblem("issued_on", "the date the plan is issued (YYYY-MM-DD)"),
        ImportProblem("summary", f"the basis's subject, as a starting point: write the plan's own ({what})"),
        ImportProblem("body", "the basis's content, as a starting point: write the plan's own"),
        ImportProblem("recipients", "the units the plan goes to, each {unit: CODE, role: act|coordinate|info}"),
    ]
    due = f" before the basis's deadline {package.due.isoformat()}" if package.due else ""
    todos.append(ImportProblem("report_due", f"when the units report (YYYY-MM-DD){due}"))
    if package.business != Business.new:
        known = package.business in Business._value2member_map_
        kind = BUSINESS_REASON[Business(package.business)] if known else f"business type {package.business}"
        reason = f": {package.business_reason}" if package.business_reason else ""
        todos.append(ImportProblem("basis", f"the package is not a new document ({kind}{reason}): check the basis"))
    directive: dict[str, Any] = {"type": "KẾ HOẠCH"}
    if issuer is not None:
        directive["issuer"] = issuer.code
        if issuer.place:
            directive["place"] = issuer.place
        if issuer.signer_title and issuer.signer_name:
            signer = {"title": issuer.signer_title, "name": issuer.signer_name}
            directive["signer"] = ({"on_behalf": issuer.signer_on_behalf} if issuer.signer_on_behalf else {}) | signer
    else:
        addressed = ", ".join(f"{name} ({organ_id})" for organ_id, name in package.to) or "nobody"
        todos.append(ImportProblem("issuer", f"the package is addressed to {addressed}, no unit of the org tree"))
    missing = {"place": "the place in the plan's place-and-date line", "signer": "who signs: title, name (on_behalf)"}
    todos += [ImportProblem(key, why) for key, why in missing.items() if key not in directive]
    directive["summary"] = package.subject
    directive["basis"] = basis
    directive["basis_issued_on"] = package.promulgated.isoformat()
    directive["basis_issuer"] = sender.name if sender is not None else package.from_name
    urgency = URGENCY_OF_PRIORITY.get(package.priority or 0, Urgency.normal)
    if urgency != Urgency.normal:
        directive["urgency"] = urgency.value
    directive["body"] = package.content
    return Draft(directive, todos, sender, issuer, package.attachments)


def _safe_name(name: str, taken: set[str]) -> str:
    """The attachment's own name, as a plain file name in the draft's folder (no path, never the draft's)."""
    base = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name).strip().lstrip(".") or "original.bin"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{Path(base).stem}-{n}{Path(base).suffix}"
    taken.add(candidate)
    return candidate


def write_draft(draft: Draft, out: Path, *, source: str) -> list[Path]:
    """The directive file at `out` and the attachments beside it; returns the attachments' paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    taken = {out.name}
    saved = [out.parent / _safe_name(a.name, taken) for a in draft.attachments]
    write_directive_yaml(draft.directive, out, source=source, problems=draft.todos)
    # write_directive_yaml heads the file as import-document's: say which command wrote it, and what lies beside.
    header = [
        f"# Imported from the edXML package {source} by `cascade edxml import`: the implementing plan of its "
        f"document (the basis). {len(draft.todos)} field(s) to complete (each `# TODO:` below), then check it.\n"
    ]
    header += [f"# The basis's signed original, from the package: {p.name} (not this plan's own original).\n"
               for p in saved]  # fmt: skip
    text = out.read_text(encoding="utf-8")
    out.write_text("".join(header) + text.split("\n", 1)[1], encoding="utf-8")
    for path, attachment in zip(saved, draft.attachments, strict=True):
        path.write_bytes(attachment.data)
    return saved
