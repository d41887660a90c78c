"""Messages into the outbox and back out: a light row per message, its bodies in a table of their own.

The outbox row is the unit of work and changes state three times as it is sent (claimed, sending, sent);
the bodies are written once and read once (models.outbox.OutboxBody says why they are apart)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, insert, select
from sqlmodel import Session, col

from cascade.core.sqlutil import id_in, insert_new
from cascade.delivery import body_cache
from cascade.delivery.mailmessage import MAIL_COLUMNS, Mail
from models import Directive, OutboxBody, OutboxMessage, Unit

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
BODY: Table = OutboxBody.__table__  # type: ignore[attr-defined]
BODY_FIELDS = ("body_text", "body_html")


def enqueue_mail(session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Add messages (dicts as cascade.rendering.render.outbox_row makes them) whose key is not in the outbox yet.

    A message about a directive that names no sender (`from_name`) is sent in the name of the directive's
    issuer: a reminder or an escalation comes from the unit that issued what it chases, as its notice did.
    Returns {key: id} of the messages really added: a rerun, or a key twice in `rows`, adds nothing more."""
    by_key: dict[str, dict[str, Any]] = {}
    for row in rows:
        by_key.setdefault(row["key"], row)  # the first row of each key
    firsts = list(by_key.values())
    issuers = _issuer_names(
        session, {r["directive_id"] for r in firsts if r.get("directive_id") and not r.get("from_name")}
    )
    heads = [
        {k: v for k, v in row.items() if k not in BODY_FIELDS}
        | {
            "from_name": row.get("from_name") or issuers.get(row.get("directive_id"), ""),
            "document_id": row.get("document_id"),
        }
        for row in firsts
    ]
    added = {row.key: row.id for row in insert_new(session, OutboxMessage, heads, ["key"], ("id", "key"))}
    bodies = [
        {"message_id": added[row["key"]], **{k: row[k] for k in BODY_FIELDS}} for row in firsts if row["key"] in added
    ]
    if not bodies:
        return added
    if session.get_bind().dialect.name == "postgresql":
        # One array per column (insert_new), not a VALUES list of a thousand rows' bodies for psycopg to
        # convert anew; the rows were added just now, so no body of theirs exists yet.
        insert_new(session, OutboxBody, bodies, ["message_id"], ("message_id",))
    else:
        session.execute(insert(BODY), bodies)  # SQLite: the driver's own executemany
    body_cache.stage(
        session,
        (
            (added[r["key"]], r["key"], r["created_at"], r["body_text"], r["body_html"])
            for r in firsts
            if r["key"] in added
        ),
    )
    return added


def _issuer_names(session: Session, directive_ids: set[int]) -> dict[int | None, str]:
    if not directive_ids:
        return {}
    query = (
        select(Directive.id, Unit.name)  # type: ignore[call-overload]
        .join(Unit, col(Unit.id) == col(Directive.issuer_id))
        .where(col(Directive.id).in_(sorted(directive_ids)))
    )
    return {directive_id: name for directive_id, name in session.execute(query).all()}


def mail_rows(session: Session, ids: list[int], *extra: str) -> list[Any]:
    """The outbox rows `ids` with their bodies, as records with the Mail columns (and `extra` outbox ones); the
    bodies of rows this process has just written come from cascade.delivery.body_cache, the others from here."""
    heads = [OUTBOX.c[name] for name in (*MAIL_COLUMNS, *extra) if name not in BODY_FIELDS]
    rows = session.execute(select(*heads).where(id_in(session, OUTBOX.c.id, ids))).all()
    bodies: dict[int, tuple[str, str]] = {}
    url = body_cache.database(session)
    for row in rows:
        if (kept := body_cache.take(url, row.id, row.key, row.created_at)) is not None:
            bodies[row.id] = kept
    if unread := [row.id for row in rows if row.id not in bodies]:
        query = select(BODY.c.message_id, BODY.c.body_text, BODY.c.body_html)
        found = session.execute(query.where(id_in(session, BODY.c.message_id, unread))).all()
        bodies.update({message_id: (text, html) for message_id, text, html in found})
    if missing := [row.id for row in rows if row.id not in bodies]:
        raise LookupError(f"outbox messages without bodies (the database was changed by hand?): {missing[:10]}")
    return [SimpleNamespace(**row._asdict(), body_text=bodies[row.id][0], body_html=bodies[row.id][1]) for row in rows]


def load_mail(session: Session, message_id: int) -> Mail:
    """One message as the sender sees it (a test's or a bench's sample)."""
    rows = mail_rows(session, [message_id])
    if not rows:
        raise LookupError(f"no outbox message {message_id}")
    return Mail.of(rows[0])
