"""Helpers of the API tests: the real app under uvicorn, the sample's accounts, uploads, counts of what is stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from models import Directive, DirectiveDraft, OutboxMessage
from tests.accounts_helpers import add_account, bearer

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_YAML = PROJECT / "examples" / "252-KH-LDLD.yaml"
SAMPLE_TXT = PROJECT / "tests" / "data" / "docimport" / "252-KH-LDLD.txt"
CV45_DOCX = PROJECT / "tests" / "data" / "documents" / "02-cv-ldld-tgnc.docx"
PLAN_DAY = "2021-05-20T08:00:00+07:00"  # the plan's own day, 8 a.m. in Lai Châu
LIMIT = 1_000_000  # CASCADE_ORIGINAL_MAX_BYTES in these tests


@contextmanager
def served(settings: Settings) -> Iterator[str]:
    from cascade.dev.webserver import BackgroundServer
    from web.app import create_app

    with BackgroundServer(create_app(settings), settings.web.public_host, settings.web.public_port):
        yield settings.web.public_url


def accounts() -> dict[str, dict[str, str]]:
    """Bearer headers of: the province's admin and supervisor, Tam Đường's admin, Phong Thổ's admin and
    supervisor (Phong Thổ is Tam Đường's sibling district)."""
    made = {
        "province": add_account("admin@ldld.laichau.example", "admin", "LDLD_LC"),
        "province_supervisor": add_account("theodoi@ldld.laichau.example", "supervisor", "LDLD_LC"),
        "tam_duong": add_account("admin@tamduong.example", "admin", "LDLD_TD"),
        "phong_tho": add_account("admin@phongtho.example", "admin", "LDLD_PT"),
        "phong_tho_supervisor": add_account("theodoi@phongtho.example", "supervisor", "LDLD_PT"),
    }
    return {name: bearer(token) for name, token in made.items()}


def upload(
    client: httpx.Client,
    headers: dict[str, str],
    name: str,
    data: bytes,
    original: tuple[str, bytes] | None = None,
) -> httpx.Response:
    files: dict[str, Any] = {"file": (name, data, "application/octet-stream")}
    if original is not None:
        files["original"] = (original[0], original[1], "application/octet-stream")
    return client.post("/api/directives", files=files, headers=headers)


def counts() -> dict[str, int]:
    """Rows of what a launch or an upload stores."""
    with session_scope() as session:
        return {
            "drafts": session.exec(select(func.count()).select_from(DirectiveDraft)).one(),
            "directives": session.exec(select(func.count()).select_from(Directive)).one(),
            "outbox": session.exec(select(func.count()).select_from(OutboxMessage)).one(),
        }


def stored_files(settings: Settings) -> list[Path]:
    data = Path(settings.documents.data_dir)
    return sorted(p for p in data.rglob("*") if p.is_file()) if data.exists() else []
