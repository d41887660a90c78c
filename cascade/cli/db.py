"""`cascade db upgrade | revision | backup FILE | restore FILE`: the schema and copies of the database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import console, err

db_app = typer.Typer(help="The database: its schema and its backups.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the schema to the newest revision (what `cascade web`, the flows and the demo do when it is behind)."""
    from cascade.core.db import get_engine
    from models.schema import current_revision, head_revision, upgrade_schema

    engine = get_engine()
    with engine.connect() as connection:
        before = current_revision(connection)
    upgrade_schema(engine)
    head = head_revision()
    console.print(f"Schema at revision {head}" + (" (already)." if before == head else f" (was {before or 'none'})."))


@db_app.command("revision")
def revision() -> None:
    """Print the database's schema revision and the newest one this release knows."""
    from cascade.core.db import get_engine
    from models.schema import current_revision, head_revision

    with get_engine().connect() as connection:
        console.print(f"database: {current_revision(connection) or 'none'}; this release: {head_revision()}")


def _sqlite_path(url: str) -> Path | None:
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite:///") else None


def _pg(url: str) -> tuple[str, dict[str, str]]:
    """The URL for pg_dump/pg_restore without its password, and the environment that carries the password: a
    command line is readable by every local user (ps, /proc), the environment of the child is not."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgresql+psycopg://", "postgresql://", 1))
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    return parsed.set(password=None).render_as_string(hide_password=False), env


def _existing_sqlite(path: Path) -> sqlite3.Connection:
    """The database file, never created: a mistyped CASCADE_DATABASE_URL is an error, not an empty backup."""
    if not path.is_file():
        err.print(f"[bold red]Error:[/] the database {path} does not exist (check CASCADE_DATABASE_URL)")
        raise typer.Exit(code=2)
    return sqlite3.connect(f"file:{path}?mode=rw", uri=True)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        err.print(f"[bold red]Error:[/] {name} is not installed (Debian: postgresql-client)")
        raise typer.Exit(code=2)
    return found


@db_app.command("backup")
def backup(file: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """A consistent copy while the system runs: SQLite's online backup, or pg_dump's custom format."""
    from cascade.core.settings import get_settings

    url = get_settings().database_url
    source = _sqlite_path(url)
    if file.exists():
        err.print(f"[bold red]Error:[/] {file} exists already; nothing was written")
        raise typer.Exit(code=2)
    if source is not None:
        with _existing_sqlite(source) as src, sqlite3.connect(file) as dst:
            src.backup(dst)
    else:
        target, env = _pg(url)
        subprocess.run([_tool("pg_dump"), "--format=custom", "--file", str(file), target], check=True, env=env)
    console.print(f"Backed up the database to {file} ({file.stat().st_size:,} bytes).")


@db_app.command("restore")
def restore(
    file: Annotated[Path, typer.Argument(help="A copy made by `cascade db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database's content without asking.")] = False,
) -> None:
    """Replace the database's content with a backup (stop the web app and the workers first)."""
    from cascade.core.settings import get_settings

    if not file.is_file():
        err.print(f"[bold red]Error:[/] {file}: no such backup")
        raise typer.Exit(code=2)
    url = get_settings().database_url
    if not yes:
        typer.confirm(f"Replace the content of {url} with {file}?", abort=True)
    target = _sqlite_path(url)
    if target is not None:
        with sqlite3.connect(file) as src, _existing_sqlite(target) as dst:
            src.backup(dst)
    else:
        dbname, env = _pg(url)
        command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        subprocess.run([*command, "--dbname", dbname, str(file)], check=True, env=env)
    console.print(f"Restored the database from {file}.")
