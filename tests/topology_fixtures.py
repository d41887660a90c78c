"""Fixtures and helpers of the production-topology tests (cascade.dev.topology): one `prefect server` on
PostgreSQL, with its process work pool and the deployments of prefect.yaml, shared by every test module of the
run that imports `prefect_server` from here (`from tests.topology_fixtures import prefect_server`)."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.dev import topology
from cascade.dev.topology import POOL, PREFECT, PrefectServer, Processes, kill_tree, online_workers
from tests.conftest import PG_URL

__all__ = ["POOL", "PREFECT", "PrefectServer", "Processes", "kill_tree", "online_workers", "prefect_server",
           "generate_tree", "deployment_run", "DIRECTIVE_RUN"]  # fmt: skip
DIRECTIVE_RUN = "cascade-directive/cascade-directive"
_SHARED: dict[str, PrefectServer] = {}


@pytest.fixture(scope="session")
def prefect_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PrefectServer:
    """`prefect server` on its own PostgreSQL database, a process work pool, and the deployments of prefect.yaml;
    started by the first test that asks for it, stopped at the end of the run. Each module that imports this
    fixture has its own copy of it in pytest's eyes: the server is kept here, so they all get the same one."""
    if "server" not in _SHARED:
        assert PG_URL, "the production topology needs PostgreSQL: set CASCADE_TEST_DATABASE_URL"
        stack = ExitStack()
        request.config.add_cleanup(stack.close)
        request.config.add_cleanup(_SHARED.clear)
        logs = tmp_path_factory.mktemp("prefect-server")
        url = stack.enter_context(topology.scratch_database(PG_URL, f"cascade_prefect_{os.getpid()}"))
        _SHARED["server"] = stack.enter_context(topology.prefect_server(url, logs))
    return _SHARED["server"]


def generate_tree(folder: Path, units: int) -> tuple[Path, Path]:
    """A generated tree of `units` grassroots units (a federation and an intermediate above), imported, and a
    directive to every unit."""
    org, directive = folder / "org.yaml", folder / "directive.yaml"
    runner = CliRunner()
    generated = runner.invoke(
        app, ["org", "generate", "--out", str(org), "--units", str(units), "--directive", str(directive)]
    )
    assert generated.exit_code == 0, generated.output
    imported = runner.invoke(app, ["org", "import", str(org)])
    assert imported.exit_code == 0, imported.output
    return org, directive


def deployment_run(directive: Path, watch: bool = False) -> tuple[str, ...]:
    """`prefect deployment run` of cascade-directive for a directive file (with `watch`, until it ends)."""
    run = (PREFECT, "deployment", "run", DIRECTIVE_RUN, "--param", f"directive_file={directive}")
    return (*run, "--watch", "--watch-timeout", "120") if watch else run
