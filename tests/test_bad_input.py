"""Bad org and directive files: one clear error naming the file and the entry, exit 2, nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in
from models import Acknowledgement, Assignment, AuditLog, Directive, Unit
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
    "email with two @": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: A, email: c@@x.example}\n",
                         ":4 [unit C]: malformed email 'c@@x.example'"),
    "email with a space": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: A, email: 'c d@x.example'}\n",
                           ":4 [unit C]: malformed email 'c d@x.example'"),
    "two emails in one field": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: A, email: 'c@x.vn, d@x.vn'}\n",
                                ":4 [unit C]: malformed email 'c@x.vn, d@x.vn'"),
    "email without a domain": (GOOD_UNITS + "  - {code: C, name: c, kind: k, parent: A, email: c@localhost}\n",
                               ":4 [unit C]: malformed email 'c@localhost'"),
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


DIRECTIVE_CASES: dict[str, tuple[dict[str, str | None], str]] = {
    "unknown recipient": (dict(recipients="[{unit: NOPE, role: act}]"), "[NOPE]: unknown unit 'NOPE'"),
    "missing number": (dict(number=None), "[number]: missing required field `number`"),
    "missing recipients": (dict(recipients=None), "[recipients]: missing required field `recipients`"),
    "bad number": (dict(number="'Kế hoạch 252'"), "is not a number and symbol"),
    "bad date": (dict(issued_on="'20/5/2021'"), "`issued_on` is not a date in YYYY-MM-DD form"),
    "report before issue": (dict(report_due="'2021-05-01'"), "report_due 2021-05-01 is before issued_on 2021-05-20"),
    "bad role": (
        dict(recipients="[{unit: LDLD_TD, role: boss}]"),
        "role 'boss' of LDLD_TD must be one of act | coordinate | info | superior",
    ),
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


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1258"])
def test_directive_file_in_a_wrong_encoding(encoding: str, settings: object, sample_org: None, tmp_path: Path) -> None:
    path = tmp_path / "directive.yaml"
    path.write_bytes(directive_text().encode(encoding, errors="replace"))
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2 and str(path) in result.stderr and "not UTF-8" in result.stderr, result.stderr
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Directive)).one() == 0


CLI_CASES = {
    "missing file": (["launch", "{tmp}/nope.yaml"], "cannot read the file"),
    "a directory as the org file": (["org", "import", "{tmp}"], "cannot read the file"),
    "unknown directive number": (["status", "999/KH-KHÔNG"], "no directive numbered '999/KH-KHÔNG'"),
    "missing argument": (["launch"], "Missing argument"),
    "unknown option": (["status", "252/KH-LĐLĐ", "--bogus"], "No such option"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_bad_cli_arguments(case: str, settings: object, tmp_path: Path) -> None:
    argv, expected = CLI_CASES[case]
    result = CliRunner().invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert result.exit_code == 2 and expected in result.output + result.stderr, result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert units_count() == 0


def _refuse_reason(value: str) -> dict[str, str]:
    return {"reason": value}


# Web form fields, over real HTTP: (path, how the body is sent, body, status, words on the page).
WEB_CASES = {
    "ack as JSON, no form token": ("ack", "json", {"csrf_token": "x"}, 403, "Phiên làm việc không hợp lệ"),
    "ack form without its token": ("ack", "data", {}, 403, "Phiên làm việc không hợp lệ"),
    "ack with a 10 kB forged token": ("ack", "data", {"csrf_token": "A" * 10_000}, 403, "Phiên làm việc"),
    "refusal with a blank reason": ("refuse", "data", _refuse_reason("   "), 422, "Vui lòng nêu lý do từ chối"),
    "refusal with a reason too long": ("refuse", "data", _refuse_reason("x" * 2001), 422, "(reason)"),
    "refusal sent as JSON": ("refuse", "json", _refuse_reason("sai đơn vị"), 403, "Phiên làm việc không hợp lệ"),
}


@pytest.mark.parametrize("case", list(WEB_CASES))
def test_bad_web_form_fields(case: str, settings: Settings, sample_org: None, web: str) -> None:
    import httpx

    from cascade.core.workdays import WorkCalendar
    from cascade.directives.directivefile import parse_directive
    from cascade.directives.store import store_directive
    from cascade.dispatch.notices import create_assignments
    from cascade.dispatch.tokens import Purpose, expiry_for, make_token

    with session_scope() as session:
        directive, _ = store_directive(session, parse_directive(SAMPLE_DIRECTIVE))
        create_assignments(session, directive, WorkCalendar())
        assignment = session.exec(select(Assignment)).first()
        assert assignment is not None and assignment.id is not None
        before = assignment.status
        token = make_token(settings, assignment.id, Purpose.ack, expiry_for(date(2099, 1, 1), 0))
    action, how, body, status, words = WEB_CASES[case]
    with httpx.Client() as client:
        page = client.get(f"{web}/u/{token}")  # a visitor with the CSRF cookie
        if action == "refuse":  # the refusal cases are about the reason: send the form's valid token
            form = next(f for f in forms_in(page.text) if str(f["action"]).endswith("/refuse"))
            body = {**form["fields"], **body} if how == "data" else body  # type: ignore[dict-item]
        response = client.post(f"{web}/u/{token}/{action}", **{how: body})  # type: ignore[arg-type]
    assert response.status_code == status and words in response.text, (response.status_code, response.text[-400:])
    assert "Traceback" not in response.text and response.headers["content-type"].startswith("text/html")
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Acknowledgement)).one() == 0
        assert session.get(Assignment, assignment.id).status == before  # type: ignore[union-attr]


@pytest.mark.parametrize("flow", [False, True], ids=["block YAML", "one JSON value a line"])
def test_a_field_problem_cites_the_fields_line(flow: bool, settings: object, sample_org: None, tmp_path: Path) -> None:
    """report_due before issued_on is reported at report_due's own line, not the file's first mapping line."""
    import json

    import yaml

    data = yaml.safe_load(directive_text(report_due="'2021-05-01'"))
    if flow:  # the fast reader's shape (big generated files): `key: JSON` and `  - {JSON}` lines
        lines = []
        for key, value in data.items():
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                lines += [f"{key}:", *(f"  - {json.dumps(v, ensure_ascii=False)}" for v in value)]
            else:
                lines.append(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
        text = "\n".join(lines) + "\n"
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = tmp_path / "directive.yaml"
    path.write_text(text, encoding="utf-8")
    due_line = text.splitlines().index(next(ln for ln in text.splitlines() if ln.startswith("report_due:"))) + 1
    assert due_line > 2
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:{due_line} [report_due]: report_due 2021-05-01 is before issued_on" in result.stderr, result.stderr


def test_a_dissolved_unit_is_named_at_its_line_with_the_unit_its_work_passed_to(
    settings: object, sample_org: None, tmp_path: Path
) -> None:
    import yaml

    from tests.conftest import SAMPLE_ORG

    tree = yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))
    for unit in tree["units"]:
        if unit["code"] == "LDLD_NN":
            unit.update(dissolved=True, successor="LDLD_TPLC")
        if unit["code"] == "LDLD_TPLC":  # merged in its turn: the clerk is sent to the unit that is still there
            unit.update(dissolved=True, successor="LDLD_TD")
    org = tmp_path / "org.yaml"
    org.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert CliRunner().invoke(app, ["org", "import", str(org)]).exit_code == 0
    path = tmp_path / "directive.yaml"
    path.write_text(directive_text(), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("- unit: LDLD_NN") + 1
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2, result.output
    assert (
        f"{path}:{line} [LDLD_NN]: unit 'LDLD_NN' (Liên đoàn Lao động huyện Nậm Nhùn) has been dissolved; its work "
        "passed to LDLD_TD (Liên đoàn Lao động huyện Tam Đường): name that unit instead"
    ) in " ".join(result.stderr.split()), result.stderr
