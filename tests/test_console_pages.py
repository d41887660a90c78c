"""The console's new-directive, draft and live pages over HTTP (Starlette's TestClient on the real app, a real
SQLite file, the sample tree), the parts the browser test does not walk through: the picker's search without
diacritics and its whole levels, an unknown unit replaced in one click, a launch refused while problems remain,
the notice's own strict CSP, the live page's scoping and its server-sent events, the static files' whitelist, and
author mode (a district's own plan on the directive it received, counted as its pass-on)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from models import Assignment, Directive, DirectiveDraft, DraftState, Unit, UserRole
from tests.accounts_helpers import add_account, log_in
from tests.cascade_helpers import store_sample
from tests.conftest import PROJECT, SAMPLE_DIRECTIVE
from web import launching
from web.app import create_app

SEED_TEXT = (PROJECT / "tests" / "data" / "docimport" / "252-KH-LDLD.txt").read_text(encoding="utf-8")
ADMIN = "vanthu.ldld@laichau.example"


@pytest.fixture(autouse=True)
def replay_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-20T08:00:00+07:00")


@pytest.fixture
def client(settings: Settings, sample_org: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings), base_url=settings.web.public_url) as c:
        yield c


def signed_in(client: TestClient, email: str, role: UserRole, unit: str) -> TestClient:
    add_account(email, role, unit)
    assert log_in(client, email, next_path="/admin").status_code in (200, 303)
    return client


def csrf(client: TestClient, path: str = "/admin/new") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found
    return found[1]


def upload(client: TestClient, text: str, name: str = "252-KH-LDLD.txt", **data: str) -> int:
    answer = client.post("/admin/new", data={"csrf_token": csrf(client), **data},
                         files={"document": (name, text.encode())}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text[:2000]
    found = re.fullmatch(r"/admin/drafts/(\d+)", answer.headers["location"])
    assert found
    return int(found[1])


def rows(html: str) -> list[str]:
    """The recipients listed on a draft page, by the hidden field each row carries."""
    return re.findall(r'<input type="hidden" name="r_unit" value="([^"]+)">', html)


class DraftForm(HTMLParser):
    """The fields of the page's form "draft" as a browser would submit them (inputs, selects, textareas, and the
    controls outside it that name it with form="draft"), buttons aside."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.inside = False
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "draft"
        mine = self.inside or a.get("form") == "draft"
        if tag == "input" and mine and a.get("name"):
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and mine:
            self.select, self.options = a.get("name"), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and mine:
            self.textarea, self.text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [v for v, on in self.options if on] or [v for v, _ in self.options[:1]]
            self.fields.append((self.select, chosen[0] if chosen else ""))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text += data


def resubmit(client: TestClient, draft_id: int, action: str, **changes: str) -> httpx.Response:
    """Press a button of the draft page: the whole form as the page holds it (some fields changed: the first of
    each name), and the button's value."""
    parser = DraftForm()
    parser.feed(client.get(f"/admin/drafts/{draft_id}").text)
    fields: dict[str, list[str]] = {}  # by name, in the page's order (the recipients' units and roles pair up)
    for name, value in parser.fields:
        fields.setdefault(name, []).append(changes.pop(name) if name in changes else value)
    for name, value in [*changes.items(), ("action", action)]:
        fields.setdefault(name, []).append(value)
    return client.post(f"/admin/drafts/{draft_id}", data=fields, follow_redirects=False)


def test_picker_finds_units_without_diacritics_and_adds_whole_levels(client: TestClient) -> None:
    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    draft_id = upload(client, SEED_TEXT)
    page = client.get(f"/admin/drafts/{draft_id}", params={"q": "tam duong"})
    assert "Liên đoàn Lao động huyện Tam Đường" in page.text
    found = client.get(f"/admin/drafts/{draft_id}/units", params={"q": "cdcs truong"}).json()["units"]
    # "Trường" and "Trung" and "Tam Đường" are told apart; "truong" finds the schools, typed without diacritics.
    assert "CĐCS Trường THPT Bình Lư" in {u["name"] for u in found}
    assert all("truong" in u["name"].lower().replace("ư", "u").replace("ờ", "o") for u in found)
    # Remove two districts, then add every district federation under the province at once.
    assert resubmit(client, draft_id, "remove:LDLD_TD").status_code == 303
    assert resubmit(client, draft_id, "remove:LDLD_PT").status_code == 303
    assert not {"LDLD_TD", "LDLD_PT"} & set(rows(client.get(f"/admin/drafts/{draft_id}").text))
    assert "group:1:district_federation" in client.get(f"/admin/drafts/{draft_id}").text
    assert resubmit(client, draft_id, "group:1:district_federation").status_code == 303
    listed = rows(client.get(f"/admin/drafts/{draft_id}").text)
    with session_scope() as session:
        districts = session.exec(select(Unit.code).where(Unit.kind == "district_federation")).all()
    assert set(districts) <= set(listed) and len(listed) == len(set(listed)) == 24


def test_an_unknown_unit_is_replaced_by_a_suggestion_in_one_click(client: TestClient) -> None:
    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    text = SEED_TEXT.replace("- Ban Dân vận, Ban Tuyên giáo Tỉnh ủy;", "- Ban Dân vận, Ban Tuyên huấn Tỉnh ủy;")
    draft_id = upload(client, text)
    page = client.get(f"/admin/drafts/{draft_id}").text
    assert "Không tìm thấy đơn vị “Ban Tuyên huấn Tỉnh ủy”" in page
    assert 'value="use:BTG_TU">Ban Tuyên giáo Tỉnh ủy</button>' in page
    assert "BTG_TU" not in rows(page)
    assert resubmit(client, draft_id, "use:BTG_TU", r_role="superior", report_due="2021-12-15").status_code == 303
    page = client.get(f"/admin/drafts/{draft_id}").text
    assert "BTG_TU" in rows(page)
    assert "Không có lỗi: bản nháp có thể ban hành." in page


def test_a_draft_with_problems_is_not_launched(client: TestClient) -> None:
    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    draft_id = upload(client, SEED_TEXT)  # no report date in the document
    page = client.get(f"/admin/drafts/{draft_id}").text
    assert re.search(r'id="launch-button" disabled', page)
    answer = client.post(f"/admin/drafts/{draft_id}/launch", data={"csrf_token": csrf(client)})
    assert answer.status_code == 422
    assert "Hạn báo cáo" in answer.text
    with session_scope() as session:
        assert session.exec(select(Directive)).all() == []
        draft = session.get(DirectiveDraft, draft_id)
        assert draft is not None and draft.state == DraftState.draft


def test_the_notice_is_served_with_its_own_strict_policy_and_the_page_in_english(client: TestClient) -> None:
    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    draft_id = upload(client, SEED_TEXT)
    saved = resubmit(client, draft_id, "save", report_due="2021-12-15")
    assert saved.status_code == 303, saved.text[-3000:]
    notice = client.get(f"/admin/drafts/{draft_id}/notice")
    assert notice.status_code == 200 and "252/KH-LĐLĐ" in notice.text
    policy = notice.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy and "sandbox" in policy
    assert notice.headers["x-frame-options"] == "SAMEORIGIN"
    english = client.get(f"/admin/drafts/{draft_id}", params={"lang": "en"}).text
    assert "Preview of the notice" in english and "Issue and send" in english


def test_the_live_page_is_scoped_and_streams_its_figures(client: TestClient, settings: Settings) -> None:
    with session_scope() as session:
        directive = store_sample(session, settings)  # issued by the province, its notices in the outbox
        directive_id = directive.id
    add_account("giamsat.tamduong@laichau.example", UserRole.supervisor, "LDLD_TD")
    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    seed = yaml.safe_load(SAMPLE_DIRECTIVE.read_text(encoding="utf-8"))
    owed = [r for r in seed["recipients"] if r["unit"] != seed["report_to"]]  # its drafting dept. is not sent it
    asked = [r for r in owed if r["role"] != "superior"]  # a superior is never asked to acknowledge
    page = client.get(f"/admin/directives/{directive_id}/live")
    assert page.status_code == 200
    assert re.search(rf'data-total="units">{len(owed)}<', page.text)
    assert re.search(r'data-total="sent">0<', page.text)
    with client.stream("GET", f"/admin/directives/{directive_id}/events") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()
        for line in lines:
            if line.startswith("data:"):
                first = json.loads(line.removeprefix("data:"))
                break
    assert first["total"]["units"] == len(owed) and first["levels"][0]["level"] == 1
    assert first["total"]["asked"] == len(asked) and first["total"]["sent"] == 0
    # A sibling district's supervisor: the province's directive does not exist for it.
    client.cookies.clear()
    log_in(client, "giamsat.tamduong@laichau.example", next_path="/admin")
    assert client.get(f"/admin/directives/{directive_id}/live").status_code == 404
    assert client.get(f"/admin/directives/{directive_id}/events").status_code == 404


def test_static_files_are_a_whitelist(client: TestClient) -> None:
    script = client.get("/static/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/console.css").headers["content-type"].startswith("text/css")
    for name in ("base.html", "..%2Fweb%2Fbase.html", "console.JS"):
        assert client.get(f"/static/{name}").status_code == 404


@pytest.mark.usefixtures("prefect_harness")
def test_a_district_writes_its_own_plan_in_the_console(client: TestClient, settings: Settings) -> None:
    with session_scope() as session:
        parent_id = store_sample(session).id
    add_account("admin.cs1@laichau.example", UserRole.admin, "LDLD_TD_CS1")
    signed_in(client, "admin.tamduong@laichau.example", UserRole.admin, "LDLD_TD")
    form = client.get("/admin/new")
    assert f"/admin/new?basis={parent_id}" in form.text  # awaiting the district's own plan
    page = client.get("/admin/new", params={"basis": parent_id})
    assert "Thực hiện Kế hoạch số 252/KH-LĐLĐ" in page.text
    outline = re.search(r'<textarea id="text" name="text"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert outline and "Các CĐCS trực thuộc" in outline[1]
    text = outline[1].replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")
    answer = client.post("/admin/new", data={"csrf_token": csrf(client), "text": text, "basis": str(parent_id)},
                         follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text[:3000]
    draft_id = int(answer.headers["location"].rsplit("/", 1)[1])
    draft_page = client.get(f"/admin/drafts/{draft_id}").text
    assert "Không có lỗi: bản nháp có thể ban hành." in draft_page, draft_page[:6000]
    assert set(rows(draft_page)) >= {"LDLD_TD_CS1", "LDLD_TD_CS2", "LDLD_TD_CS3"}
    launched = client.post(f"/admin/drafts/{draft_id}/launch", data={"csrf_token": csrf(client)},
                           follow_redirects=False)  # fmt: skip
    assert launched.status_code == 303 and launched.headers["location"].endswith("/live")
    deadline = time.monotonic() + 60
    while launching.RUNNING and time.monotonic() < deadline:  # the background flow run (no timing asserted)
        time.sleep(0.1)
    with session_scope() as session:
        draft = session.get(DirectiveDraft, draft_id)
        assert draft is not None and draft.directive_id is not None
        plan = session.get(Directive, draft.directive_id)
        assert plan is not None and plan.parent_directive_id == parent_id and plan.source == "author"
        unit_id = session.exec(select(Unit.id).where(Unit.code == "LDLD_TD")).one()
        mine = session.exec(
            select(Assignment).where(Assignment.directive_id == parent_id, Assignment.unit_id == unit_id)
        ).one()
        assert mine.implementing_directive_id == plan.id  # the district's pass-on
    # A grassroots union was not sent the province's plan: no author mode on it.
    client.cookies.clear()
    log_in(client, "admin.cs1@laichau.example", next_path="/admin")
    assert client.get("/admin/new", params={"basis": parent_id}).status_code == 404


def test_the_upload_form_names_pdf_and_says_the_importers_problems_in_vietnamese(client: TestClient) -> None:
    """The form offers .pdf, which the importer reads; a scanned PDF is refused, and a document's unreadable parts
    are listed on the draft page, in Vietnamese both ("'Như Điều 3' but Điều 3 names no unit" was left in English)."""
    from tests.test_docimport_files import scanned_pdf

    signed_in(client, ADMIN, UserRole.admin, "LDLD_LC")
    form = client.get("/admin/new").text
    assert "Tệp văn bản (.docx, .pdf, .txt, .md) hoặc tệp YAML" in form and 'accept=".docx,.pdf,' in form
    refused = client.post("/admin/new", data={"csrf_token": csrf(client)},
                          files={"document": ("quet.pdf", scanned_pdf())}, follow_redirects=False)  # fmt: skip
    assert refused.status_code == 422 and "là bản quét" in refused.text and "text layer" not in refused.text
    draft_id = upload(client, SEED_TEXT.replace("- TT Tỉnh ủy;", "- Như Điều 3;", 1))
    page = client.get(f"/admin/drafts/{draft_id}").text
    assert "Nơi nhận ghi “Như Điều 3” nhưng Điều 3 không giao việc cho đơn vị nào" in page
    assert "names no unit" not in page
