"""The directives API on the real app (uvicorn), a real SQLite or PostgreSQL database, Prefect's test server and
the aiosmtpd sink: previews from a directive file and from documents, bad uploads refused with nothing stored,
a launch that happens once however often (or however concurrently) it is asked, the figures by level after it,
tokens, roles and scoping, and the CSRF rule for cookie sessions.

Oracles are the sample itself: examples/252-KH-LDLD.yaml names 24 recipients, of which 14 act and 5 are the
bodies above (superiors, never chased); its "Lưu: VT, TgNc" names the department that drafted it (LDLD_TGNC),
which is owed no notice, so a launch sends 23 notices. 20 May 2021 is a Thursday: receipt is due on Friday 21 May.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from cascade.core.settings import Settings, reset_settings
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.topology import wait_until
from tests.accounts_helpers import log_in
from tests.api_helpers import (
    CV45_DOCX,
    LIMIT,
    PLAN_DAY,
    SAMPLE_TXT,
    SAMPLE_YAML,
    accounts,
    counts,
    served,
    stored_files,
    upload,
)
from tests.cascade_helpers import click, mail_by_unit
from web import launching

SAMPLE = yaml.safe_load(SAMPLE_YAML.read_text(encoding="utf-8"))
ROLES = {r["unit"]: r["role"] for r in SAMPLE["recipients"]}
NOTICES = len(ROLES) - 1  # all but the drafting department LDLD_TGNC
REQUEST_LIMIT = 2 * LIMIT  # the web app's wall (web/guard.py), above the upload's own limit
SUPERIORS = [code for code, role in ROLES.items() if role == "superior"]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASCADE_CLOCK_START", PLAN_DAY)
    monkeypatch.setenv("CASCADE_ORIGINAL_MAX_BYTES", str(LIMIT))
    monkeypatch.setenv("CASCADE_REQUEST_MAX_BYTES", str(REQUEST_LIMIT))
    monkeypatch.setenv("CASCADE_PREFECT_UI_URL", "http://prefect.example:4200/")


@pytest.fixture
def api(
    env: None, settings: Settings, sample_org: None, prefect_harness: None
) -> Iterator[tuple[httpx.Client, dict[str, dict[str, str]], Settings]]:
    heads = accounts()
    with served(settings) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client, heads, settings


def wait_dispatched(directive_id: int) -> None:
    thread = launching.RUNNING.get(directive_id)
    if thread is not None:
        thread.join(120)


def test_preview_of_the_sample_directive_file(api: Any, mailbox: SmtpSink) -> None:
    client, heads, _ = api
    answer = upload(client, heads["province"], "252-KH-LDLD.yaml", SAMPLE_YAML.read_bytes())
    assert answer.status_code == 201, answer.text
    preview = answer.json()
    assert preview["launchable"] and preview["problems"] == [] and preview["duplicate_of"] is None
    assert preview["fields"]["number"] == "252/KH-LĐLĐ" and preview["issuer_name"] == "Liên đoàn Lao động tỉnh Lai Châu"
    by_code = {r["code"]: r for r in preview["recipients"]}
    assert {c: r["role"] for c, r in by_code.items()} == ROLES
    tam_duong = by_code["LDLD_TD"]
    assert tam_duong["name"] == "Liên đoàn Lao động huyện Tam Đường" and tam_duong["role_label"] == "Thực hiện"
    assert (tam_duong["ack_due"], tam_duong["ack_due_vn"]) == ("2021-05-21", "21/05/2021")
    assert (tam_duong["report_due"], tam_duong["report_due_vn"]) == ("2021-12-15", "15/12/2021")
    assert tam_duong["level"] == 2 and tam_duong["in_tree"]  # Tỉnh ủy › LĐLĐ tỉnh › LĐLĐ huyện
    assert by_code["TU_LC"]["role_label"] == "Để báo cáo" and by_code["TU_LC"]["report_due"] is None
    assert by_code["LDLD_TGNC"]["ack_due"] is None  # the drafting department is asked nothing
    notice = preview["notice"]
    assert notice["subject"].startswith("Kế hoạch số 252/KH-LĐLĐ của Liên đoàn Lao động tỉnh Lai Châu")
    assert notice["unit_code"] == "LDLD_TPLC" and "Kính gửi: Liên đoàn Lao động thành phố Lai Châu" in notice["text"]
    assert "Hạn xác nhận đã nhận văn bản: 21/05/2021" in notice["text"]
    assert "Nguyễn Thị Thiện" in notice["text"]  # the document itself, spliced in as the sender does
    assert "<html" in notice["html"].lower()
    # Nothing sent, nothing stored but the draft; the same preview again
    assert mailbox.messages == [] and counts() == {"drafts": 1, "directives": 0, "outbox": 0}
    again = client.get(f"/api/directives/{preview['id']}", headers=heads["province"]).json()
    assert again["recipients"] == preview["recipients"] and again["notice"]["subject"] == notice["subject"]


def test_preview_of_a_text_document_and_its_correction(api: Any) -> None:
    client, heads, _ = api
    text = SAMPLE_TXT.read_text(encoding="utf-8").replace("- Văn phòng Tỉnh ủy;", "- Van phong Tinh uy;")
    text = text.replace("- Ban Dân vận, Ban Tuyên giáo Tỉnh ủy;", "- Ban Dân vận, Ban Tuyên truyền Tỉnh ủy;")
    preview = upload(client, heads["province"], "252-KH-LDLD.txt", text.encode()).json()
    assert preview["fields"]["number"] == "252/KH-LĐLĐ" and preview["fields"]["issuer"] == "LDLD_LC"
    codes = {r["code"] for r in preview["recipients"]}
    assert "VP_TU" in codes  # named without diacritics, found all the same
    unknown = [p for p in preview["problems"] if "Ban Tuyên truyền Tỉnh ủy" in p["message"]]
    assert unknown and unknown[0]["field"] == "recipients" and unknown[0]["line"]
    assert unknown[0]["suggested_codes"][0] == "BTG_TU" and unknown[0]["suggestions"][0] == "Ban Tuyên giáo Tỉnh ủy"
    # The document gives no report date ("theo quy định"): a problem of its own, in Vietnamese
    assert any(p["field"] == "report_due" and "hạn báo cáo" in p["message"] for p in preview["problems"])
    assert not preview["launchable"]
    refused = client.post(f"/api/directives/{preview['id']}/launch", headers=heads["province"])
    assert refused.status_code == 422 and refused.json()["detail"]["problems"]
    assert counts()["directives"] == 0
    # The clerk adds the unit the name meant and the report date: launchable
    recipients = [{"unit": r["code"], "role": r["role"]} for r in preview["recipients"]]
    recipients.append({"unit": unknown[0]["suggested_codes"][0], "role": "superior"})
    corrections = {"recipients": recipients, "report_due": "2021-12-15"}
    fixed = client.patch(f"/api/directives/{preview['id']}", json=corrections, headers=heads["province"])
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["problems"] == [] and fixed.json()["launchable"]
    roles = {r["code"]: r["role_label"] for r in fixed.json()["recipients"]}
    assert roles["BTG_TU"] == "Để báo cáo" and fixed.json()["fields"]["report_due"] == "2021-12-15"


def test_preview_of_a_docx_keeps_it_as_the_original(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, heads, settings = api
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-07-02T08:00:00+07:00")  # the công văn's own day
    reset_settings()
    preview = upload(client, heads["province"], CV45_DOCX.name, CV45_DOCX.read_bytes()).json()
    assert preview["fields"]["number"] == "45/LĐLĐ-TGNC" and preview["fields"]["type"] == "CÔNG VĂN"
    assert preview["original_name"] == CV45_DOCX.name and preview["fields"]["original"] == CV45_DOCX.name
    assert preview["problems"] == [], preview["problems"]
    assert {r["code"] for r in preview["recipients"]} >= {"LDLD_TD", "LDLD_PT", "CDN_GD", "CDVC"}
    assert CV45_DOCX.name in preview["notice"]["text"]  # the cover names the attached original
    kept = stored_files(settings)
    assert [p.read_bytes() for p in kept] == [CV45_DOCX.read_bytes()] and kept[0].name == CV45_DOCX.name


def test_problems_name_the_nearest_units_and_unknown_fields(api: Any) -> None:
    client, heads, _ = api
    text = SAMPLE_YAML.read_text(encoding="utf-8").replace("- unit: LDLD_TD\n", "- unit: LDLD_TDD\n")
    text += "reprot_due: '2021-12-15'\n"
    preview = upload(client, heads["province"], "typo.yaml", text.encode()).json()
    by_field = {p["field"]: p for p in preview["problems"]}
    unknown = by_field["recipients"]
    assert "LDLD_TDD" in unknown["message"] and unknown["line"] is not None
    assert unknown["suggested_codes"][0] == "LDLD_TD"
    assert unknown["suggestions"][0] == "Liên đoàn Lao động huyện Tam Đường"
    assert "report_due" in by_field["reprot_due"]["message"]
    assert preview["notice"] is None and not preview["launchable"]
    assert {r["code"]: r["in_tree"] for r in preview["recipients"]}["LDLD_TDD"] is False


def test_wrong_type_and_oversize_uploads_store_nothing(api: Any) -> None:
    client, heads, settings = api
    before, files = counts(), stored_files(settings)
    pdf = b"%PDF-1.4\n" + b"x" * 100
    cases = [
        ("plan.exe", b"MZ\x90\x00", None, 415),
        ("plan.docx", "Kế hoạch".encode(), None, 415),  # text named .docx
        ("plan.yaml", b"number: 1\x00\x01\x02", None, 415),  # binary named .yaml
        ("plan.yaml", b"- a list\n- not a directive\n", None, 415),
        ("plan.pdf", b"PK\x03\x04 a zip", None, 415),
        ("plan.yaml", b"number: 'x'\n" + b"#" * (LIMIT + 10), None, 413),
        ("252.yaml", SAMPLE_YAML.read_bytes(), ("signed.pdf", b"GIF89a not a pdf"), 415),
        ("252.yaml", SAMPLE_YAML.read_bytes(), ("signed.pdf", pdf + b"y" * LIMIT), 413),
        ("252.yaml", SAMPLE_YAML.read_bytes(), ("signed.txt", b"text"), 415),
        ("empty.txt", b"", None, 422),
    ]
    for name, data, original, status in cases:
        answer = upload(client, heads["province"], name, data, original)
        assert answer.status_code == status, (name, answer.text)
        detail = answer.json()["detail"]
        assert (original[0] if original else name) in detail["message"], detail
    # Over the whole request's limit: refused by the app's outer wall before the body is read, in JSON too
    answer = upload(client, heads["province"], "huge.yaml", b"#" * (REQUEST_LIMIT + 1))
    assert answer.status_code == 413 and answer.headers["content-type"] == "application/json"
    assert "vượt giới hạn" in answer.json()["detail"]
    assert counts() == before and stored_files(settings) == files == []


def launch(client: httpx.Client, headers: dict[str, str], draft_id: int) -> httpx.Response:
    return client.post(f"/api/directives/{draft_id}/launch", headers=headers)


def test_launch_once_concurrently_and_twice(api: Any, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    client, heads, _ = api
    mailbox.handler.refuse["ldld.tanuyen@laichau.example"] = "550 5.1.1 no such user"  # Tân Uyên bounces
    draft = upload(client, heads["province"], "252.yaml", SAMPLE_YAML.read_bytes()).json()
    answers: list[httpx.Response] = []

    def call() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=120) as other:
            answers.append(launch(other, heads["province"], draft["id"]))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
    first, second = (a.json() for a in answers)
    assert first == second and first["flow_run_id"]
    assert first["flow_run_url"] == f"http://prefect.example:4200/runs/flow-run/{first['flow_run_id']}"
    assert first["page_url"] == f"/admin/directives/{first['directive_id']}"
    wait_dispatched(first["directive_id"])
    # 22 notices taken by the mail server, and for Tân Uyên's bounce one "bad address" notice to its parent
    wait_until(lambda: len(mailbox.messages) >= NOTICES, "the notices")
    third = launch(client, heads["province"], draft["id"])  # a click after it all
    assert third.status_code == 202 and third.json() == first
    assert counts()["directives"] == 1
    received = mail_by_unit(mailbox)
    [bad_address] = received.pop("LDLD_LC")
    assert bad_address.subject.startswith("Địa chỉ thư của Liên đoàn Lao động huyện Tân Uyên không nhận được thư")
    assert sorted(received) == sorted(c for c in ROLES if c not in ("LDLD_TGNC", "LDLD_TUY"))
    assert all(len(m) == 1 and m[0].subject.startswith("Kế hoạch số 252/KH-LĐLĐ") for m in received.values())
    assert _flow_runs(first["directive_id"]) == [first["flow_run_id"]]

    status = client.get(first["status_url"], headers=heads["province"]).json()
    assert status["launched"] and status["dispatched"] and status["number"] == "252/KH-LĐLĐ"
    level = status["levels"][0]
    assert (level["level"], level["units"], level["sent"], level["bounced"]) == (1, NOTICES, NOTICES - 1, 1)
    assert (level["confirmed"], level["late"], status["late_units"]) == (0, 0, [])
    # Tam Đường confirms (and, passing it on, issues its own Công văn); a week later every other unit asked to
    # confirm is late
    assert click(mailbox, str(client.base_url), "LDLD_TD").status_code == 200
    monkeypatch.setenv("CASCADE_CLOCK_START", "2021-05-27T08:00:00+07:00")
    reset_settings()
    status = client.get(first["status_url"], headers=heads["province"]).json()
    chased = NOTICES - len(SUPERIORS)
    assert status["levels"][0]["confirmed"] == 1 and status["levels"][0]["late"] == chased - 1
    late = {u["code"] for u in status["late_units"] if u["late_for"] == "ack"}
    assert late == {c for c, r in ROLES.items() if r != "superior"} - {"LDLD_TGNC", "LDLD_TD"}
    assert all(u["days_late"] == 4 for u in status["late_units"])  # 21/5 → 27/5: Mon, Tue, Wed, Thu

    # The same number and issuer again: refused, with the first's page
    again = upload(client, heads["province"], "252-again.yaml", SAMPLE_YAML.read_bytes()).json()
    assert again["duplicate_of"] == first["directive_id"] and not again["launchable"]
    before = counts()
    refused = launch(client, heads["province"], again["id"])
    assert refused.status_code == 409 and refused.json()["detail"]["url"] == first["page_url"]
    assert counts() == before and len(mailbox.messages) == NOTICES

    # The list: the plan (from its draft) and Tam Đường's Công văn implementing it (no draft), newest first
    listed = client.get("/api/directives", headers=heads["province"]).json()
    assert [(d["draft_id"], d["issuer_code"]) for d in listed] == [(None, "LDLD_TD"), (draft["id"], "LDLD_LC")]
    plan = listed[1]
    assert (plan["id"], plan["acknowledged"], plan["recipients"]) == (first["directive_id"], 1, chased)
    assert [d["issuer_code"] for d in client.get("/api/directives", headers=heads["tam_duong"]).json()] == ["LDLD_TD"]


def _flow_runs(directive_id: int) -> list[str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(limit=200)
    return [str(r.id) for r in runs if r.parameters.get("directive_id") == directive_id]


def test_tokens_roles_and_scopes(api: Any) -> None:
    client, heads, _ = api
    assert client.get("/api/directives").status_code == 401
    assert upload(client, {}, "252.yaml", SAMPLE_YAML.read_bytes()).status_code == 401
    assert client.get("/api/directives", headers={"Authorization": "Bearer dc_wrong"}).status_code == 401
    assert upload(client, heads["province_supervisor"], "252.yaml", SAMPLE_YAML.read_bytes()).status_code == 403
    # Tam Đường's admin uploads the province's plan: they launch as their own unit only
    draft = upload(client, heads["tam_duong"], "252.yaml", SAMPLE_YAML.read_bytes()).json()
    issuer = [p for p in draft["problems"] if p["field"] == "issuer"]
    assert issuer and "Bạn phát hành với tư cách Liên đoàn Lao động huyện Tam Đường" in issuer[0]["message"]
    assert launch(client, heads["tam_duong"], draft["id"]).status_code == 422
    # Its sibling district sees nothing of it; the province above it does
    for path in (f"/api/directives/{draft['id']}", f"/api/directives/{draft['id']}/status"):
        assert client.get(path, headers=heads["phong_tho"]).status_code == 404
        assert client.get(path, headers=heads["province_supervisor"]).status_code == 200
    assert launch(client, heads["phong_tho"], draft["id"]).status_code == 404
    assert (
        client.patch(f"/api/directives/{draft['id']}", json={"summary": "x"}, headers=heads["phong_tho"]).status_code
        == 404
    )
    assert client.post("/api/directives/99999/launch", headers=heads["province"]).status_code == 404
    # Units: one's own and below, never a sibling's
    assert client.get("/api/units/LDLD_TD", headers=heads["phong_tho_supervisor"]).status_code == 404
    assert client.get("/api/units/LDLD_NOPE", headers=heads["province"]).status_code == 404
    own = client.get("/api/units/LDLD_PT", headers=heads["phong_tho_supervisor"])
    assert own.status_code == 200 and own.json()["name"] == "Liên đoàn Lao động huyện Phong Thổ"


def test_unit_with_its_assignments(api: Any, mailbox: SmtpSink) -> None:
    client, heads, _ = api
    draft = upload(client, heads["province"], "252.yaml", SAMPLE_YAML.read_bytes()).json()
    launched = launch(client, heads["province"], draft["id"]).json()
    wait_dispatched(launched["directive_id"])
    unit = client.get("/api/units/LDLD_TD", headers=heads["province"]).json()
    org = yaml.safe_load((SAMPLE_YAML.parent / "laichau-2021.yaml").read_text(encoding="utf-8"))["units"]
    assert unit["kind_label"] == "Liên đoàn Lao động huyện, thành phố" and unit["parent"]["code"] == "LDLD_LC"
    assert unit["children"] == sum(1 for u in org if u.get("parent") == "LDLD_TD")
    [assignment] = unit["assignments"]
    assert (assignment["number"], assignment["role_label"], assignment["status_label"]) == (
        "252/KH-LĐLĐ", "Thực hiện", "Đã đến")  # fmt: skip
    assert (assignment["ack_due_vn"], assignment["report_due"]) == ("21/05/2021", "2021-12-15")
    assert assignment["page_url"] == launched["page_url"]
    # Tam Đường's own admin sees its unit and its duty, but not the province's directive page
    seen = client.get("/api/units/LDLD_TD", headers=heads["tam_duong"]).json()
    assert seen["assignments"][0]["page_url"] is None
    assert client.get("/api/directives", headers=heads["tam_duong"]).json() == []


def test_cookie_session_needs_the_csrf_token(api: Any) -> None:
    client, _, settings = api
    with httpx.Client(base_url=str(client.base_url), timeout=60) as browser:
        assert log_in(browser, "admin@ldld.laichau.example", next_path="/admin").status_code in (200, 303)
        files = {"file": ("252.yaml", SAMPLE_YAML.read_bytes(), "application/x-yaml")}
        assert browser.post("/api/directives", files=files).status_code == 403
        assert counts()["drafts"] == 0
        form = browser.get("/admin/login")  # any page with a form gives the visitor's token
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if token is None:
            token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/admin/password").text)
        assert token
        made = browser.post("/api/directives", files=files, headers={"X-CSRF-Token": token[1]})
        assert made.status_code == 201, made.text
        assert browser.get(f"/api/directives/{made.json()['id']}").status_code == 200  # a GET needs none
        assert browser.post(f"/api/directives/{made.json()['id']}/launch").status_code == 403


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")  # the unit pages' GET and HEAD share a function
def test_openapi_lists_the_routes_and_the_docs_are_local(api: Any) -> None:
    client, _, _ = api
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/directives"]) == {"get", "post"}
    assert set(paths["/api/directives/{draft_id}"]) == {"get", "patch"}
    assert "post" in paths["/api/directives/{draft_id}/launch"]
    assert "get" in paths["/api/directives/{draft_id}/status"] and "get" in paths["/api/units/{code}"]
    assert paths["/api/directives/{draft_id}/launch"]["post"]["responses"].keys() >= {"202", "404", "409", "422"}
    assert {"PreviewOut", "LaunchOut", "StatusOut", "UnitOut"} <= set(schema["components"]["schemas"])
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", docs.text, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)  # no inline script
    bundle = client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.content


def test_a_deadline_already_past_is_a_problem(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, heads, _ = api
    monkeypatch.setenv("CASCADE_CLOCK_START", "2022-01-10T08:00:00+07:00")
    reset_settings()
    preview = upload(client, heads["province"], "late.yaml", SAMPLE_YAML.read_bytes()).json()
    [problem] = [p for p in preview["problems"] if p["field"] == "report_due"]
    assert "15/12/2021 đã qua" in problem["message"] and not preview["launchable"]
