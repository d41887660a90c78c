"""Flows only orchestrate: their tasks live in tasks/, a launch parses its directive file once, results are typed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.delivery.counts import SendCounts
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives import directivefile
from cascade.directives.specfile import forget_parsed_files, parse_directive_file
from flows.cascade_directive import cascade_directive
from models import AuditLog
from tasks.directive import (
    check_directive_task,
    find_directive_task,
    find_pending_directives_task,
    mark_dispatched_task,
    run_title,
    store_directive_task,
)
from tasks.dispatch import dispatch_processes
from tests.cascade_helpers import store_sample
from tests.conftest import PROJECT, SAMPLE_DIRECTIVE

TITLE = "252/KH-LĐLĐ · Liên đoàn Lao động tỉnh Lai Châu"


@pytest.fixture
def yaml_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every directive file parse_directive reads (the YAML parse itself), in order."""
    forget_parsed_files()
    reads: list[Path] = []
    real = directivefile.read_yaml

    def counting(path: Path) -> Any:
        reads.append(Path(path).resolve())
        return real(path)

    monkeypatch.setattr(directivefile, "read_yaml", counting)
    yield reads
    forget_parsed_files()


@pytest.fixture
def own_copy(tmp_path: Path) -> Path:
    """The sample directive at a path no other test parsed (the parses are cached by path and version)."""
    path = tmp_path / "252-KH-LDLD.yaml"
    shutil.copyfile(SAMPLE_DIRECTIVE, path)
    return path


@pytest.mark.usefixtures("prefect_harness", "sample_org")
@pytest.mark.parametrize("dry_run", [False, True], ids=["launch", "dry-run"])
def test_a_flow_run_parses_its_directive_file_once(
    settings: Settings, mailbox: SmtpSink, yaml_reads: list[Path], own_copy: Path, dry_run: bool
) -> None:
    # The run's name, then the store (or check) task, each want the spec: one parse serves both.
    totals = cascade_directive(directive_file=str(own_copy), dry_run=dry_run)
    assert yaml_reads == [own_copy.resolve()]
    assert totals == (
        {"assignments": 0, "rendered": 0, "sent": 0, "bounced": 0, "failed": 0, "recipients": 24}
        if dry_run
        else {"assignments": 23, "rendered": 23, "sent": 23, "bounced": 0, "failed": 0}
    )  # 24 recipients; the drafting department ("Lưu: VT, TgNc") gets no assignment
    assert len(mailbox.messages) == (0 if dry_run else 23)


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_cascade_launch_parses_its_directive_file_once(
    settings: Settings,
    mailbox: SmtpSink,
    yaml_reads: list[Path],
    own_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A relative path in the CLI, the absolute one in the flow: still one parse, and the stored source is the
    # absolute path the flow was given, as before the parse was shared.
    monkeypatch.chdir(own_copy.parent)
    result = CliRunner().invoke(app, ["launch", own_copy.name])
    assert result.exit_code == 0, result.output
    assert "23 emails sent" in result.output and len(mailbox.messages) == 23  # not to the drafting department
    assert yaml_reads == [own_copy.resolve()]
    with session_scope() as session:
        stored = session.exec(select(AuditLog).where(AuditLog.event == "directive_stored")).one()
    assert stored.detail["source"] == str(own_copy.resolve())


def test_an_edited_file_is_parsed_again(yaml_reads: list[Path], own_copy: Path) -> None:
    first = parse_directive_file(own_copy)
    assert parse_directive_file(own_copy) is first and len(yaml_reads) == 1
    own_copy.write_text(own_copy.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert parse_directive_file(own_copy).number == first.number and len(yaml_reads) == 2
    relative = Path("..") / own_copy.parent.name / own_copy.name
    assert parse_directive_file(own_copy.parent / relative).source == str(own_copy.parent / relative)


@pytest.mark.usefixtures("sample_org")
def test_the_run_name_is_the_directive_it_carries(settings: Settings, own_copy: Path) -> None:
    assert run_title({"directive_file": str(own_copy)}) == TITLE  # not stored yet: as the file gives it
    assert run_title({"number": "252/KH-LĐLĐ"}) == "cascade-directive"
    assert run_title({"number": "999/KH-LĐLĐ", "directive_file": str(own_copy)}) == own_copy.name
    with session_scope() as session:
        directive_id = store_sample(session).id
    assert run_title({"number": "252/KH-LĐLĐ"}) == run_title({"directive_id": directive_id}) == TITLE


def test_flows_only_orchestrate() -> None:
    for module in sorted((PROJECT / "flows").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        for needle in ("select(", "session_scope", "Session", "os.environ", "getenv", "@task", "sqlmodel"):
            assert needle not in text, f"{module.name} uses {needle}"
    assert not re.search(r"\bimport os\b", "".join(p.read_text() for p in (PROJECT / "flows").glob("*.py")))


def test_the_moved_tasks_keep_their_names_and_retries() -> None:
    expected = {
        store_directive_task: ("store-directive", 0),
        find_directive_task: ("find-directive", 0),
        check_directive_task: ("check-directive", 0),
        mark_dispatched_task: ("mark-dispatched", 0),
        find_pending_directives_task: ("find-pending-directives", 2),
    }
    assert {t.name: t.retries for t in expected} == dict(expected.values())
    assert find_pending_directives_task.retry_delay_seconds == 2


def test_dispatch_processes_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    reset_settings()
    assert dispatch_processes() == 1
    monkeypatch.setenv("CASCADE_DISPATCH_PROCESSES", "3")
    reset_settings()
    assert dispatch_processes() == get_settings().delivery.dispatch_processes == 3
    for empty_or_zero in ("", "0"):  # both mean one process, as they always did
        monkeypatch.setenv("CASCADE_DISPATCH_PROCESSES", empty_or_zero)
        reset_settings()
        assert dispatch_processes() <= 1
    monkeypatch.setenv("CASCADE_DISPATCH_PROCESSES", "-1")
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()


def test_send_counts_add_up() -> None:
    counts = SendCounts(sent=2, failed=1)
    assert counts.add(SendCounts(sent=3, bounced=1, escalated=1)) is counts
    counts.add(SendCounts(requeued=2))
    assert counts.as_dict() == {
        "sent": 5, "bounced": 1, "failed": 1, "escalated": 1, "requeued": 2, "in_doubt_delivered": 0,
        "in_doubt_resent": 0,
    }  # fmt: skip
