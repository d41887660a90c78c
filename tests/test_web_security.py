"""Attacks on the unit links over real HTTP (uvicorn): every one refused with a clear 4xx page and logged.

Also: GET and HEAD never acknowledge, the form needs its CSRF token, 200 simultaneous POSTs of one
acknowledgement record one row, and errors never show a traceback. The directive is stored without
sending mail (links are signed directly with cascade.dispatch.tokens, as the dispatch does).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from datetime import date

import httpx
import pytest
from sqlmodel import func, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from models import Acknowledgement, Assignment
from tests.cascade_helpers import assignment_id_of, store_sample, with_web

pytestmark = pytest.mark.usefixtures("sample_org")
FAR = expiry_for(date(2099, 1, 1), 0)


@pytest.fixture
def assignment_id(settings: Settings) -> int:
    with session_scope() as session:
        store_sample(session)
        return assignment_id_of(session, "LDLD_TD")


def acks() -> int:
    with session_scope() as session:
        return int(session.exec(select(func.count()).select_from(Acknowledgement)).one())


def good_link(settings: Settings, aid: int) -> str:
    return f"{settings.web.public_url}/u/{make_token(settings, aid, Purpose.ack, FAR)}"


def flip_last(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


ATTACKS = {
    # name: (token maker, status, words on the page)
    "forged with another key": (
        lambda s, a: make_token(with_web(s, secret_key="attacker-key-0123456789"), a, Purpose.ack, FAR),
        403, "Liên kết không hợp lệ"),
    "tampered signature": (lambda s, a: flip_last(make_token(s, a, Purpose.ack, FAR)), 403, "Liên kết không hợp lệ"),
    "another assignment's id pasted in": (
        lambda s, a: make_token(s, a + 1, Purpose.ack, FAR).split(".")[0] + "." + make_token(
            s, a, Purpose.ack, FAR).split(".")[1], 403, "Liên kết không hợp lệ"),
    "expired": (lambda s, a: make_token(s, a, Purpose.ack, int(time.time()) - 60), 410, "Liên kết đã hết hạn"),
    "wrong purpose (a report link)": (lambda s, a: make_token(s, a, Purpose.report, FAR), 403, "không dùng cho"),
    "not a token at all": (lambda s, a: "%3Cscript%3E" + "x" * 600, 403, "Liên kết không hợp lệ"),
}  # fmt: skip


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_token_attacks_are_refused_with_a_clear_page_and_logged(
    attack: str, settings: Settings, assignment_id: int, web: str, caplog: pytest.LogCaptureFixture
) -> None:
    make, status, words = ATTACKS[attack]
    link = f"{web}/u/{make(settings, assignment_id)}"
    caplog.set_level(logging.WARNING, logger="cascade.web")
    with httpx.Client() as client:
        page = client.get(link)
        assert page.status_code == status and words in page.text and "Traceback" not in page.text
        fields = forms_in(client.get(good_link(settings, assignment_id)).text)[0]["fields"]
        posted = client.post(link + "/ack", data=fields)  # type: ignore[arg-type]
        assert posted.status_code == status and words in posted.text
    assert acks() == 0
    assert sum("refused ack link" in r.getMessage() for r in caplog.records) >= 2


def test_replayed_post_records_nothing_more_and_says_so(
    settings: Settings, assignment_id: int, web: str, caplog: pytest.LogCaptureFixture
) -> None:
    link = good_link(settings, assignment_id)
    caplog.set_level(logging.WARNING, logger="cascade.web")
    with httpx.Client() as client:
        fields = forms_in(client.get(link).text)[0]["fields"]
        first = client.post(link + "/ack", data=fields)  # type: ignore[arg-type]
        assert first.status_code == 200 and acks() == 1
        again = client.post(link + "/ack", data=fields)  # type: ignore[arg-type]
    assert again.status_code == 409 and "đã được xác nhận trước đó" in again.text
    assert acks() == 1 and any("replayed acknowledgement" in r.getMessage() for r in caplog.records)


def test_get_and_head_never_acknowledge(settings: Settings, assignment_id: int, web: str) -> None:
    link = good_link(settings, assignment_id)
    with httpx.Client() as client:
        for _ in range(3):
            assert client.get(link).status_code == 200
            head = client.head(link)
            assert head.status_code == 200 and head.content == b""
        assert client.get(link + "/ack").status_code == 405  # the action URL itself, fetched by a scanner
    assert acks() == 0
    with session_scope() as session:
        assert session.get(Assignment, assignment_id).status == "queued"  # type: ignore[union-attr]


def test_post_without_a_matching_csrf_token_is_refused(settings: Settings, assignment_id: int, web: str) -> None:
    link = good_link(settings, assignment_id)
    with httpx.Client() as victim, httpx.Client() as attacker:
        stolen = forms_in(attacker.get(link).text)[0]["fields"]  # signed for the attacker's own cookie
        victim.get(link)
        assert victim.post(link + "/ack").status_code == 403  # no token at all (a cross-site form)
        refused = victim.post(link + "/ack", data=stolen)  # type: ignore[arg-type]
        assert refused.status_code == 403 and "Phiên làm việc không hợp lệ" in refused.text
        assert victim.post(link + "/ack", data={"csrf_token": "x" * 80}).status_code == 403
    other = good_link(settings, 1 if assignment_id != 1 else 2)  # another unit's link
    with httpx.Client() as no_cookie:  # a field signed for another link never passes without the cookie
        other_fields = forms_in(no_cookie.get(other).text)[0]["fields"]
        no_cookie.cookies.clear()
        assert no_cookie.post(link + "/ack", data=other_fields).status_code == 403  # type: ignore[arg-type]
    assert acks() == 0
    # a client that keeps no cookies (a script, some in-app mail browsers) submits the form of its own link
    page = httpx.get(link)
    assert httpx.post(link + "/ack", data=forms_in(page.text)[0]["fields"]).status_code == 200  # type: ignore[arg-type]
    assert acks() == 1


def test_200_simultaneous_posts_record_one_acknowledgement(settings: Settings, assignment_id: int, web: str) -> None:
    link = good_link(settings, assignment_id)
    with httpx.Client() as client:
        fields = forms_in(client.get(link).text)[0]["fields"]
        cookies = dict(client.cookies)

    async def storm() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=120) as aclient:
            replies = await asyncio.gather(*(aclient.post(link + "/ack", data=fields) for _ in range(200)))  # type: ignore[arg-type]
        return [r.status_code for r in replies]

    codes = Counter(asyncio.run(storm()))
    assert codes == {200: 1, 409: 199}, codes
    assert acks() == 1


def test_errors_show_no_traceback_and_admin_needs_the_credential(settings: Settings, web: str) -> None:
    with httpx.Client() as client:
        for response in (client.put(f"{web}/u/abc"), client.get(f"{web}/nowhere"), client.get(f"{web}/api/units/X")):
            assert 400 <= response.status_code < 500, response.status_code
            assert "Traceback" not in response.text and 'File "' not in response.text
        console = client.get(f"{web}/admin/directives/1")  # a page sends the browser to the login form
        assert console.status_code == 303 and console.headers["location"].startswith("/admin/login?next=")
        assert client.get(f"{web}/api/units/X").status_code == 401  # the API asks for a token
        assert client.get(f"{web}/admin/directives/1", headers={"Authorization": "Bearer dc_forged"}).status_code == 303


def test_a_nul_in_a_form_field_is_refused_and_changes_nothing(settings: Settings, assignment_id: int, web: str) -> None:
    """PostgreSQL refuses a NUL in any text column (the fuzz test found a 500 there): it is a 422 page instead."""
    link = good_link(settings, assignment_id)
    with httpx.Client() as client:
        page = client.get(link)
        fields = forms_in(page.text)[0]["fields"]  # the page's CSRF field, good for each of its forms
        refused = client.post(link + "/refuse", data={**fields, "reason": "sai đơn vị\x00nhận"})  # type: ignore[dict-item]
    assert refused.status_code == 422 and "Traceback" not in refused.text
    with session_scope() as session:
        assert session.get(Assignment, assignment_id).status == "queued"  # type: ignore[union-attr]
