"""Shared by the lifecycle tests (recall, amend, replace, add recipients): the four-level cascade of 31-KH/TU with
real mail, real clicks and real Prefect runs, what each unit received since a point, and the artifacts and flow
runs read back through the Prefect client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.workdays import VN_TZ
from cascade.dev.links import forms_in, links_in
from cascade.dev.smtp_sink import Received, SmtpSink
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from models import Unit
from tests.cascade_helpers import click, directive_file, import_tree, numbers_by_unit

TOP = "31-KH/TU"


def four_levels(mailbox: SmtpSink, web: str, tmp_path: Path) -> Path:
    """Tỉnh ủy → LĐLĐ tỉnh → districts and the education union → grassroots, on Thursday 20/05/2021: LDLD, D_TD,
    CDN_GD and G_TD1 confirm; D_SH never does (its grassroots union hears nothing). Returns the plan's file."""
    import_tree("tree-2021-four-levels.yaml")
    path = directive_file(tmp_path)
    cascade_directive(directive_file=str(path))
    click(mailbox, web, "LDLD")
    dispatch_pending()
    click(mailbox, web, "D_TD")
    click(mailbox, web, "CDN_GD")
    dispatch_pending()
    click(mailbox, web, "G_TD1")
    assert numbers_by_unit(mailbox) == {
        "LDLD": [TOP], "VP_TU": [TOP], "D_TD": ["01/LĐLĐ"], "D_SH": ["01/LĐLĐ"], "CDN_GD": ["01/LĐLĐ"],
        "G_TD1": ["01/LĐLĐ-TĐ"], "G_TD2": ["01/LĐLĐ-TĐ"], "G_GD1": ["01/CĐN"],
    }  # fmt: skip
    return path


def at(day: date, hour: int) -> str:
    """An ISO instant for monitor_deadlines(now=…), Vietnam time."""
    return datetime.combine(day, time(hour), tzinfo=VN_TZ).astimezone(UTC).isoformat()


def tag(message: Received) -> str:
    """What an email is, from its outbox key: "notice", "recall", "amend", "replaced", "remind ack:due"…"""
    kind, _, rest = str(message.message["X-Cascade-Key"]).partition(":")
    return "remind " + ":".join(rest.split(":")[1:]) if kind == "remind" else kind


def received_since(mailbox: SmtpSink, seen: int) -> dict[str, list[str]]:
    """{unit code: sorted tags} of the emails received after the first `seen` (sorted: same-day mail leaves on
    parallel connections)."""
    with session_scope() as session:
        codes = {u.email: u.code for u in session.exec(select(Unit)).all()}
    out: dict[str, list[str]] = {}
    for message in mailbox.messages[seen:]:
        for rcpt in message.rcpt_tos:
            out.setdefault(codes.get(rcpt, rcpt), []).append(tag(message))
    return {code: sorted(tags) for code, tags in out.items()}


def last_of(mailbox: SmtpSink, code_email: str, kind: str) -> Received:
    found = [m for m in mailbox.messages if code_email in m.rcpt_tos and tag(m) == kind]
    assert found, f"no {kind} email to {code_email}"
    return found[-1]


def unit_link(message: Received, web: str) -> str:
    return links_in(message.text(), web)[0]


def report_link(message: Received, web: str) -> str:
    return re.findall(re.escape(web) + r"/r/[A-Za-z0-9_\-.]+", message.text())[0]


def post_form(client: httpx.Client, link: str, index: int = 0, **fields: str) -> httpx.Response:
    """GET the page, then POST its `index`-th form with its hidden fields (and `fields`)."""
    page = client.get(link)
    form = [f for f in forms_in(page.text) if f["method"] == "post"][index]
    data = {**form["fields"], **fields}  # type: ignore[dict-item]
    return client.post(httpx.URL(link).join(str(form["action"])), data=data)


@contextmanager
def prefect_client() -> Iterator[Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        yield client


def artifact(key: str) -> Any:
    """The latest artifact with this key (the test harness's server)."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with prefect_client() as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])), sort=ArtifactSort.CREATED_DESC, limit=1
        )
    assert found, f"no artifact {key}"
    return found[0]


def flow_runs(flow_name: str, number: str) -> list[Any]:
    """The runs of a flow about the directive `number` (the session's Prefect server keeps other tests' runs)."""
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName

    with prefect_client() as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])))
    return [r for r in runs if f" {number} " in f" {r.name} "]
