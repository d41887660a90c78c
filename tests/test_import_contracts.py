"""The import-linter contracts of pyproject.toml (`make lint`): kept by the project, and able to fail.

tests/data/import_fixture/ holds a small package whose core imports its web app, with contracts of the project's shape
(layers cli → web → core, and a core forbidden to import the layers above); lint-imports must reject it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "data" / "import_fixture"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # --no-cache: nothing written into the tree (the project's own cache is `make lint`'s).
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_a_core_that_imports_the_web_app_breaks_the_contracts() -> None:
    result = lint_imports(str(FIXTURE / ".importlinter"), cwd=FIXTURE, PYTHONPATH=str(FIXTURE))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Contracts: 0 kept, 2 broken." in output
    assert "Layers: cli, web, core BROKEN" in output
    assert "The core knows nothing of the web app or the command line BROKEN" in output
    assert "fixturepkg.core is not allowed to import fixturepkg.web" in output
    # The broken import itself, with its line, under each of the two contracts.
    assert len(re.findall(r"fixturepkg\.core\.settings -> fixturepkg\.web\.app \(l\.3\)", output)) == 2, output


def test_the_project_keeps_every_contract() -> None:
    contracts = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    names = [contract["name"] for contract in contracts["contracts"]]
    assert len(names) >= 3
    result = lint_imports(cwd=PROJECT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Contracts: {len(names)} kept, 0 broken." in output
    for name in names:
        assert f"{name} KEPT" in output
