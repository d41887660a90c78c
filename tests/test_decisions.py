"""Decisions made in the browser: a unit refuses through its emailed link, the issuer's email links to the
console's decision page, and the issuer's administrator reroutes the directive to a unit found by name (without
diacritics) or accepts the refusal; restructuring and the register from the same area. Real HTTP (uvicorn), the
real database, Prefect's test harness and the aiosmtpd mailbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in, links_in
from cascade.dev.smtp_sink import SmtpSink
from cascade.documents.register import register_state
from flows.cascade_directive import cascade_directive
from flows.dispatch_pending import dispatch_pending
from flows.monitor import monitor_deadlines
from models import Assignment, AuditEvent, AuditLog, Recipient, Status, Unit, UserRole
from tests.accounts_helpers import PASSWORD, add_account, bearer, log_in
from tests.cascade_helpers import SAMPLE_DIRECTIVE, mail_by_unit

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")
NUMBER = "12/KH-LĐLĐ"
ADMIN = "vanphong@ldld-laichau.example"
TAM_DUONG = "Liên đoàn Lao động huyện Tam Đường"
PHONG_THO = "Liên đoàn Lao động huyện Phong Thổ"
SIN_HO = "Liên đoàn Lao động huyện Sìn Hồ"


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # The directive is issued and answered on Thursday 20 May 2021; the links are valid then.
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


def launch(tmp_path: Path) -> None:
    """The sample plan, renumbered, to four districts (act) and the Party committee (superior)."""
    data = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    data["number"] = NUMBER
    data["recipients"] = [{"unit": c, "role": "act"} for c in ("LDLD_PT", "LDLD_SH", "LDLD_MT", "LDLD_NN")] + [
        {"unit": "TU_LC", "role": "superior"}
    ]
    path = tmp_path / "12-KH-LDLD.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cascade_directive(directive_file=str(path))


def refuse_by_link(mailbox: SmtpSink, web: str, code: str, reason: str) -> int:
    """The unit opens the link of its notice and refuses (a browser-like client: the page, then its form)."""
    link = links_in(mail_by_unit(mailbox)[code][-1].text(), web)[0]
    with httpx.Client(timeout=30) as client:
        form = next(f for f in forms_in(client.get(link).text) if str(f["action"]).endswith("/refuse"))
        fields = dict(form["fields"])  # type: ignore[call-overload]
        answer = client.post(httpx.URL(link).join(str(form["action"])), data={**fields, "reason": reason})
    assert answer.status_code == 200, answer.text[:500]
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).one()
        assignment = session.exec(select(Assignment).where(Assignment.unit_id == unit.id)).one()
        assert assignment.status == Status.refused
        assert assignment.id is not None
        return assignment.id


@contextmanager
def signed_in(web: str, email: str, next_path: str) -> Iterator[httpx.Client]:
    """A browser-like client logged in through the login form (its session and CSRF cookies kept)."""
    with httpx.Client(base_url=web, timeout=30) as client:
        answer = log_in(client, email, PASSWORD, next_path)
        assert answer.status_code == 303, answer.text[:500]
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found[1]


def post_forms(html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, fields) of each POST form of a page."""
    found = [f for f in forms_in(html) if f["method"] == "post"]
    return [(str(f["action"]), {str(k): str(v) for k, v in dict(f["fields"]).items()}) for f in found]  # type: ignore[call-overload]


def pick_form(html: str, field: str, code: str) -> tuple[str, dict[str, str]]:
    """The POST form of the picker's line for the unit `code` (the test's own knowledge of the tree)."""
    return next((action, fields) for action, fields in post_forms(html) if fields.get(field) == code)


def code_of(name: str) -> str:
    with session_scope() as session:
        return session.exec(select(Unit.code).where(Unit.name == name)).one()


def audit(event: AuditEvent) -> list[AuditLog]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.event == event).order_by(col(AuditLog.id))).all())


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_refusal_is_rerouted_from_the_console_to_a_unit_found_without_diacritics(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(tmp_path)
    refused = refuse_by_link(mailbox, web, "LDLD_PT", "Nội dung này thuộc huyện Tam Đường, không thuộc Phong Thổ.")
    dispatch_pending()  # the refusal email goes out with the other mail owed
    [email] = mail_by_unit(mailbox)["LDLD_LC"]
    link = f"{web}/admin/refusals/{refused}"
    body, html = email.text(), email.html()
    assert link in body and link in html
    assert "cascade reroute" not in body + html
    with session_scope() as session:
        codes = list(session.exec(select(Unit.code)).all())
    assert [c for c in codes if c in body or c in html] == []  # names only, never a unit's code
    assert PHONG_THO in body and "thuộc huyện Tam Đường" in body

    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    with httpx.Client(base_url=web, timeout=30) as anonymous:
        assert anonymous.get(link).status_code == 303  # to the login page, back here afterwards
    with signed_in(web, ADMIN, f"/admin/refusals/{refused}") as admin:
        shown = text_of(admin.get(link).text)
        assert PHONG_THO in shown and "thuộc huyện Tam Đường, không thuộc Phong Thổ" in shown and NUMBER in shown
        found = admin.get(link, params={"q": "tam duong"})
        listed = text_of(found.text)
        assert TAM_DUONG in listed and "CĐCS Trung tâm Y tế huyện Tam Đường" in listed
        assert listed.index(TAM_DUONG) < listed.index("CĐCS Trung tâm Y tế huyện Tam Đường")  # the district first
        with_marks = text_of(admin.get(link, params={"q": "Tam Đường"}).text)
        assert with_marks[with_marks.index(TAM_DUONG) :] == listed[listed.index(TAM_DUONG) :]
        assert SIN_HO not in listed and "LDLD_TD" not in listed  # a code is a form value, never shown
        action, fields = pick_form(found.text, "unit", code_of(TAM_DUONG))
        done = admin.post(action, data=fields)
        assert done.status_code == 200, done.text[:800]
        assert f"Đã chuyển văn bản cho {TAM_DUONG}" in text_of(done.text)

        dispatch_pending()
        dispatch_pending()
        notices = mail_by_unit(mailbox)["LDLD_TD"]
        assert len(notices) == 1 and NUMBER in notices[0].subject

        again = admin.post(action, data=fields)  # a second click: nothing more
        assert again.status_code == 200 and "Không làm gì thêm" in text_of(again.text)
        # Once rerouted the page offers no picker; a form kept open in another tab still posts another unit.
        assert "/reroute" not in admin.get(link, params={"q": "sin ho"}).text
        stale = {**fields, "unit": code_of("CĐCS Trường Mầm non Sìn Hồ")}
        refused_again = admin.post(action, data=stale)
        assert refused_again.status_code == 409
        assert f"đã được chuyển cho {TAM_DUONG}" in text_of(refused_again.text)
    dispatch_pending()
    assert len(mail_by_unit(mailbox)["LDLD_TD"]) == 1
    [entry] = audit(AuditEvent.rerouted)
    assert (entry.actor, entry.unit_name, entry.assignment_id) == (ADMIN, PHONG_THO, refused)
    with session_scope() as session:
        td = session.exec(select(Unit).where(Unit.code == "LDLD_TD")).one()
        [recipient] = session.exec(select(Recipient).where(Recipient.unit_id == td.id)).all()
        [assignment] = session.exec(select(Assignment).where(Assignment.unit_id == td.id)).all()
        assert recipient.role == "act" and assignment.status == Status.arrived


def test_a_refusal_is_never_rerouted_to_the_issuer_nor_to_a_unit_the_directive_already_reaches(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(tmp_path)
    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    # Nậm Nhùn is dissolved into the city: the city holds Nậm Nhùn's assignment without being named a recipient.
    restructure = "/admin/units/LDLD_NN/restructure"
    with signed_in(web, ADMIN, restructure) as admin:
        found = admin.get(restructure, params={"q": "thanh pho lai chau"})
        action, fields = pick_form(found.text, "successor", "LDLD_TPLC")
        assert admin.post(action, data=fields).status_code == 200
    refused = refuse_by_link(mailbox, web, "LDLD_PT", "Không thuộc phạm vi của huyện.")
    dispatch_pending()
    link = f"/admin/refusals/{refused}"
    with session_scope() as session:
        recipients_before = len(session.exec(select(Recipient)).all())
    mail_before = {code: len(m) for code, m in mail_by_unit(mailbox).items()}
    with signed_in(web, ADMIN, link) as admin:
        found = admin.get(link, params={"q": "lai chau"})
        listed = text_of(found.text)
        issuer, city = "Liên đoàn Lao động tỉnh Lai Châu", "Liên đoàn Lao động thành phố Lai Châu"
        assert f"{issuer} " in listed and city in listed
        offered = {fields.get("unit") for action, fields in post_forms(found.text) if action.endswith("/reroute")}
        assert "LDLD_LC" not in offered and "LDLD_TPLC" not in offered and "LDLD_SH" not in offered
        assert "đơn vị ban hành văn bản này" in listed[listed.index(f"{issuer} ") :]
        sin_ho = text_of(admin.get(link, params={"q": "sin ho"}).text)
        assert "đã là nơi nhận văn bản này" in sin_ho[sin_ho.index(SIN_HO) :]
        token = csrf_of(found.text)
        for code, said in (
            ("LDLD_LC", f"Không chuyển được: {issuer} là đơn vị ban hành văn bản này"),
            ("LDLD_TPLC", f"Không chuyển được: {city} đã là nơi nhận văn bản này"),
            ("LDLD_SH", f"Không chuyển được: {SIN_HO} đã là nơi nhận văn bản này"),
            ("TU_LC", "Không tìm thấy đơn vị"),  # the superior recipient is above the account's scope: 404
        ):
            answer = admin.post(f"{link}/reroute", data={"csrf_token": token, "unit": code, "q": "lai chau"})
            assert answer.status_code in (404, 409) and said in text_of(answer.text), (code, answer.text[:800])
    dispatch_pending()
    assert {code: len(m) for code, m in mail_by_unit(mailbox).items()} == mail_before
    assert audit(AuditEvent.rerouted) == []
    with session_scope() as session:
        assert len(session.exec(select(Recipient)).all()) == recipients_before
        assert session.get(Assignment, refused).status == Status.refused  # type: ignore[union-attr]
    # The command line keeps the same rule, in its own words, and changes nothing either.
    for code, said in (("LDLD_LC", "never sent to its own issuer"), ("LDLD_TPLC", "already a recipient")):
        result = CliRunner().invoke(app, ["reroute", NUMBER, "--from", "LDLD_PT", "--to", code])
        assert result.exit_code == 2 and said in result.stderr, result.output
    dispatch_pending()
    assert audit(AuditEvent.rerouted) == [] and {c: len(m) for c, m in mail_by_unit(mailbox).items()} == mail_before


def test_an_accepted_refusal_is_not_chased_nor_waiting(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(tmp_path)
    accepted = refuse_by_link(mailbox, web, "LDLD_SH", "Huyện không có doanh nghiệp thuộc đối tượng.")
    waiting = refuse_by_link(mailbox, web, "LDLD_PT", "Không thuộc phạm vi của huyện.")
    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    with signed_in(web, ADMIN, "/admin/refusals") as admin:
        listed = admin.get("/admin/refusals").text
        assert f"/admin/refusals/{accepted}" in listed and f"/admin/refusals/{waiting}" in listed
        page = admin.get(f"/admin/refusals/{accepted}").text
        action, fields = next(form for form in post_forms(page) if form[0].endswith("/accept"))
        done = admin.post(action, data=fields)
        assert done.status_code == 200 and f"chấp nhận việc {SIN_HO} từ chối" in text_of(done.text)
        again = admin.post(action, data=fields)
        assert again.status_code == 200 and "Không làm gì thêm" in text_of(again.text)
        listed = admin.get("/admin/refusals").text
        assert f"/admin/refusals/{accepted}" not in listed and f"/admin/refusals/{waiting}" in listed
    [entry] = audit(AuditEvent.refusal_accepted)
    assert (entry.actor, entry.unit_name, entry.assignment_id) == (ADMIN, SIN_HO, accepted)
    with session_scope() as session:
        assignment = session.get(Assignment, accepted)
        assert assignment is not None and assignment.status == Status.refused
        due = assignment.ack_due
    # The acknowledgement deadline: the districts that never answered are reminded, the one whose refusal was
    # accepted is not.
    before = {code: len(m) for code, m in mail_by_unit(mailbox).items()}
    monitor_deadlines(now=f"{due.isoformat()}T09:00:00")
    after = {code: len(m) for code, m in mail_by_unit(mailbox).items()}
    reminded = {code for code in after if after[code] > before.get(code, 0)}
    assert {"LDLD_MT", "LDLD_NN"} <= reminded and "LDLD_SH" not in reminded


def test_only_the_issuers_administrators_decide(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(tmp_path)
    refused = refuse_by_link(mailbox, web, "LDLD_PT", "Không thuộc phạm vi của huyện.")
    path = f"/admin/refusals/{refused}"
    sibling = add_account("vanphong@ldld-sinho.example", UserRole.admin, "LDLD_SH")  # a recipient itself
    supervisor = add_account("theodoi@ldld-laichau.example", UserRole.supervisor, "LDLD_LC")
    admin = add_account(ADMIN, UserRole.admin, "LDLD_LC")
    with httpx.Client(base_url=web, timeout=30) as client:
        assert client.get(path, headers=bearer(sibling)).status_code == 404
        assert client.get("/admin/refusals/999999", headers=bearer(admin)).status_code == 404
        english = client.get(path, params={"lang": "en", "q": "tam duong"}, headers=bearer(admin)).text
        assert f"{PHONG_THO} refused directive no. {NUMBER}" in text_of(english) and "Send it to this unit" in english
        shown = client.get(path, headers=bearer(supervisor))
        assert shown.status_code == 200 and PHONG_THO in shown.text and "/accept" not in shown.text
    with signed_in(web, "vanphong@ldld-sinho.example", path) as other:
        token = csrf_of(other.get("/admin/refusals").text)
        assert other.post(f"{path}/accept", data={"csrf_token": token}).status_code == 404
    with signed_in(web, "theodoi@ldld-laichau.example", path) as reader:
        token = csrf_of(reader.get(path).text)
        assert reader.post(f"{path}/accept", data={"csrf_token": token}).status_code == 403
        answer = reader.post(f"{path}/reroute", data={"csrf_token": token, "unit": "LDLD_TD"})
        assert answer.status_code == 403
    assert audit(AuditEvent.refusal_accepted) == [] and audit(AuditEvent.rerouted) == []


def test_a_unit_is_dissolved_into_its_successor_from_the_console(
    settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path
) -> None:
    launch(tmp_path)
    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    add_account("vanphong@ldld-sinho.example", UserRole.admin, "LDLD_SH")
    path = "/admin/units/LDLD_NN/restructure"
    with signed_in(web, "vanphong@ldld-sinho.example", path) as sibling:
        assert sibling.get(path).status_code == 404
    with signed_in(web, ADMIN, path) as admin:
        shown = text_of(admin.get(path).text)
        assert "Liên đoàn Lao động huyện Nậm Nhùn" in shown
        found = admin.get(path, params={"q": "thanh pho lai chau"})
        action, fields = pick_form(found.text, "successor", code_of("Liên đoàn Lao động thành phố Lai Châu"))
        done = admin.post(action, data=fields)
        assert done.status_code == 200, done.text[:800]
        said = text_of(done.text)
        assert "1 văn bản đang thực hiện đã chuyển" in said and "3 đơn vị trực thuộc" in said
        again = admin.post(action, data=fields)
        assert again.status_code == 200 and "Không làm gì thêm" in text_of(again.text)
    dispatch_pending()
    assert len(mail_by_unit(mailbox)["LDLD_TPLC"]) == 1  # the successor's notice of the open directive
    with session_scope() as session:
        units = {u.code: u for u in session.exec(select(Unit)).all()}
        nn, tp = units["LDLD_NN"], units["LDLD_TPLC"]
        assert not nn.active and nn.successor_id == tp.id
        assert {u.code for u in units.values() if u.parent_id == nn.id} == set()
        assert {"LDLD_NN_CS1", "LDLD_NN_CS2", "LDLD_NN_CS3"} <= {u.code for u in units.values() if u.parent_id == tp.id}
        assert session.exec(select(Assignment).where(Assignment.unit_id == tp.id)).one().status == Status.arrived
    [dissolved] = audit(AuditEvent.unit_dissolved)
    [moved] = audit(AuditEvent.assignment_moved)
    assert dissolved.actor == moved.actor == ADMIN


def test_the_register_is_set_from_the_console(settings: Settings, mailbox: SmtpSink, web: str, tmp_path: Path) -> None:
    launch(tmp_path)  # 12/KH-LĐLĐ of 2021: the federation has used number 12 this year
    add_account(ADMIN, UserRole.admin, "LDLD_LC")
    add_account("theodoi@ldld-laichau.example", UserRole.supervisor, "LDLD_LC")
    with signed_in(web, ADMIN, "/admin/register") as admin:
        shown = admin.get("/admin/register")
        assert 'data-next-number="13"' in shown.text and "13/LĐLĐ" in text_of(shown.text)
        token = csrf_of(shown.text)
        low = admin.post("/admin/register", data={"csrf_token": token, "year": "2021", "next_number": "5"})
        assert low.status_code == 422 and "đã dùng đến số 12" in text_of(low.text)
        done = admin.post("/admin/register", data={"csrf_token": token, "year": "2021", "next_number": "40"})
        assert done.status_code == 200 and "40/LĐLĐ" in text_of(done.text)
        again = admin.post("/admin/register", data={"csrf_token": token, "year": "2021", "next_number": "40"})
        assert "Không làm gì thêm" in text_of(again.text)
    with signed_in(web, "theodoi@ldld-laichau.example", "/admin/register") as reader:
        page = reader.get("/admin/register").text
        assert 'data-next-number="40"' in page
        answer = reader.post("/admin/register", data={"csrf_token": csrf_of(page), "year": "2021", "next_number": "90"})
        assert answer.status_code == 403
    with session_scope() as session:
        federation = session.exec(select(Unit).where(Unit.code == "LDLD_LC")).one()
        assert register_state(session, federation, 2021).next_number == 40
    [entry] = audit(AuditEvent.register_set)
    assert entry.actor == ADMIN and entry.detail["next_number"] == 40
