"""The hand-written MIME of cascade.delivery.mime parses back, with the standard library, to exactly what was given."""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header

import pytest

from cascade.delivery.mime import encoded_words, mime_bytes

SUBJECT = "[KHẨN] Kế hoạch số 252/KH-LĐLĐ của Liên đoàn Lao động tỉnh Lai Châu: Tổ chức các hoạt động tiếp nhận"
NAME = "Công đoàn cơ sở Trường Trung học phổ thông Chuyên Lê Quý Đôn tỉnh Lai Châu"


def build(to_addr: str = "cdcs.lqd@laichau.example", subject: str = SUBJECT, text: str = "", html: str = "") -> bytes:
    return mime_bytes(
        sender="LĐLĐ tỉnh <no-reply@cascade.example>",
        to_addr=to_addr,
        to_name=NAME,
        subject=subject,
        text=text or "Kính gửi: Công đoàn cơ sở\nHạn xác nhận: 25/05/2021\n" * 40,
        html=html or "<p>Đề nghị đơn vị bấm &quot;Xác nhận đã nhận&quot;</p>\n" * 40,
        headers={"Message-ID": "<notice-7.1@cascade.example>", "X-Cascade-Key": "notice:7"},
    )


@pytest.mark.parametrize("parse_policy", [policy.compat32, policy.default])
def test_headers_and_bodies_come_back_intact(parse_policy: policy.Policy) -> None:
    raw = build()
    msg = email.message_from_bytes(raw, policy=parse_policy)
    assert str(make_header(decode_header(str(msg["Subject"])))) == SUBJECT  # spaces inside encoded words kept
    to = str(make_header(decode_header(str(msg["To"]))))
    assert to == f"{NAME} <cdcs.lqd@laichau.example>"
    assert msg["Message-ID"] == "<notice-7.1@cascade.example>" and msg["X-Cascade-Key"] == "notice:7"
    assert msg["Date"] and msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()  # type: ignore[misc]
    assert plain.get_payload(decode=True).decode() == "Kính gửi: Công đoàn cơ sở\nHạn xác nhận: 25/05/2021\n" * 40
    assert html.get_content_type() == "text/html" and "Xác nhận đã nhận" in html.get_payload(decode=True).decode()


def test_every_line_is_short_and_ends_in_crlf() -> None:
    raw = build()
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert max(len(line) for line in raw.split(b"\r\n") if not line.startswith(b"To: =?")) <= 78


def test_encoded_words_split_between_characters_and_stay_under_75() -> None:
    folded = encoded_words("ệ" * 100)  # three bytes each: a naive byte split would cut one in half
    words = folded.split("\r\n ")
    assert len(words) > 1 and all(len(w) <= 75 for w in words)
    assert str(make_header(decode_header(folded))) == "ệ" * 100
    assert encoded_words("Plain ASCII subject") == "Plain ASCII subject"
    assert encoded_words("looks like =?utf-8?q?x?=").startswith("=?utf-8?b?")  # never passed through as a word


def test_an_internationalised_address_goes_out_in_utf8() -> None:
    raw = build(to_addr="côngđoàn@laichau.example")
    msg = email.message_from_bytes(raw, policy=policy.SMTPUTF8)
    assert "côngđoàn@laichau.example" in str(msg["To"])
