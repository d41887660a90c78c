"""The schema's migrations and the database's backups, on the test's database (a SQLite file, or this run's
PostgreSQL database when CASCADE_TEST_DATABASE_URL is set).

- the models and the revisions agree (Alembic's own `check`: autogenerate finds nothing to add);
- a database at the previous revision, with data in it, upgrades with its data intact;
- a database made by the release before migrations (no alembic_version, bodies on the outbox row) upgrades;
- `cascade db backup` then `cascade db restore` bring back what was there;
- on PostgreSQL, a notice's bodies are stored compressed with lz4, as PostgreSQL itself reports."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import get_engine
from cascade.core.settings import Settings
from models.schema import BEFORE_MIGRATIONS, alembic_config, current_revision, head_revision, upgrade_schema

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def empty(engine: Engine) -> None:
    """No table at all, alembic_version included (the test database is made fresh by the fixtures)."""
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def at_revision(engine: Engine, revision: str) -> None:
    empty(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def fill_release_0001(engine: Engine) -> None:
    """Rows as the schema of revision 0001 holds them (plain SQL: the models of today have more columns)."""
    with engine.begin() as c:
        c.execute(text("INSERT INTO unit (id, code, name, kind, email, active, updated_at) VALUES "
                       "(1, 'LDLD_LC', 'Liên đoàn Lao động tỉnh Lai Châu', 'federation', 'ldld@laichau.example', "
                       ":t, :now), (2, 'LDLD_TD', 'Liên đoàn Lao động huyện Tam Đường', 'district_federation', "
                       "'td@laichau.example', :t, :now)"), {"t": True, "now": NOW})  # fmt: skip
        c.execute(text("UPDATE unit SET parent_id = 1 WHERE id = 2"))
        c.execute(text("INSERT INTO directive (id, number, doc_type, issued_on, place, summary, body, signer_title, "
                       "signer_name, report_due, urgency, cascade_mode, lead_days, issuer_id, year, source, "
                       "created_at) VALUES (1, '252/KH-LĐLĐ', 'KẾ HOẠCH', '2021-05-20', 'Lai Châu', "
                       "'Đẩy mạnh công tác tuyên truyền', 'I. MỤC ĐÍCH', 'CHỦ TỊCH', 'Nguyễn Thị Thiện', "
                       "'2021-12-15', 'normal', 'forward', 3, 1, 2021, 'file', :now)"), {"now": NOW})  # fmt: skip
        c.execute(text("INSERT INTO assignment (id, directive_id, unit_id, role, status, ack_due, "
                       "status_changed_at, created_at) VALUES (1, 1, 2, 'act', 'acknowledged', '2021-05-21', "
                       ":now, :now)"), {"now": NOW})  # fmt: skip


def test_models_and_revisions_agree(engine: Engine) -> None:
    at_revision(engine, "head")
    with engine.begin() as connection:
        command.check(alembic_config(connection))  # raises when a model has what no revision made


def test_previous_revision_with_data_upgrades_intact(engine: Engine) -> None:
    at_revision(engine, BEFORE_MIGRATIONS)
    fill_release_0001(engine)
    upgrade_schema(engine)
    with engine.connect() as c:
        assert current_revision(c) == head_revision() != BEFORE_MIGRATIONS
        units = c.execute(text("SELECT code, name, place, signer_name FROM unit ORDER BY id")).all()
        directive = c.execute(text("SELECT number, summary, archive, original_sha256 FROM directive")).one()
        assignment = c.execute(text("SELECT role, status FROM assignment")).one()
    assert [tuple(u) for u in units] == [
        ("LDLD_LC", "Liên đoàn Lao động tỉnh Lai Châu", None, None),
        ("LDLD_TD", "Liên đoàn Lao động huyện Tam Đường", None, None),
    ]
    assert tuple(directive) == ("252/KH-LĐLĐ", "Đẩy mạnh công tác tuyên truyền", None, None)
    assert tuple(assignment) == ("act", "acknowledged")


def test_a_database_of_the_release_before_migrations_is_upgraded(engine: Engine) -> None:
    """That release made the 0001 tables with create_all and no alembic_version; its oldest databases still had
    the outbox bodies as columns of the outbox row."""
    at_revision(engine, BEFORE_MIGRATIONS)
    with engine.begin() as c:
        c.execute(text("DROP TABLE alembic_version"))
        c.execute(text("ALTER TABLE outboxmessage ADD COLUMN body_text TEXT NOT NULL DEFAULT ''"))
        c.execute(text("ALTER TABLE outboxmessage ADD COLUMN body_html TEXT NOT NULL DEFAULT ''"))
        c.execute(text("INSERT INTO outboxmessage (id, key, kind, to_addr, to_name, subject, status, attempts, "
                       "created_at, body_text, body_html) VALUES (7, 'notice:7', 'notice', 'td@laichau.example', "
                       "'LĐLĐ Tam Đường', 'Kế hoạch 252', 'pending', 0, :now, 'Kính gửi', '<p>Kính gửi</p>')"),
                  {"now": NOW})  # fmt: skip
    upgrade_schema(engine)
    assert "body_text" not in {col["name"] for col in inspect(engine).get_columns("outboxmessage")}
    with engine.connect() as c:
        assert current_revision(c) == head_revision()
        assert tuple(c.execute(text("SELECT body_text, body_html FROM outbox_body WHERE message_id = 7")).one()) == (
            "Kính gửi",
            "<p>Kính gửi</p>",
        )


def test_upgrade_twice_changes_nothing(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    second = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == second.exit_code == 0
    assert f"Schema at revision {head_revision()} (already)." in second.output


def test_backup_and_restore(settings: Settings, tmp_path: Path) -> None:
    engine = get_engine(settings.database_url)
    at_revision(engine, "head")
    fill_release_0001(engine)
    runner = CliRunner()
    copy = tmp_path / "cascade.backup"
    made = runner.invoke(app, ["db", "backup", str(copy)])
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["db", "backup", str(copy)]).exit_code == 2  # never over an existing file
    with engine.begin() as c:
        c.execute(text("DELETE FROM assignment"))
        c.execute(text("UPDATE unit SET name = 'đã sửa' WHERE id = 2"))
    engine.dispose()  # as an operator stops the app first: no connection of ours open during the restore
    restored = runner.invoke(app, ["db", "restore", str(copy), "--yes"])
    assert restored.exit_code == 0, restored.output
    with engine.connect() as c:
        assert (
            c.execute(text("SELECT name FROM unit WHERE id = 2")).scalar_one() == "Liên đoàn Lao động huyện Tam Đường"
        )
        assert c.execute(text("SELECT status FROM assignment")).scalar_one() == "acknowledged"
        assert current_revision(c) == head_revision()


def lz4_on(engine: Engine) -> bool:
    """PostgreSQL 14 or later built with lz4 (PostgreSQL's own catalog says), where revision 0004 uses it."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as c:
        query = "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        return "lz4" in (c.execute(text(query)).scalar() or [])


def body_methods(engine: Engine) -> set[str]:
    """The compression methods set on outbox_body's body columns ('' is the server's default)."""
    query = "SELECT attcompression FROM pg_attribute WHERE attrelid = 'outbox_body'::regclass AND attname LIKE 'body_%'"
    with engine.connect() as c:
        return set(c.execute(text(query)).scalars())


def test_bodies_compressed_with_lz4_on_postgresql(engine: Engine) -> None:
    if not lz4_on(engine):
        pytest.skip("column compression with lz4 is PostgreSQL's (14 and later, built with lz4)")
    at_revision(engine, "0003")
    before = body_methods(engine)
    at_revision(engine, "head")
    body = "Triển khai thực hiện Kế hoạch số 252/KH-LĐLĐ đến công đoàn cơ sở. " * 60  # about 4 KB: compressed
    with engine.begin() as c:
        c.execute(text("INSERT INTO outboxmessage (id, key, kind, to_addr, to_name, from_name, subject, status, "
                       "attempts, created_at) VALUES (1, 'notice:1', 'notice', 'td@laichau.example', '', '', "
                       "'Kế hoạch', 'pending', 0, :now)"), {"now": NOW})  # fmt: skip
        c.execute(text("INSERT INTO outbox_body VALUES (1, :b, :b)"), {"b": body})
        found = c.execute(text("SELECT pg_column_compression(body_text), pg_column_compression(body_html), "
                               "body_text FROM outbox_body")).one()  # fmt: skip
    assert found == ("lz4", "lz4", body)
    with engine.begin() as c:
        command.downgrade(alembic_config(c), "0003")
    assert body_methods(engine) == before  # the columns follow the server's default again


OLD_RELEASE_SCHEMA = Path(__file__).parent / "data" / "schema-before-migrations.sql"


def shape(engine: Engine) -> dict[str, Any]:
    """Every table's columns (name, type, nullable) and indexes, as the database itself reports them."""
    found = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
        )
        for table in sorted(found.get_table_names())
        if table != "alembic_version"
    }


def old_release_database(tmp_path: Path) -> Engine:
    """A SQLite file with the schema the release before migrations really made (its sqlite_master, kept in
    tests/data), not one made by this release's revisions."""
    path = tmp_path / "old-release.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_RELEASE_SCHEMA.read_text())
    return get_engine(f"sqlite:///{path}")


def test_revision_0001_is_the_schema_the_old_release_made(tmp_path: Path) -> None:
    old = old_release_database(tmp_path)
    at_0001 = get_engine(f"sqlite:///{tmp_path / 'at-0001.db'}")
    at_revision(at_0001, BEFORE_MIGRATIONS)
    assert shape(at_0001) == shape(old)


def test_the_old_release_database_upgrades_with_its_data(tmp_path: Path) -> None:
    old = old_release_database(tmp_path)
    fill_release_0001(old)
    upgrade_schema(old)
    with old.connect() as c:
        assert current_revision(c) == head_revision()
        assert c.execute(text("SELECT name, place FROM unit WHERE code = 'LDLD_TD'")).one() == (
            "Liên đoàn Lao động huyện Tam Đường",
            None,
        )
        assert c.execute(text("SELECT role, status FROM assignment")).one() == ("act", "acknowledged")
