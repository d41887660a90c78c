"""The seed imported from its document launches the same cascade as the hand-written sample file; a công văn
imported from its .docx launches from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cascade.cli.docimport import import_document_command
from cascade.cli.main import app
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
    # One email per recipient the notices go to, each to its own address. Counted by hand in the Nơi nhận of
    # examples/252-KH-LDLD.yaml: 14 to act (8 district and city federations, CDN_GD, CDN_YT, CDVC, 3 CĐCS),
    # 5 superiors (TU_LC, TLD_VN, VP_TU, BDV_TU, BTG_TU), 5 of the federation's own departments for information:
    # 24, less the drafting department LDLD_TGNC (named by the archive line "VT, TgNc"), which is not asked to
    # acknowledge its own plan (issue 17).
    assert len(by_hand) == 23
    # same recipients; the same subject, text and HTML for each (links are signed per assignment id and match)
    assert sorted(from_document) == sorted(by_hand)
    assert from_document == by_hand


CONG_VAN = Path(__file__).resolve().parent / "data" / "documents" / "02-cv-ldld-tgnc.docx"
# Kính gửi of Công văn 45/LĐLĐ-TGNC: LĐLĐ các huyện, thành phố; Công đoàn ngành, Công đoàn Viên chức tỉnh; CĐCS
# trực thuộc LĐLĐ tỉnh ("Như trên" in its Nơi nhận).
ADDRESSEES = {
    *("LDLD_TPLC", "LDLD_TD", "LDLD_PT", "LDLD_SH", "LDLD_MT", "LDLD_NN", "LDLD_TUY", "LDLD_THU"),
    *("CDN_GD", "CDN_YT", "CDVC", "CDCS_CAPNUOC", "CDCS_XOSO", "CDCS_AGRIBANK"),
}


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_a_clerk_imports_a_cong_van_docx_and_launches_it(settings: object, mailbox: SmtpSink, tmp_path: Path) -> None:
    """The clerk's two commands: `cascade import-document` on the .docx that arrived (names resolved against
    the tree imported with `cascade org import`), then `cascade launch` on the file it wrote."""
    document = tmp_path / "45-LDLD-TGNC.docx"
    shutil.copyfile(CONG_VAN, document)
    runner = CliRunner()
    imported = runner.invoke(app, ["import-document", str(document)])
    assert imported.exit_code == 0, imported.output
    directive = tmp_path / "45-LDLD-TGNC.directive.yaml"
    written = yaml.safe_load(directive.read_text(encoding="utf-8"))
    assert (written["number"], written["type"], written["original"]) == ("45/LĐLĐ-TGNC", "CÔNG VĂN", document.name)
    launched = runner.invoke(app, ["launch", str(directive)])
    assert launched.exit_code == 0, launched.output
    assert f"{len(ADDRESSEES)} emails sent" in launched.output
    emails = {u["code"]: u["email"] for u in yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))["units"]}
    assert sorted(m.rcpt_tos[0] for m in mailbox.messages) == sorted(emails[c] for c in ADDRESSEES)
    for message in mailbox.messages:
        assert "45/LĐLĐ-TGNC" in message.subject
        # each notice carries the công văn's points as the unit's tasks, and the signed original attached
        assert "Báo cáo kết quả thực hiện về LĐLĐ tỉnh (qua Ban Tuyên giáo - Nữ công)" in message.text()
        names = [part.get_filename() for part in message.message.iter_attachments()]
        assert document.name in names
