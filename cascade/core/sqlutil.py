"""Small SQL helpers that work the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Row, Select
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
    if dialect == "postgresql" and all(row.keys() == rows[0].keys() for row in rows):
        return _insert_new_unnested(session, table, rows, conflict, returning)
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table.__table__).on_conflict_do_nothing(index_elements=conflict)
    # RETURNING names the rows really inserted on both databases (executemany's rowcount does not).
    result: Any = session.execute(stmt.returning(*(table.__table__.c[name] for name in returning)), rows)
    return list(result.all())


def _insert_new_unnested(
    session: Session, table: Any, rows: list[dict[str, Any]], conflict: list[str], returning: tuple[str, ...]
) -> list[Row[Any]]:
    """insert_new on PostgreSQL: one array per column, `INSERT … SELECT unnest(…), unnest(…) …`.

    The statement has one parameter per column, not one per value: psycopg caches its conversion, where a
    thousand rows' VALUES list was converted anew for every statement (a fifth of a dispatch's time)."""
    columns = [table.__table__.c[name] for name in rows[0]]
    arrays = [
        sa.func.unnest(sa.bindparam(f"col_{i}", [row[c.name] for row in rows], type_=postgresql.ARRAY(c.type)))
        for i, c in enumerate(columns)
    ]
    stmt = (
        postgresql.insert(table.__table__)
        .from_select([c.name for c in columns], sa.select(*arrays))
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(*(table.__table__.c[name] for name in returning))
    )
    return list(session.execute(stmt).all())


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


def insert_selected_ids(
    session: Session, table: Any, columns: list[str], rows: Select[Any], conflict: list[str]
) -> list[int]:
    """As insert_selected, returning the ids of the rows really inserted (one integer each crosses into Python)."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table.__table__).from_select(columns, rows).on_conflict_do_nothing(index_elements=conflict)
    return list(session.scalars(stmt.returning(table.__table__.c.id)))


def id_in(session: Session, column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """`column IN ids` for a batch of ids; on PostgreSQL `column = ANY(array)`: one parameter, not a thousand,
    so psycopg converts the statement once (a batch's claim and recovery were converted anew every time)."""
    if session.get_bind().dialect.name == "postgresql":
        array = sa.bindparam(None, list(ids), type_=postgresql.ARRAY(sa.Integer))
        return cast(ColumnElement[bool], column == sa.any_(array))
    return cast(ColumnElement[bool], column.in_(list(ids)))


VALUES_PER_QUERY = 5000  # PostgreSQL takes at most 65,535 parameters in a statement


def rows_where_in(session: Session, query: Select[Any], column: Any, values: Sequence[Any]) -> Iterator[Row[Any]]:
    """The rows of `query` whose `column` is one of `values`, asked in parts of VALUES_PER_QUERY (a national
    directive names 100,000 unit codes)."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), VALUES_PER_QUERY):
        yield from session.execute(query.where(column.in_(ordered[start : start + VALUES_PER_QUERY])))
