"""The synthetic national tree: its shape, valid unique codes and emails, Vietnamese names, a fast bulk import."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.yamlfile import read_yaml, strip_lines
from cascade.dev.orggen import Shape, shape, units
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.directivefile import parse_directive
from cascade.org.orgtree import is_valid_email, parse_org
from models import AuditLog, Unit


def flat(text: str) -> str:
    return " ".join(text.split())  # rich wraps long lines


def test_national_shape_has_unique_valid_codes_and_emails() -> None:
    size = shape()
    assert size == Shape(federations=54, intermediates=700, units=100_000)
    kinds: Counter[str] = Counter()
    codes, emails = set(), set()
    for unit in units(size):
        kinds["grassroots" if unit["kind"] == "grassroots_union" else str(unit["kind"])] += 1
        codes.add(unit["code"])
        emails.add(unit["email"])
        assert is_valid_email(str(unit["email"])), unit
    assert kinds["confederation"] == 1 and kinds["grassroots"] == 100_000
    assert kinds["federation"] + kinds["central_sector_union"] == 54
    assert sum(kinds.values()) == 1 + 54 + 700 + 100_000 == len(codes) == len(emails)


def test_generate_then_import_and_reimport(settings: object, tmp_path: Path) -> None:
    org, directive = tmp_path / "org.yaml", tmp_path / "directive.yaml"
    runner = CliRunner()
    result = runner.invoke(app, ["org", "generate", "--out", str(org), "--units", "500", "--directive", str(directive)])
    assert result.exit_code == 0, result.output
    specs = parse_org(org)  # the project's own validation: codes, emails, parents, no cycles
    assert len(specs) == 1 + 4 + 4 + 500 and len({s.code for s in specs}) == len(specs)
    assert any("Công đoàn cơ sở" in s.name for s in specs) and "Tổng Liên đoàn Lao động Việt Nam" in specs[0].name
    # the fast reader gives exactly what a YAML parser gives, line numbers included
    assert strip_lines(read_yaml(org)) == yaml.safe_load(org.read_text(encoding="utf-8"))
    assert specs[3].line == 7
    assert strip_lines(read_yaml(directive)) == yaml.safe_load(directive.read_text(encoding="utf-8"))
    assert len(parse_directive(directive).recipients) == len(specs) - 1

    result = runner.invoke(app, ["org", "import", str(org)])
    assert result.exit_code == 0 and "(509 new, 0 changed)" in flat(result.output), result.output
    with session_scope() as session:
        rows = {u.code: u for u in session.exec(select(Unit)).all()}
        assert len(rows) == 509
        leaf = rows["LDLD_01.T001.0001"]
        assert rows[leaf.code].parent_id == rows["LDLD_01.T001"].id
        assert rows["LDLD_01.T001"].parent_id == rows["LDLD_01"].id and rows["TLD_VN"].parent_id is None

    # an edited file: a renamed unit, a moved unit, a dissolved unit with a successor
    text = org.read_text(encoding="utf-8")
    text = text.replace('"name": "Liên đoàn Lao động Hà Nội"', '"name": "Liên đoàn Lao động thành phố Hà Nội"')
    text = text.replace(
        '"code": "LDLD_01.T001.0002", "name"',
        '"code": "LDLD_01.T001.0002", "dissolved": true, "successor": "LDLD_01.T001.0003", "name"',
    )
    text = text.replace('"code": "LDLD_01.T001.0004", "name": "', '"code": "LDLD_01.T001.0004", "name": "Renamed ')
    text = text.replace(
        '"parent": "LDLD_01.T001", "email": "ldld-01-t001-0005@',
        '"parent": "LDLD_02.T001", "email": "ldld-01-t001-0005@',
    )
    org.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["org", "import", str(org)])
    assert result.exit_code == 0 and "(0 new, 2 changed)" in flat(result.output), result.output
    with session_scope() as session:
        rows = {u.code: u for u in session.exec(select(Unit)).all()}
        assert rows["LDLD_01"].name == "Liên đoàn Lao động thành phố Hà Nội"
        gone = rows["LDLD_01.T001.0002"]
        assert not gone.active and gone.successor_id == rows["LDLD_01.T001.0003"].id
        assert rows["LDLD_01.T001.0005"].parent_id == rows["LDLD_02.T001"].id
        assert rows["LDLD_01.T001.0001"].active and rows["LDLD_01.T001.0001"].successor_id is None
        events = session.exec(select(AuditLog).where(AuditLog.event == "org_imported")).all()
        assert [e.detail["created"] for e in events] == [509, 0]


def test_unknown_shape_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["org", "generate", "--out", str(tmp_path / "o.yaml"), "--shape", "moon"])
    assert result.exit_code == 2 and not (tmp_path / "o.yaml").exists()


@pytest.mark.usefixtures("prefect_harness")
def test_launch_of_a_generated_tree_shows_progress(settings: object, mailbox: SmtpSink, tmp_path: Path) -> None:
    org, directive = tmp_path / "org.yaml", tmp_path / "directive.yaml"
    runner = CliRunner()
    generated = runner.invoke(
        app, ["org", "generate", "--out", str(org), "--units", "60", "--directive", str(directive)]
    )
    assert generated.exit_code == 0, generated.output
    written = len(yaml.safe_load(org.read_text(encoding="utf-8"))["units"])  # counted by a plain YAML parser
    assert f"Wrote {written} units to" in flat(generated.output)
    assert "Wrote a directive to 62 units" in flat(generated.output)
    assert runner.invoke(app, ["org", "import", str(org)]).exit_code == 0
    result = runner.invoke(app, ["launch", str(directive)])
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "rendered" in out and "sent" in out and "62/62" in out and "62 emails sent" in out
    assert len(mailbox.messages) == 62


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_batches_over_a_process_pool_send_each_notice_once(
    settings: object, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cascade.core.settings import reset_settings
    from flows.cascade_directive import cascade_directive
    from tests.conftest import SAMPLE_DIRECTIVE

    monkeypatch.setenv("CASCADE_BATCH_SIZE", "5")  # 23 notices (not the drafting department): 5 batches, 2 processes
    monkeypatch.setenv("CASCADE_DISPATCH_PROCESSES", "2")
    reset_settings()
    totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    assert totals["rendered"] == totals["sent"] == 23
    assert sorted(r for m in mailbox.messages for r in m.rcpt_tos) == sorted(
        set(r for m in mailbox.messages for r in m.rcpt_tos)
    )
    assert len(mailbox.messages) == 23
