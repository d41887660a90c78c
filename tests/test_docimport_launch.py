"""The seed imported from its document launches the same cascade as the hand-written sample file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cascade.cli.docimport import import_document_command
from cascade.core.db import session_scope
from cascade.core.settings import reset_settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.org.orgtree import import_org, parse_org
from flows.cascade_directive import cascade_directive
from models.schema import init_db
from tests.conftest import SAMPLE_DIRECTIVE, SAMPLE_ORG

SEED = Path(__file__).resolve().parent / "data" / "docimport" / "252-KH-LDLD.txt"


def launch(directive: Path, database: Path, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple]:
    monkeypatch.setenv("CASCADE_DATABASE_URL", f"sqlite:///{database}")
    reset_settings()
    init_db()
    with session_scope() as session:
        import_org(session, parse_org(SAMPLE_ORG), source=str(SAMPLE_ORG))
    mailbox.handler.clear()
    cascade_directive(directive_file=str(directive))
    return {m.rcpt_tos[0]: (m.subject, m.text(), m.html()) for m in mailbox.messages}


@pytest.mark.usefixtures("prefect_harness")
def test_imported_seed_gives_the_same_emails(
    settings: object, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert SEED.exists()
    imported = tmp_path / "252.directive.yaml"
    assert import_document_command(SEED, imported, SAMPLE_ORG, None, "2021-12-15") == 0
    by_hand = launch(SAMPLE_DIRECTIVE, tmp_path / "hand.db", mailbox, monkeypatch)
    from_document = launch(imported, tmp_path / "imported.db", mailbox, monkeypatch)
    assert len(by_hand) == 24
    # same recipients; the same subject, text and HTML for each (links are signed per assignment id and match)
    assert from_document == by_hand
