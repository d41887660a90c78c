"""Issue 18: the corpus. Each document of tests/data/documents/ imports, through `cascade import-document`, to
exactly the directive written by hand in the YAML beside it (every field, the body word for word).

A case's YAML names the document, the org tree files it is read against (the additions are units the sample
tree lacks) and the options a clerk would pass (`report_due` when the document gives no date, `map` for a
name the tree spells otherwise); `directive` is what the written file must hold.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cascade.cli.docimport import import_document_command

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = Path(__file__).with_name("data") / "documents"
CASES = sorted(DOCUMENTS.glob("[0-9][0-9]-*.yaml"))


def merged_org(files: list[str], into: Path) -> Path:
    units = [u for name in files for u in yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))["units"]]
    into.write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
    return into


def import_case(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    document = tmp_path / case["document"]
    shutil.copyfile(DOCUMENTS / case["document"], document)
    org = merged_org(case["org"], tmp_path / "org.yaml")
    options = case.get("options") or {}
    out = tmp_path / "directive.yaml"
    code = import_document_command(
        document, out, org, options.get("issuer"), options.get("report_due"), options.get("map", [])
    )
    assert code == 0, capsys.readouterr().err
    written: dict[str, Any] = yaml.safe_load(out.read_text(encoding="utf-8"))
    return written


def test_the_corpus_has_every_kind_of_document() -> None:
    cases = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in CASES]
    kinds = {c["directive"]["type"] for c in cases}
    assert len(cases) >= 15
    assert {"KẾ HOẠCH", "CÔNG VĂN", "QUYẾT ĐỊNH", "THÔNG BÁO", "CHỈ THỊ", "BÁO CÁO", "HƯỚNG DẪN"} <= kinds
    assert {Path(c["document"]).suffix for c in cases} == {".txt", ".md", ".docx", ".pdf"}
    assert all((DOCUMENTS / c["document"]).is_file() for c in cases)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_document_imports_to_its_hand_written_fields(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    written = import_case(case, tmp_path, capsys)
    expected = case["directive"]
    assert sorted(written) == sorted(expected), "the fields written are not the fields expected"
    wrong = [key for key in expected if written[key] != expected[key]]
    assert not wrong, "\n".join(f"{key}:\n  written  {written[key]!r}\n  expected {expected[key]!r}" for key in wrong)
