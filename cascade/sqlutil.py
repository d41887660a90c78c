"""Small SQL helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_ignoring_conflicts(session: Session, table: Any, rows: list[dict[str, Any]], conflict: list[str]) -> int:
    """Bulk INSERT that skips rows whose `conflict` columns already exist (a rerun adds nothing twice)."""
    return len(insert_new(session, table, rows, conflict))


def insert_new(
    session: Session, table: Any, rows: list[dict[str, Any]], conflict: list[str], returning: tuple[str, ...] = ("id",)
) -> list[Row[Any]]:
    """As insert_ignoring_conflicts, returning the `returning` columns of the rows really inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table.__table__).on_conflict_do_nothing(index_elements=conflict)
    # RETURNING names the rows really inserted on both databases (executemany's rowcount does not).
    result: Any = session.execute(stmt.returning(*(table.__table__.c[name] for name in returning)), rows)
    return list(result.all())


def insert_selected(session: Session, table: Any, columns: list[str], rows: Select[Any], conflict: list[str]) -> int:
    """INSERT … SELECT in the database, skipping rows whose `conflict` columns exist; returns rows inserted.

    For rows that derive from rows already stored (a directive's assignments from its recipients): nothing
    crosses into Python, where building and binding 100,000 parameter sets cost about a second each time."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table.__table__).from_select(columns, rows).on_conflict_do_nothing(index_elements=conflict)
    # A single statement: its rowcount is the rows really inserted, on both databases (psycopg only gives it
    # to SQLAlchemy when asked to keep it).
    return int(session.execute(stmt, execution_options={"preserve_rowcount": True}).rowcount)  # type: ignore[attr-defined]
