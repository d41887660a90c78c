"""Console accounts on the real app (Starlette's TestClient over the ASGI app) and a real SQLite file (or
PostgreSQL): argon2 hashes, the session cookie's attributes, logout, the forced change of an initial password,
login throttling per address and per account, `next` kept on this site, `cascade user …` through typer's
CliRunner, and scoping: a district's supervisor finds nothing of its sibling district."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from starlette.testclient import TestClient
from typer.testing import CliRunner

from cascade.accounts.passwords import verify_password
from cascade.cli.main import app as cli
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from models import ApiToken, AuditLog, Directive, LoginSession, User
from tests.accounts_helpers import PASSWORD, add_account, bearer, log_in
from tests.cascade_helpers import plant_tree, with_web
from web.app import create_app
from web.auth import SESSION_COOKIE

pytestmark = pytest.mark.usefixtures("sample_org")
NEW_PASSWORD = "mat khau moi cua toi 2021"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def asgi(settings: Settings) -> object:
    return create_app(settings)


@pytest.fixture
def client(asgi: object) -> Iterator[TestClient]:
    with TestClient(asgi, follow_redirects=False) as c:  # type: ignore[arg-type]
        yield c


def csrf_of(client: TestClient, path: str = "/admin") -> str:
    found = CSRF.search(client.get(path).text)
    assert found, path
    return found[1]


def session_cookie(response: object) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{SESSION_COOKIE}=")]
    assert len(found) == 1, headers
    return str(found[0])


def main_of(response: object) -> tuple[int, str]:
    """The status and the page's content (without the language switch, whose links name the path asked)."""
    text = response.text  # type: ignore[attr-defined]
    found = re.search(r"<main.*</main>", text, re.S)
    assert found, text[:300]
    return response.status_code, found[0]  # type: ignore[attr-defined]


def audit(event: str) -> list[AuditLog]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.event == event)).all())


def test_the_password_is_stored_as_an_argon2id_hash_only() -> None:
    add_account("can.bo@laichau.example", "admin", "LDLD_LC")
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "can.bo@laichau.example")).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD) and not verify_password(user.password_hash, PASSWORD + "x")
    assert [row.detail["email"] for row in audit("account_created")] == ["can.bo@laichau.example"]


def test_login_sets_a_session_cookie_and_logout_revokes_it(client: TestClient, settings: Settings) -> None:
    add_account("can.bo@laichau.example", "admin", "LDLD_LC")
    closed = client.get("/admin/directives/1?page=2")
    assert (
        closed.status_code == 303
        and closed.headers["location"] == "/admin/login?next=%2Fadmin%2Fdirectives%2F1%3Fpage%3D2"
    )
    form = client.get("/admin/login")
    assert form.status_code == 200 and 'lang="vi"' in form.text and "Mật khẩu" in form.text
    wrong = log_in(client, "can.bo@laichau.example", "sai mat khau roi")
    assert wrong.status_code == 401 and "Email hoặc mật khẩu không đúng." in wrong.text
    assert SESSION_COOKIE not in client.cookies
    signed_in = log_in(client, "CAN.BO@laichau.example", next_path="/admin/units/LDLD_TD")  # any case of address
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin/units/LDLD_TD"
    cookie = session_cookie(signed_in)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={int(settings.web.session_hours * 3600)}" in cookie and "Secure" not in cookie
    secret = client.cookies[SESSION_COOKIE]
    with session_scope() as session:  # only the secret's hash is kept
        assert session.exec(select(LoginSession.secret_hash)).all() != [secret]
    home = client.get("/admin")
    assert home.status_code == 200 and 'data-signed-in="can.bo@laichau.example"' in home.text
    assert "Liên đoàn Lao động tỉnh Lai Châu" in home.text and "Quản trị đơn vị" in home.text  # unit, role in words
    assert 'action="/admin/logout"' in home.text
    out = client.post("/admin/logout", data={"csrf_token": csrf_of(client)})
    assert out.status_code == 303 and out.headers["location"] == "/admin/login"
    assert f'{SESSION_COOKIE}=""' in session_cookie(out) or "Max-Age=0" in session_cookie(out)
    client.cookies.set(SESSION_COOKIE, secret)  # a copy of the old cookie opens nothing any more
    again = client.get("/admin")
    assert again.status_code == 303 and again.headers["location"].startswith("/admin/login")
    with session_scope() as session:
        assert session.exec(select(LoginSession)).one().revoked_at is not None


def test_the_cookie_is_secure_behind_an_https_public_url(settings: Settings) -> None:
    add_account("can.bo@laichau.example", "admin", "LDLD_LC")
    application = create_app(with_web(settings, public_url="https://cascade.example.vn"))
    with TestClient(application, base_url="https://cascade.example.vn", follow_redirects=False) as client:
        cookie = session_cookie(log_in(client, "can.bo@laichau.example"))
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert client.get("/admin").status_code == 200


def test_an_initial_password_must_be_changed_first(client: TestClient) -> None:
    token = add_account("moi@laichau.example", "supervisor", "LDLD_TD", changed=False)
    first = log_in(client, "moi@laichau.example", next_path="/admin/units/LDLD_TD")
    assert first.status_code == 303 and first.headers["location"] == "/admin/password?next=%2Fadmin%2Funits%2FLDLD_TD"
    old_secret = client.cookies[SESSION_COOKIE]
    elsewhere = client.get("/admin/units/LDLD_TD")
    assert elsewhere.status_code == 303 and elsewhere.headers["location"].startswith("/admin/password?next=")
    with TestClient(client.app, follow_redirects=False) as program:  # its API token works: it is not the password
        by_token = program.get("/admin/units/LDLD_TD", headers=bearer(token))
        assert by_token.status_code == 200
    page = client.get("/admin/password")
    assert page.status_code == 200 and "Mật khẩu ban đầu do người khác đặt" in page.text
    field = csrf_of(client, "/admin/password")
    form = {"csrf_token": field, "next": "/admin/units/LDLD_TD"}
    wrong = client.post(
        "/admin/password", data=form | {"current": "khong dung 123", "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.text
    differ = client.post("/admin/password", data=form | {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "khac"})
    assert differ.status_code == 422 and "Hai lần nhập mật khẩu mới không giống nhau." in differ.text
    short = client.post("/admin/password", data=form | {"current": PASSWORD, "new": "ngan", "repeat": "ngan"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    changed = client.post(
        "/admin/password", data=form | {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/units/LDLD_TD"
    assert client.cookies[SESSION_COOKIE] != old_secret  # a new session; the old ones are closed
    assert client.get("/admin/units/LDLD_TD").status_code == 200
    with TestClient(client.app, follow_redirects=False) as other:
        other.cookies.set(SESSION_COOKIE, old_secret)
        assert other.get("/admin").status_code == 303
        assert log_in(other, "moi@laichau.example", PASSWORD).status_code == 401
        assert log_in(other, "moi@laichau.example", NEW_PASSWORD).status_code == 303
    assert [row.actor for row in audit("password_changed")] == ["moi@laichau.example"]


def test_failed_logins_lock_the_address_and_the_account(asgi: object, caplog: pytest.LogCaptureFixture) -> None:
    add_account("a@laichau.example", "admin", "LDLD_LC")
    add_account("b@laichau.example", "supervisor", "LDLD_TD")
    caplog.set_level(logging.WARNING, logger="cascade.web")

    def client_at(address: str) -> TestClient:
        return TestClient(asgi, follow_redirects=False, client=(address, 40000))  # type: ignore[arg-type]

    # One address guessing five accounts: the address is locked, even for a right password of another account.
    with client_at("10.0.0.1") as guesser:
        tries = [log_in(guesser, f"nobody{i}@laichau.example", "doan thu xem").status_code for i in range(5)]
        assert tries == [401] * 5
        locked = log_in(guesser, "a@laichau.example")
        assert locked.status_code == 429 and 0 < int(locked.headers["retry-after"]) <= 900
        assert "Đăng nhập sai quá nhiều lần" in locked.text and SESSION_COOKIE not in guesser.cookies
    assert caplog.text.count("console login failed from 10.0.0.1") == 5
    with client_at("10.0.0.2") as colleague:  # another address is not locked
        assert log_in(colleague, "a@laichau.example").status_code == 303
    # Five addresses guessing one account: the account is locked, its right password refused from anywhere.
    for i in range(5):
        with client_at(f"10.0.1.{i}") as somewhere:
            assert log_in(somewhere, "b@laichau.example", f"doan {i} lan nua").status_code == 401
    with client_at("10.0.2.1") as owner:
        refused = log_in(owner, "b@laichau.example")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert log_in(owner, "a@laichau.example").status_code == 303  # the address itself is fine


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/\t/evil.example", "javascript:alert(1)", ""],
)
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    add_account("can.bo@laichau.example", "admin", "LDLD_LC")
    form = {"email": "can.bo@laichau.example", "password": PASSWORD, "next": target}
    response = client.post("/admin/login", data=form | {"csrf_token": csrf_of(client, "/admin/login")})
    assert response.status_code == 303 and response.headers["location"] == "/admin"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def accounts() -> list[str]:
    with session_scope() as session:
        return sorted(session.exec(select(User.email)).all())


def test_cascade_user_add_token_list_and_password(tmp_path: Path, client: TestClient) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")  # the trailing newline is not part of it
    code, out = run("user", "add", "--unit", "LDLD_TD", "--role", "admin", "--email", "td@laichau.example",
                    "--password-file", str(secret), "--name", "Lò Văn A")  # fmt: skip
    assert code == 0 and "td@laichau.example" in out and "must be changed" in out, out
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == "td@laichau.example")).one()
        assert user.must_change_password and user.name == "Lò Văn A" and verify_password(user.password_hash, PASSWORD)
    code, out = run("user", "add", "--role", "operator", "--email", "op@laichau.example", "--password-file", "-",
                    stdin=NEW_PASSWORD + "\n")  # fmt: skip
    assert code == 0, out
    refusals = [
        (["--unit", "KHONG_CO", "--role", "admin", "--email", "x@laichau.example"], "--unit", "KHONG_CO"),
        (["--unit", "LDLD_TD", "--role", "admin", "--email", "td@laichau.example"], "--email", "already exists"),
        (["--unit", "LDLD_TD", "--role", "boss", "--email", "y@laichau.example"], "--role", "boss"),
        (["--role", "supervisor", "--email", "z@laichau.example"], "--unit", "belongs to a unit"),
    ]
    for options, field, says in refusals:
        code, out = run("user", "add", *options, "--password-file", str(secret))
        assert code == 2 and field in out and says in out and "nothing was written" in out, out
    short = tmp_path / "short.txt"
    short.write_text("ngan\n", encoding="utf-8")
    code, out = run("user", "add", "--unit", "LDLD_PT", "--role", "admin", "--email", "pt@laichau.example",
                    "--password-file", str(short))  # fmt: skip
    assert code == 2 and "--password-file" in out and "at least 10 characters" in out, out
    code, out = run("user", "add", "--unit", "LDLD_PT", "--role", "admin", "--email", "pt@laichau.example",
                    "--password-file", str(tmp_path / "missing.txt"))  # fmt: skip
    assert code == 2 and "--password-file" in out and "missing.txt" in out, out
    assert accounts() == ["op@laichau.example", "td@laichau.example"]  # nothing else was written

    code, out = run("user", "token", "--email", "td@laichau.example", "--label", "báo cáo tự động")
    token = re.search(r"dc_[A-Za-z0-9_-]{40,}", out)
    assert code == 0 and token, out
    assert run("user", "token", "--email", "ai@laichau.example")[0] == 2
    with session_scope() as session:
        assert session.exec(select(ApiToken.label)).all() == ["báo cáo tự động"]
        assert session.exec(select(ApiToken.secret_hash)).one() != token[0]
    code, out = run("user", "list")
    assert code == 0 and "td@laichau.example" in out and "op@laichau.example" in out and "2 account(s)" in out
    code, out = run("user", "list", "--unit", "LDLD_PT")
    assert code == 0 and "td@laichau.example" not in out and "0 account(s)" in out
    assert run("user", "list", "--unit", "KHONG_CO")[0] == 2

    # The operator's reset: the sessions end and the new password must be changed at the next login.
    with session_scope() as session:
        session.exec(select(User).where(User.email == "td@laichau.example")).one().must_change_password = False
    assert log_in(client, "td@laichau.example").status_code == 303
    assert client.get("/admin").status_code == 200
    code, out = run("user", "password", "--email", "td@laichau.example", "--password-file", "-", stdin=NEW_PASSWORD)
    assert code == 0, out
    assert client.get("/admin").status_code == 303
    assert log_in(client, "td@laichau.example", NEW_PASSWORD).headers["location"].startswith("/admin/password")
    assert [row.actor for row in audit("api_token_created")] == ["cascade user token"]


@pytest.fixture
def sibling_directives() -> dict[str, int]:
    """A provincial plan passed on by two sibling district federations, Phong Thổ and Tam Đường, each to its own
    grassroots unions: the ids of the three directives."""
    with session_scope() as session:
        top = plant_tree(
            session,
            "LDLD_LC",
            [
                {"unit": "LDLD_PT", "status": "assigned", "below": [{"unit": "LDLD_PT_CS1", "status": "arrived"}]},
                {"unit": "LDLD_TD", "status": "assigned", "below": [{"unit": "LDLD_TD_CS1", "status": "arrived"}]},
            ],
        )
        below = session.exec(select(Directive).where(col(Directive.parent_directive_id) == top.id)).all()
        ids = {"LC": top.id} | {d.number.rsplit("-", 1)[1]: d.id for d in below}
    return {k: v for k, v in ids.items() if v is not None}


def test_a_district_supervisor_finds_nothing_of_its_sibling(
    client: TestClient, sibling_directives: dict[str, int]
) -> None:
    ids = sibling_directives
    token = add_account("giamsat.td@laichau.example", "supervisor", "LDLD_TD")
    assert log_in(client, "giamsat.td@laichau.example").status_code == 303
    unknown_unit, unknown_directive = client.get("/admin/units/KHONG_CO"), client.get("/admin/directives/999999")
    assert unknown_unit.status_code == unknown_directive.status_code == 404
    for code in ("LDLD_PT", "LDLD_PT_CS1", "LDLD_LC"):  # the sibling, below it, and the province above
        assert main_of(client.get(f"/admin/units/{code}")) == main_of(unknown_unit), code
    for directive_id in (ids["LDLD_PT"], ids["LC"]):
        for suffix in ("", "?page=2", "?status=overdue", "/export.csv", "/export.xlsx", "/document.docx"):
            answer = client.get(f"/admin/directives/{directive_id}{suffix}")
            assert main_of(answer) == main_of(unknown_directive), suffix
        assert client.get(f"/admin/directives/{directive_id}", headers=bearer(token)).status_code == 404
    # Its own: the unit, the unit below, its pass-on with the exports.
    own = ids["LDLD_TD"]
    assert client.get("/admin/units/LDLD_TD").status_code == 200
    assert client.get("/admin/units/LDLD_TD_CS1").status_code == 200
    view = client.get(f"/admin/directives/{own}")
    assert view.status_code == 200 and 'data-unit="LDLD_TD_CS1"' in view.text
    assert client.get(f"/admin/directives/{own}/export.csv").status_code == 200
    assert client.get(f"/admin/directives/{own}/export.xlsx").status_code == 200
    listing = client.get("/admin").text
    assert "9/KH-THU-LDLD_TD" in listing and "9/KH-THU-LDLD_PT" not in listing
    assert f'href="/admin/directives/{ids["LDLD_PT"]}"' not in listing
    assert f'href="/admin/directives/{ids["LC"]}"' not in listing
    # The unit's page names the province's plan it received, without a link that would only 404.
    history = client.get("/admin/units/LDLD_TD").text
    assert "9/KH-THU" in history and f'href="/admin/directives/{ids["LC"]}"' not in history
    assert 'href="/admin/units/LDLD_LC"' not in history
    # The province's admin sees both districts.
    add_account("quantri@laichau.example", "admin", "LDLD_LC")
    with TestClient(client.app, follow_redirects=False) as province:
        log_in(province, "quantri@laichau.example")
        both = province.get("/admin").text
        assert "9/KH-THU-LDLD_TD" in both and "9/KH-THU-LDLD_PT" in both
        assert province.get(f"/admin/directives/{ids['LDLD_PT']}").status_code == 200
        assert province.get("/admin/units/LDLD_PT_CS1").status_code == 200


def test_a_unit_admin_adds_accounts_within_its_subtree_and_makes_a_token(client: TestClient) -> None:
    add_account("quantri.td@laichau.example", "admin", "LDLD_TD")
    add_account("quantri.pt@laichau.example", "admin", "LDLD_PT")
    assert log_in(client, "quantri.td@laichau.example").status_code == 303
    page = client.get("/admin/users")
    assert page.status_code == 200 and "quantri.td@laichau.example" in page.text
    assert "quantri.pt@laichau.example" not in page.text  # the sibling's accounts are not listed
    assert 'value="LDLD_TD_CS1"' in page.text and 'value="LDLD_PT"' not in page.text  # units to pick: its subtree
    field = csrf_of(client, "/admin/users")
    form = {"csrf_token": field, "email": "cs1@laichau.example", "name": "Chủ tịch CĐCS", "role": "supervisor",
            "password": "mat khau ban dau 1"}  # fmt: skip
    outside = client.post("/admin/users", data=form | {"unit": "LDLD_PT_CS1"})
    assert outside.status_code == 422 and "Đơn vị không có trong phạm vi quản lý của tài khoản." in outside.text
    short = client.post("/admin/users", data=form | {"unit": "LDLD_TD_CS1", "password": "ngan"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    assert accounts() == ["quantri.pt@laichau.example", "quantri.td@laichau.example"]
    added = client.post("/admin/users", data=form | {"unit": "LDLD_TD_CS1"})
    assert added.status_code == 200 and "Đã tạo tài khoản cs1@laichau.example" in added.text
    assert "Chưa đổi mật khẩu ban đầu" in added.text and ">Theo dõi<" in added.text  # states and roles in words
    assert [(r.actor, r.unit_code) for r in audit("account_created")][-1] == (
        "quantri.td@laichau.example",
        "LDLD_TD_CS1",
    )
    again = client.post("/admin/users", data=form | {"unit": "LDLD_TD_CS1"})
    assert again.status_code == 422 and "Đã có tài khoản cs1@laichau.example" in again.text

    made = client.post("/admin/tokens", data={"csrf_token": field, "label": "bảng tính"})
    token = re.search(r'id="new-token"[^>]*>(dc_[^<]+)<', made.text)
    assert made.status_code == 200 and token, made.text[-2000:]
    assert client.get("/admin/tokens").text.count(token[1]) == 0  # shown once
    with TestClient(client.app, follow_redirects=False) as program:  # a token, no cookie
        assert program.get("/admin/units/LDLD_TD_CS1", headers=bearer(token[1])).status_code == 200
        assert program.get("/admin/units/LDLD_PT", headers=bearer(token[1])).status_code == 404
    assert [r.actor for r in audit("api_token_created")] == ["quantri.td@laichau.example"]
    with session_scope() as session:
        token_id = session.exec(select(ApiToken.id).where(ApiToken.label == "bảng tính")).one()
    assert client.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": field}).status_code == 200
    with TestClient(client.app, follow_redirects=False) as program:
        assert program.get("/admin/units/LDLD_TD_CS1", headers=bearer(token[1])).status_code == 303  # to the login

    add_account("giamsat@laichau.example", "supervisor", "LDLD_TD")
    with TestClient(client.app, follow_redirects=False) as reader:
        log_in(reader, "giamsat@laichau.example")
        assert reader.get("/admin/users").status_code == 403  # a supervisor only reads
        assert 'href="/admin/users"' not in reader.get("/admin").text
