"""An impossible date written without quotes is a listed problem, not a crash."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cascade.cli.main import app
from tests.conftest import SAMPLE_DIRECTIVE


def test_unquoted_impossible_date_is_named(settings: object, sample_org: None, tmp_path: Path) -> None:
    text = SAMPLE_DIRECTIVE.read_text(encoding="utf-8")
    assert "issued_on: '2021-05-20'" in text
    path = tmp_path / "directive.yaml"
    path.write_text(text.replace("issued_on: '2021-05-20'", "issued_on: 2021-13-20"), encoding="utf-8")
    result = CliRunner().invoke(app, ["launch", str(path)])
    assert result.exit_code == 2
    assert "[issued_on]: `issued_on` is not a date in YYYY-MM-DD form: '2021-13-20'" in result.stderr
