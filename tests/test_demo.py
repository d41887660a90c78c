"""`cascade demo` end to end, in-process on the test harness's Prefect server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlmodel import Session, create_engine, select

from cascade.cli.status import print_status
from cascade.core.settings import reset_settings
from cascade.dev.demo import run_demo
from models import Acknowledgement, Assignment


@pytest.mark.usefixtures("prefect_harness")
def test_demo_runs_the_seed_and_prints_the_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # run_demo sets these in os.environ itself; monkeypatch.setenv records each so it is undone after the test
    names = (
        "CASCADE_DATABASE_URL",
        "CASCADE_SMTP_HOST",
        "CASCADE_SMTP_PORT",
        "CASCADE_PUBLIC_URL",
        "CASCADE_CLOCK_START",
    )
    for var in names:
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    monkeypatch.setenv("CASCADE_SECRET_KEY", "demo-test-key-0123456789")
    out = io.StringIO()
    try:
        run_demo(
            workdir=tmp_path / "demo", ack_share=0.5, console=Console(file=out, width=200), show_status=print_status
        )
    finally:
        reset_settings()
    text = out.getvalue()
    assert "Imported the sample tree: 55 units" in text
    # 24 recipients, less the drafting department (archive "VT, TgNc"), which is not sent its own plan
    assert "23 emails sent" in text and "12 of 23 units opened the link" in text
    # the 2 district federations and 3 sector/civil-servants unions among them passed it to their 12 grassroots units
    assert "5 implementing plans" in text and "12 emails to the units under them" in text
    assert "6 of those 12 grassroots units confirmed" in text
    assert "Counts: " in text
    engine = create_engine(f"sqlite:///{tmp_path / 'demo' / 'demo.db'}")
    with Session(engine) as session:
        acks = session.exec(select(Acknowledgement)).all()
        assignments = session.exec(select(Assignment).where(Assignment.directive_id == 1)).all()
        grassroots = session.exec(select(Assignment).where(Assignment.directive_id > 1)).all()
    assert len(acks) == 18
    assert sorted(a.status for a in assignments).count("acknowledged") == 7  # 5 more passed it on (04)
    assert sorted(a.status for a in assignments).count("assigned") == 5
    assert len(grassroots) == 12 and all(a.report_due and a.report_due.isoformat() == "2021-12-10" for a in grassroots)
    assert len(list((tmp_path / "demo" / "mail").glob("*.eml"))) == 23 + 12
