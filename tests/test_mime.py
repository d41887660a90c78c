"""The hand-written MIME of cascade.delivery.mime parses back, with the standard library, to exactly what was given."""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header

import pytest

from cascade.delivery.mime import SharedBody, attachment_part, body_bytes, encoded_words, mime_bytes

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


LONG_NAME = "Kế hoạch số 252-KH-LĐLĐ ngày 20 tháng 5 năm 2021 của Liên đoàn Lao động tỉnh Lai Châu (bản ký số).pdf"
DOCUMENT = (
    "KẾ HOẠCH\nĐẩy mạnh công tác tuyên truyền Nghị quyết Đại hội XIII của Đảng\n\n" + "I. MỤC ĐÍCH, YÊU CẦU\n" * 300
)


@pytest.mark.parametrize("parse_policy", [policy.compat32, policy.default])
def test_an_attachment_comes_back_byte_for_byte_with_its_vietnamese_name(parse_policy: policy.Policy) -> None:
    data = bytes(range(256)) * 300 + b"%PDF-1.4 tail"  # every byte value, not a multiple of 3 or 57 long
    raw = mime_bytes(
        sender="LĐLĐ tỉnh <no-reply@cascade.example>",
        sender_name="Liên đoàn Lao động tỉnh Lai Châu",
        to_addr="cdcs.lqd@laichau.example",
        to_name=NAME,
        subject=SUBJECT,
        text="Kính gửi",
        html="<p>Kính gửi</p>",
        headers={"Message-ID": "<notice-8.1@cascade.example>"},
        attachments=[attachment_part(LONG_NAME, "application/pdf", data)],
    )
    msg = email.message_from_bytes(raw, policy=parse_policy)
    assert msg.get_content_type() == "multipart/mixed"
    alternative, attached = msg.get_payload()  # type: ignore[misc]
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert attached.get_filename() == LONG_NAME and attached.get_content_type() == "application/pdf"
    assert attached.get_payload(decode=True) == data
    assert (
        str(make_header(decode_header(str(msg["From"]))))
        == "Liên đoàn Lao động tỉnh Lai Châu <no-reply@cascade.example>"
    )
    assert max(len(line) for line in raw.split(b"\r\n") if not line.startswith((b"From: =?", b"To: =?"))) <= 78
    assert raw.count(b"\r\n") == raw.count(b"\n")


def test_a_shared_document_spliced_in_reads_as_if_written_whole() -> None:
    """The document's base64 is made once and joined to each unit's own; decoded, the body is the whole text,
    whatever the length of the unit's part (the padding is spaces before a line end, not seen)."""
    shared = SharedBody.of(DOCUMENT)
    for name in ("Tỉnh ủy Lai Châu", NAME, "CĐCS Xổ số", "x" * 57):
        cover = f"Kính gửi: {name}\nHạn xác nhận: 25/05/2021\n\n"
        tail = f"\nLiên kết này dành riêng cho {name}.\n"
        body = body_bytes(cover + "\x1fdoc\x1f" + tail, shared, "\x1fdoc\x1f")
        raw = mime_bytes(sender="a <a@b.example>", to_addr="c@d.example", to_name="", subject="s", text=body,
                         html=body, headers={})  # fmt: skip
        plain = email.message_from_bytes(raw, policy=policy.default).get_body(preferencelist=("plain",))
        decoded = plain.get_content()  # type: ignore[union-attr]
        assert [line.rstrip(" ") for line in decoded.splitlines()] == (cover + DOCUMENT + tail).splitlines()
    with pytest.raises(ValueError, match="no place"):
        body_bytes("no marker here", shared, "\x1fdoc\x1f")
