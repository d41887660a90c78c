"""Who signs a unit's documents: its signer on record in the tree, or the one it gives on its pass-on form.
No document is issued without one (Decree 30/2020/NĐ-CP Art. 8: a document bears its signer's title and name)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models import AuditEvent, Unit, record_audit, utcnow

SIGNER_MAX = 200  # the length of Unit.signer_* columns


@dataclass(frozen=True)
class Signer:
    """The signer block (Decree 30 Appendix I): the authority ("TM. BAN THƯỜNG VỤ"), the title, the name."""

    on_behalf: str | None
    title: str
    name: str

    @property
    def complete(self) -> bool:
        return bool(self.title.strip() and self.name.strip())


class MissingSigner(ValueError):
    """A document would be issued without a signer's title or name: the unit must give its signer first."""


def signer_of(unit: Unit) -> Signer | None:
    """The unit's signer on record, or None when its title or name is missing."""
    signer = Signer((unit.signer_on_behalf or "").strip() or None, (unit.signer_title or "").strip(),
                    (unit.signer_name or "").strip())  # fmt: skip
    return signer if signer.complete else None


def record_signer(session: Session, unit: Unit, signer: Signer, actor: str) -> None:
    """Keep the signer a unit gave on its form for its next documents. A later `cascade org import` of a tree
    that names another signer (or none) for the unit changes it again: the tree stays the reference."""
    unit.signer_on_behalf, unit.signer_title, unit.signer_name = signer.on_behalf, signer.title, signer.name
    unit.updated_at = utcnow()
    session.add(unit)
    record_audit(
        session,
        AuditEvent.signer_recorded,
        unit=unit,
        actor=actor,
        detail={"on_behalf": signer.on_behalf, "title": signer.title, "name": signer.name},
    )
