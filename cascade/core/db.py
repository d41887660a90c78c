"""Engine and session for the project's own database (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from psycopg.types.array import ListBinaryDumper
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from cascade.core.settings import get_settings


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the web app read while a dispatch writes; busy_timeout waits instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _binary_arrays(dbapi_conn: Any, _record: Any) -> None:
    # The batches bind one array per column (`unnest(…)`, `= ANY(…)`). In text format psycopg quotes and
    # escapes every element with regular expressions: for a thousand email bodies, more than ten times the binary
    # format's time (bench/array_format.py). The statements cast every array parameter, so its type does not
    # depend on the format.
    dbapi_conn.adapters.register_dumper(list, ListBinaryDumper)


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def get_engine(url: str | None = None) -> Engine:
    """The engine of `url`, or of CASCADE_DATABASE_URL as the settings read it now."""
    return _engine(normalise_url(url or get_settings().database_url))


@lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        event.listen(engine, "connect", _binary_arrays)
    return engine


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
