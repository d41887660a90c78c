"""The monitor on a national directive: its Prefect events (one per step in an ordinary run, one per directive
and step in a national one) and its digests and escalations (the first units listed, the rest counted and
linked), rendered through the real templates."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from cascade.chasing import digests
from cascade.chasing.escalation_events import escalation_events
from cascade.rendering.render import outbox_row


def step(directive_id: int, assignment_id: int, kind: str, item: str = "ack") -> dict[str, Any]:
    return {"event": f"cascade.escalation.{kind}", "assignment_id": assignment_id, "directive_id": directive_id,
            "number": f"{directive_id}/KH-LĐLĐ", "unit": f"LDLD_{assignment_id:03d}", "item": item, "step": kind,
            "due": "2025-09-16", "to": [f"u{assignment_id}@congdoan.example"]}  # fmt: skip


def test_an_ordinary_run_emits_one_event_per_step_on_its_assignment() -> None:
    steps = [step(1, 10, "due"), step(1, 11, "parent"), step(2, 12, "escalate", "r1")]
    events = escalation_events(steps, limit=3)
    assert [e["event"] for e in events] == [s["event"] for s in steps]
    assert events[2]["resource"] == {"prefect.resource.id": "cascade.assignment.12", "unit": "LDLD_012"}
    assert events[2]["related"][0]["prefect.resource.id"] == "cascade.directive.2" and events[2]["payload"] == steps[2]


def test_a_national_run_emits_one_event_per_directive_and_step_with_counts() -> None:
    steps = [step(1, i, "due", "ack" if i % 3 else "r1") for i in range(250)]
    steps += [step(1, 1000 + i, "parent") for i in range(7)] + [step(2, 2000 + i, "due") for i in range(5)]
    events = escalation_events(steps, limit=100)
    by_key = {(e["resource"]["prefect.resource.id"], e["event"]): e["payload"] for e in events}
    assert len(events) == 3 and set(by_key) == {
        ("cascade.directive.1", "cascade.escalation.due"),
        ("cascade.directive.1", "cascade.escalation.parent"),
        ("cascade.directive.2", "cascade.escalation.due"),
    }
    due = by_key[("cascade.directive.1", "cascade.escalation.due")]
    assert due["count"] == 250 and due["items"] == {"r1": 84, "ack": 166}
    assert len(due["units"]) == 100 and due["units"][0] == "LDLD_000" and due["units_not_listed"] == 150
    assert by_key[("cascade.directive.2", "cascade.escalation.due")]["count"] == 5
    assert sum(p["count"] for p in by_key.values()) == len(steps)


def overdue_lines(count: int) -> list[dict[str, Any]]:
    directive = SimpleNamespace(id=7, number="15/KH-TLĐ")
    units = [SimpleNamespace(code=f"CDCS_{i:03d}", name=f"Công đoàn cơ sở số {i}") for i in range(count)]
    return [{"unit": u, "directive": directive, "what": "xác nhận đã nhận văn bản", "due": date(2025, 9, 16),
             "days_late": 3, "supervisor": None} for u in units]  # fmt: skip


@pytest.mark.parametrize("kind", ["digest", "escalation"])
def test_a_long_list_shows_its_first_units_counts_the_rest_and_links_the_full_list(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digests, "LISTED", 3)
    listing = digests.listed(overdue_lines(5), "https://congdoan.example.vn/")
    lists = {"new": listing, "overdue": listing} if kind == "digest" else {"escalated": listing}
    row = outbox_row("k", kind, ("Tổng LĐLĐ Việt Nam", "tld@congdoan.example"), kind, datetime(2025, 9, 19),
                     supervisor=SimpleNamespace(name="Tổng LĐLĐ Việt Nam"), officer_name="", today=date(2025, 9, 19),
                     **lists)  # fmt: skip
    for body in (row["body_text"], row["body_html"]):
        assert "Công đoàn cơ sở số 2" in body and "Công đoàn cơ sở số 3" not in body and "số 4" not in body
        assert "CDCS_" not in body  # units by name: a person never reads their codes
        assert "và 2 đơn vị khác" in body and "https://congdoan.example.vn/admin/directives/7" in body
        assert "quá 3 ngày làm việc" in body or "3 ngày làm việc" in body
    assert " 5 đơn vị" in row["subject"]


def test_a_short_list_is_listed_whole_without_a_link() -> None:
    listing = digests.listed(overdue_lines(4), "https://congdoan.example.vn")
    row = outbox_row("k", "escalation", ("", "o@congdoan.example"), "escalation", datetime(2025, 9, 19),
                     officer_name="", today=date(2025, 9, 19), escalated=listing)  # fmt: skip
    assert all(f"Công đoàn cơ sở số {i}:" in row["body_text"] for i in range(4)) and "khác" not in row["body_text"]
    assert "CDCS_" not in row["body_text"] + row["body_html"]
    assert "/admin/directives/" not in row["body_html"] and row["subject"].startswith("Đề nghị đôn đốc: 4 đơn vị")


@pytest.mark.parametrize("kind", ["digest", "escalation"])
def test_a_national_list_counts_in_vietnamese_numbers(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digests, "LISTED", 3)
    listing = digests.listed(overdue_lines(1234), "https://congdoan.example.vn")
    lists = {"new": listing, "overdue": listing} if kind == "digest" else {"escalated": listing}
    row = outbox_row("k", kind, ("Tổng LĐLĐ Việt Nam", "tld@congdoan.example"), kind, datetime(2025, 9, 19),
                     supervisor=SimpleNamespace(name="Tổng LĐLĐ Việt Nam"), officer_name="", today=date(2025, 9, 19),
                     **lists)  # fmt: skip
    assert " 1.234 đơn vị" in row["subject"] and "1234" not in row["subject"]
    for body in (row["body_text"], row["body_html"]):
        assert "và 1.231 đơn vị khác" in body and "1231" not in body
    # the list of every directive ends its line: the closing words are not glued to the link
    assert "/admin/directives/7\n" in row["body_text"] and "7Thư" not in row["body_text"]
