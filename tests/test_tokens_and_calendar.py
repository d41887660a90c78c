"""Signed links and the working-day calendar, as plain functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from itsdangerous import URLSafeSerializer

from cascade.core.settings import MissingSecretKey, Settings, WebSettings
from cascade.core.workdays import WorkCalendar
from cascade.directives.deadlines import ack_due, report_due
from cascade.dispatch.tokens import SALT, Purpose, TokenError, expiry_for, make_token, read_token

KEY = Settings(web=WebSettings(secret_key="k1-0123456789abcdef"))
FAR = expiry_for(date(2099, 1, 1), 0)


def test_token_round_trip_and_refusals() -> None:
    token = make_token(KEY, 42, Purpose.ack, FAR)
    assert read_token(KEY, token, Purpose.ack) == 42
    with pytest.raises(TokenError) as wrong:
        read_token(KEY, token, Purpose.report)
    assert wrong.value.reason == "wrong_purpose"
    with pytest.raises(TokenError) as forged:
        read_token(Settings(web=WebSettings(secret_key="another-key-0123456")), token, Purpose.ack)
    assert forged.value.reason == "invalid"
    tampered = token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    with pytest.raises(TokenError):
        read_token(KEY, tampered, Purpose.ack)


def test_token_expires_after_the_deadline_plus_grace() -> None:
    token = make_token(KEY, 7, Purpose.ack, expiry_for(date(2021, 12, 15), 30))
    assert read_token(KEY, token, Purpose.ack, now=datetime(2022, 1, 14, 23, 0, tzinfo=UTC)) == 7
    with pytest.raises(TokenError) as late:
        read_token(KEY, token, Purpose.ack, now=datetime(2022, 1, 15, 0, 0, tzinfo=UTC))
    assert late.value.reason == "expired"


def test_rotated_key_still_accepts_old_links() -> None:
    old = make_token(KEY, 5, Purpose.ack, FAR)
    rotated = Settings(web=WebSettings(secret_key="k2-new-0123456789", old_secret_keys="k1-0123456789abcdef"))
    assert read_token(rotated, old, Purpose.ack) == 5
    assert read_token(rotated, make_token(rotated, 6, Purpose.ack, FAR), Purpose.ack) == 6
    with pytest.raises(TokenError):
        read_token(KEY, make_token(rotated, 6, Purpose.ack, FAR), Purpose.ack)


@pytest.mark.parametrize(
    "keys", [KEY, Settings(web=WebSettings(secret_key="k2-new-0123456789", old_secret_keys="k1-0123456789abcdef"))]
)
def test_tokens_are_what_itsdangerous_signs(keys: Settings) -> None:
    """make_token signs without itsdangerous's per-call work; its links must stay itsdangerous's links."""
    serializer = URLSafeSerializer(keys.web.signing_keys(), salt=SALT)
    for assignment_id in (1, 42, 100_754, 2**40):
        for purpose in Purpose:
            for expires in (FAR, expiry_for(date(2021, 12, 15), 30), 0):
                token = make_token(keys, assignment_id, purpose, expires)
                assert token == serializer.dumps({"a": assignment_id, "p": purpose.value, "e": expires})
                assert serializer.loads(token) == {"a": assignment_id, "p": purpose.value, "e": expires}


def test_no_secret_key_refuses_to_sign() -> None:
    with pytest.raises(MissingSecretKey, match="CASCADE_SECRET_KEY"):
        make_token(Settings(web=WebSettings(secret_key=None)), 1, Purpose.ack, FAR)


CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2021, 5, 22), date(2021, 5, 24)),  # Saturday -> Monday
        (date(2021, 5, 23), date(2021, 5, 24)),  # Sunday -> Monday
        (date(2021, 2, 11), date(2021, 2, 17)),  # Tết Tân Sửu 2021: 10-16 Feb off
        (date(2025, 1, 29), date(2025, 2, 3)),  # Tết Ất Tỵ 2025
        (date(2021, 9, 2), date(2021, 9, 6)),  # National Day (Thu) + observed Fri, weekend
        (date(2021, 5, 20), date(2021, 5, 20)),  # an ordinary Thursday stays
    ],
)
def test_deadlines_move_to_the_next_working_day(day: date, expected: date) -> None:
    assert CAL.on_or_after(day) == expected


def test_extra_days_off_and_make_up_days() -> None:
    cal = WorkCalendar(extra_days_off=[date(2021, 5, 24)], extra_working_days=[date(2021, 5, 22)])
    assert cal.on_or_after(date(2021, 5, 22)) == date(2021, 5, 22)
    assert cal.next_working_day(date(2021, 5, 22)) == date(2021, 5, 25)


def test_ack_and_report_deadlines() -> None:
    assert ack_due(date(2021, 5, 20), "normal", CAL) == date(2021, 5, 21)
    assert ack_due(date(2021, 5, 21), "normal", CAL) == date(2021, 5, 24)  # Friday -> Monday
    assert ack_due(date(2021, 5, 22), "hoa_toc", CAL) == date(2021, 5, 24)  # urgent: same (working) day
    assert ack_due(date(2021, 5, 20), "khan", CAL) == date(2021, 5, 20)
    # 15/12/2021 is a Wednesday: three working days before is Friday 10/12
    assert report_due(date(2021, 12, 15), date(2021, 5, 20), 3, CAL) == date(2021, 12, 10)
    # never earlier than the next working day after issue
    assert report_due(date(2021, 5, 24), date(2021, 5, 20), 3, CAL) == date(2021, 5, 21)
    # a parent deadline in Tết: rolled to the first working day after, then budgeted back over Tết
    assert report_due(date(2021, 2, 13), date(2021, 1, 4), 2, CAL) == date(2021, 2, 8)
