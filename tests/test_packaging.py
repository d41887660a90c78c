"""The wheel, installed on its own: every package and template inside it, and the `cascade` command working from it.

The wheel is built from a copy of the working tree (no build/ or egg-info left in the project), then installed without
its dependencies into a fresh virtual environment. A `.pth` there puts this interpreter's site-packages on sys.path
(as a plain path, so the editable install's finder is not run): the dependencies come from here, the project itself
only from the wheel. aiosmtpd is made unimportable in that environment, as when the `demo` extra is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
import yaml

from cascade.dev.topology import wait_until

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_ORG = PROJECT / "examples" / "laichau-2021.yaml"
SAMPLE_UNITS = 55  # the units of examples/laichau-2021.yaml
ROOT_PACKAGES = ("cascade", "flows", "models", "tasks", "templates", "web")
# Never part of a build: the environment, caches, outputs, and build/ (a stale build/lib would go into the wheel).
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".*_cache", ".hypothesis",
    "test-artifacts", "demo-out", "bench-out", "uploads", "*.db", "*.db-*",
)  # fmt: skip

NO_AIOSMTPD = '''"""Written by tests/test_packaging.py: this environment has no aiosmtpd (the `demo` extra)."""

import sys


class _Absent:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] == "aiosmtpd":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Absent())
'''


@dataclass
class Installed:
    wheel: Path
    source: Path  # the copy the wheel was built from
    venv: Path
    site_packages: Path
    workdir: Path
    env: dict[str, str]

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def cascade(self) -> Path:
        return self.venv / "bin" / "cascade"

    def run(self, *args: str | Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=self.workdir,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )


def _pip(*args: str | Path, timeout: float = 300) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args)],
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"pip {' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"


def _builds_wheels_offline() -> bool:
    """setuptools ≥ 70.1 (the `dev` extra) has bdist_wheel itself; older ones need the `wheel` package."""
    if importlib.util.find_spec("setuptools") is None:
        return False
    major, minor = (int(part) for part in re.findall(r"\d+", version("setuptools"))[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CASCADE_", "PYTHON")) and k not in {"VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"}
    }
    return {**env, **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(PROJECT, source, ignore=NOT_COPIED)
    dist = base / "dist"
    if _builds_wheels_offline():
        _pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source)
    else:  # this interpreter's setuptools cannot: pip fetches the build-system requirements from the index
        _pip("wheel", "--quiet", "--no-deps", "-w", dist, source)
    (wheel,) = dist.glob("directive_cascade-*.whl")

    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    _pip("--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    here = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site_packages / "zz_dependencies_from_the_test_interpreter.pth").write_text("".join(f"{p}\n" for p in here))
    (site_packages / "_no_aiosmtpd.py").write_text(NO_AIOSMTPD)
    (site_packages / "_no_aiosmtpd.pth").write_text("import _no_aiosmtpd\n")

    workdir = base / "work"
    workdir.mkdir()
    env = _clean_env(
        CASCADE_DATABASE_URL=f"sqlite:///{workdir / 'x.db'}",
        PREFECT_HOME=str(base / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PYTHONUTF8="1",
        COLUMNS="200",
    )
    return Installed(wheel, source, venv, site_packages, workdir, env)


def test_the_wheel_holds_every_package_and_template(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {"templates/email/notice.html", "templates/web/base.html", "templates/reports/consolidated.md"} <= names
    assert {"cascade/dev/__init__.py", "cascade/dev/smtp_sink.py"} <= names
    assert {"cascade/directives/docimport/__init__.py", "cascade/directives/docimport/importer.py"} <= names
    # Every file of the source packages (modules, subpackages, templates) is in the wheel.
    expected = {
        path.relative_to(installed.source).as_posix()
        for root in ROOT_PACKAGES
        for path in (installed.source / root).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected - names == set()
    # ... and nothing else: no tests, bench or docs.
    top_level = {name.split("/", 1)[0] for name in names if not name.startswith("directive_cascade-")}
    assert top_level == set(ROOT_PACKAGES)


def test_the_project_is_imported_from_the_wheel(installed: Installed) -> None:
    code = (
        "import cascade, flows, models, tasks, templates, web\n"
        "from cascade.rendering.render import TEMPLATES_DIR\n"
        "for m in (cascade, flows, models, tasks, templates, web): print(m.__file__)\n"
        "print(TEMPLATES_DIR / 'email' / 'notice.html')\n"
    )
    result = installed.run(installed.python, "-c", code)
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert len(paths) == len(ROOT_PACKAGES) + 1
    for path in paths:
        assert path.is_relative_to(installed.site_packages), path
        assert not path.is_relative_to(PROJECT), path
    assert paths[-1].is_file()


def test_cascade_help_lists_the_commands(installed: Installed) -> None:
    result = installed.run(installed.cascade, "--help")
    assert result.returncode == 0, result.stderr
    for command in ("org", "launch", "status", "monitor", "web", "demo", "inbox", "dispatch", "import-document"):
        assert re.search(rf"^\W*{re.escape(command)}\s", result.stdout, re.MULTILINE), (command, result.stdout)


def test_cascade_org_import_fills_the_sqlite_file(installed: Installed) -> None:
    org = shutil.copy(SAMPLE_ORG, installed.workdir / SAMPLE_ORG.name)
    assert len(yaml.safe_load(SAMPLE_ORG.read_text(encoding="utf-8"))["units"]) == SAMPLE_UNITS
    database = installed.workdir / "x.db"
    result = installed.run(installed.cascade, "org", "import", Path(org).name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Imported {SAMPLE_UNITS} units" in result.stdout
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT count(*) FROM unit").fetchone()
    assert count == SAMPLE_UNITS


def test_without_aiosmtpd_only_the_demo_is_missing(installed: Installed) -> None:
    # `cascade demo` says which extra it needs.
    result = installed.run(installed.cascade, "demo", "--workdir", "demo-out")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "aiosmtpd" in result.stderr and "directive-cascade[demo]" in result.stderr, result.stderr
    assert not (installed.workdir / "demo-out").exists()

    # `cascade launch`, `dispatch` and `monitor` run these flows; they load without it.
    code = "import flows.cascade_directive, flows.dispatch_pending, flows.monitor, cascade.cli.main\nprint('ok')"
    result = installed.run(installed.python, "-c", code)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr

    # `cascade web` serves its pages (and the templates from the wheel), the local inbox among them.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    maildir = installed.workdir / "mail"
    maildir.mkdir()
    url = f"http://127.0.0.1:{port}"
    env = {
        **installed.env,
        "CASCADE_PUBLIC_URL": url,
        "CASCADE_SECRET_KEY": "k" * 32,
        "CASCADE_INBOX_DIR": str(maildir),
    }
    server = subprocess.Popen(
        [str(installed.cascade), "web", "--port", str(port)],
        cwd=installed.workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(lambda: httpx.get(f"{url}/healthz", timeout=2).status_code == 200, "cascade web", process=server)
        inbox = httpx.get(f"{url}/inbox", timeout=10)
        assert inbox.status_code == 200
        assert "<html" in inbox.text.lower()
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
