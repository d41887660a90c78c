"""Figures on the report page the Vietnamese way (1.234; 85,5; 12 KB), read back the way a clerk types them,
over real HTTP: the pre-filled form submits back unchanged; a figure that is no number names its indicator."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.core.workdays import local_date
from cascade.dev.links import forms_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.directives.indicators import rounded
from cascade.replies.figures import parse_figures, read_vn_number
from models import utcnow
from models.report import Report
from tests.test_reports import PDF, launch, links


@pytest.fixture(autouse=True)
def uploads_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CASCADE_UPLOAD_DIR", str(tmp_path / "uploads"))


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1234", "1234"),
        ("1.234", "1234"),  # a dot before three digits groups thousands
        ("12.345.678", "12345678"),
        ("85,5", "85.5"),
        ("1.234,5", "1234.5"),
        ("85.5", "85.5"),  # one dot that cannot group thousands is a decimal point
        ("0.125", "0.125"),
        ("1234.56", "1234.56"),
        (" 7 ", "7"),
        ("0", "0"),
    ],
)
def test_numbers_a_clerk_types(typed: str, number: str) -> None:
    assert read_vn_number(typed) == Decimal(number)


@pytest.mark.parametrize("typed", ["1,234,5", "1.23.4", "1.2345.678", "12a", "-5", ",5", "1.", "1,", "1e3", "nan"])
def test_what_is_not_a_number(typed: str) -> None:
    assert read_vn_number(typed) is None


@pytest.mark.parametrize(("typed", "kind"), [("1,000", "int"), ("2,0", "int"), ("1,000", "number")])
def test_a_comma_in_a_whole_number_is_refused_not_read_as_a_decimal(typed: str, kind: str) -> None:
    indicator = {"code": "hoi_nghi", "name": "Hội nghị", "type": kind, "unit": "cuộc"}
    figures, problems = parse_figures([indicator], {"hoi_nghi": typed}, required=True)
    if kind == "int":  # "1,000" the English way would be 1: nothing is kept, the clerk is told
        assert figures == {} and problems == [
            f"“Hội nghị” phải là một số nguyên không âm, ví dụ 1.234 (đã nhập “{typed}”)."
        ]
    else:  # a decimal figure takes the Vietnamese decimal comma
        assert figures == {"hoi_nghi": 1.0} and problems == []


def test_an_average_rounds_half_up() -> None:
    assert [rounded(x) for x in (51.125, 2.675, 0.005, 67.0833)] == [51.13, 2.68, 0.01, 67.08]


def test_report_page_writes_and_reads_vietnamese_numbers(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    today = local_date(utcnow())
    launch(settings, tmp_path, today - timedelta(days=3), today + timedelta(days=20), today + timedelta(days=50))
    link = links(mailbox, "h1@t.example", "r")
    with httpx.Client() as client:
        form = next(f for f in forms_in(client.get(link).text) if f["method"] == "post")
        fields = dict(form["fields"])  # type: ignore[call-overload]
        fields.pop("files")
        base = {**fields, "action": "submit", "text": "Đã tổ chức"}

        wrong = client.post(link, data={**base, "fig_conferences": "1.5", "fig_budget": "1,2,3"})
        assert wrong.status_code == 400
        assert "“Hội nghị” phải là một số nguyên không âm, ví dụ 1.234 (đã nhập “1.5”)." in wrong.text
        assert "“Kinh phí” phải là một số không âm, ví dụ 85,5 hoặc 1.234,5 (đã nhập “1,2,3”)." in wrong.text
        with session_scope() as session:
            assert session.exec(select(Report)).all() == []  # nothing saved

        sent = client.post(
            link,
            data={**base, "fig_conferences": "1.234", "fig_budget": "2.209,5"},
            files=[("files", ("bien-ban.pdf", PDF, "application/pdf"))],
        )
        assert sent.status_code == 200 and "Đã gửi báo cáo (phiên bản 1)" in sent.text
        assert "(1 KB, phiên bản 1)" in sent.text  # a 44-byte file, as the notices write sizes
        prefilled = next(f for f in forms_in(sent.text) if f["method"] == "post")["fields"]
        assert (prefilled["fig_conferences"], prefilled["fig_budget"]) == ("1.234", "2.209,5")  # type: ignore[index]

        again = dict(prefilled)  # type: ignore[call-overload]
        again.pop("files")
        resent = client.post(link, data={**again, "action": "submit", "text": "Đã tổ chức"})
        assert resent.status_code == 200 and "Đã gửi báo cáo (phiên bản 2)" in resent.text
        with session_scope() as session:
            assert session.exec(select(Report)).one().figures == {"conferences": 1234, "budget": 2209.5}

        dotted = client.post(link, data={**base, "fig_conferences": "1234", "fig_budget": "85.5"})
        assert dotted.status_code == 200
        with session_scope() as session:
            assert session.exec(select(Report)).one().figures == {"conferences": 1234, "budget": 85.5}
        assert 'value="85,5"' in dotted.text and 'value="1.234"' in dotted.text
