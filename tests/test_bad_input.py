"""Bad org and directive files: one clear error naming the file and the entry, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from cascade.cli import app
from cascade.db import session_scope
from models import AuditLog, Directive, Unit
from tests.conftest import SAMPLE_DIRECTIVE

GOOD_UNITS = """units:
  - {code: A, name: Tỉnh ủy, kind: party_committee, parent: null, email: a@x.example}
  - {code: B, name: LĐLĐ tỉnh, kind: federation, parent: A, email: b@x.example}
"""

ORG_CASES = {
    "cycle": ("units:\n  - {code: A, name: a, kind: k, parent: C, email: a@x.example}\n"
              "  - {code: B, name: b, kind: k, parent: A, email: b@x.example}\n"
              "  - {code: C, name: c, kind: k, parent: B, email: c@x.example}\n", "cycle: "),
    "duplicate": (GOOD_UNITS + "  - {code: B, name: again, kind: k, parent: A, email: c@x.example}\n",
                  ":4 [unit B]: duplicate code (first at line 3)"),
    "unknown parent": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: ZZ, email: c@x.example}\n",
                       ":4 [unit C]: unknown parent 'ZZ'"),
    "malformed email": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: A, email: not-an-email}\n",
                        ":4 [unit C]: malformed email 'not-an-email'"),
    "missing name": (GOOD_UNITS + "  - {code: C, kind: k, parent: A, email: c@x.example}\n",
                     ":4 [unit C]: missing required field `name`"),
    "no units list": ("unit: []\n", "expected a top-level `units:` list"),
    "bad yaml": ("units:\n  - {code: A, name: [unclosed\n", "not valid YAML"),
}  # fmt: skip


def units_count() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Unit)).one())


@pytest.mark.parametrize("case", list(ORG_CASES))
def test_bad_org_file(case: str, settings: object, tmp_path: Path) -> None:
    text, expected = ORG_CASES[case]
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.stderr and expected in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert units_count() == 0


def test_org_file_not_utf8(settings: object, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    latin1_line = "  - {code: C, name: Thái Bình, kind: k, parent: A, email: c@x.example}\n".encode("latin-1")
    path.write_bytes(GOOD_UNITS.encode("utf-8") + latin1_line)
    result = CliRunner().invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 2 and f"{path}:4" in result.stderr and "not UTF-8" in result.stderr
    assert units_count() == 0


def test_good_org_file_keeps_diacritics(settings: object, tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(GOOD_UNITS, encoding="utf-8")
    result = CliRunner().invoke(app, ["org", "import", str(path)])
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        assert session.exec(select(Unit.name).where(Unit.code == "B")).one() == "LĐLĐ tỉnh"


def directive_text(**changes: str | None) -> str:
    import yaml

    data = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = yaml.safe_load(value)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


DIRECTIVE_CASES = {
    "unknown recipient": (dict(recipients="[{unit: NOPE, role: act}]"), "[NOPE]: unknown unit 'NOPE'"),
    "missing number": (dict(number=None), "[number]: missing required field `number`"),
    "missing recipients": (dict(recipients=None), "[recipients]: missing required field `recipients`"),
    "bad number": (dict(number="'Kế hoạch 252'"), "is not a number and symbol"),
    "bad date": (dict(issued_on="'20/5/2021'"), "`issued_on` is not a date in YYYY-MM-DD form"),
    "report before issue": (dict(report_due="'2021-05-01'"), "report_due 2021-05-01 is before issued_on 2021-05-20"),
    "bad role": (dict(recipients="[{unit: LDLD_TD, role: boss}]"), "role 'boss' of LDLD_TD must be act or info"),
    "duplicate recipient": (dict(recipients="[{unit: LDLD_TD, role: act}, {unit: LDLD_TD, role: info}]"),
                            "unit LDLD_TD is listed twice"),
    "unknown task unit": (dict(tasks="[{to: [GHOST], text: làm việc}]"), "unknown unit 'GHOST'"),
    "bad urgency": (dict(urgency="gấp"), "`urgency` must be one of"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DIRECTIVE_CASES))
def test_bad_directive_file(case: str, settings: object, sample_org: None, tmp_path: Path) -> None:
    changes, expected = DIRECTIVE_CASES[case]
    path = tmp_path / "directive.yaml"
    path.write_text(directive_text(**changes), encoding="utf-8")
    with session_scope() as session:
        audit_before = session.exec(select(func.count()).select_from(AuditLog)).one()
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and expected in result.stderr, result.stderr
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Directive)).one() == 0
        assert session.exec(select(func.count()).select_from(AuditLog)).one() == audit_before
