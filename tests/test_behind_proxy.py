"""`cascade web` as an operator runs it: its own listen address, Debian's nginx in front with the configuration of
docs/nginx/cascade.conf, proxy headers believed only from the configured proxy, bodies bounded before they are
read, security headers, tokens kept out of the access log, console logins throttled, the session cookie Secure
behind https.

The app runs as a real `cascade web` process (so its memory and its temporary folder can be measured from
outside), nginx as a real nginx process with a trustme certificate."""

from __future__ import annotations

import os
import re
import select
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
import trustme
from sqlmodel import select as sql_select

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.links import forms_in
from cascade.dev.topology import wait_until
from cascade.dispatch.tokens import Purpose, expiry_for, make_token
from models import Acknowledgement
from tests.accounts_helpers import add_account, log_in
from tests.cascade_helpers import assignment_id_of, store_sample, with_web
from tests.conftest import PROJECT, free_port

pytestmark = pytest.mark.usefixtures("sample_org")
CASCADE = str(Path(sys.executable).with_name("cascade"))
FAR = expiry_for(date(2099, 1, 1), 0)
MB = 1024 * 1024
ADMIN = "quantri@laichau.example"


@dataclass
class App:
    url: str
    process: subprocess.Popen[bytes]
    spool: Path
    log: Path

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]

    def spooled_bytes(self) -> int:
        """Bytes in the app's temporary folder, and in files it holds open there though deleted."""
        on_disk = sum(p.stat().st_size for p in self.spool.rglob("*") if p.is_file())
        held = 0
        for fd in Path(f"/proc/{self.process.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
                if target.startswith(str(self.spool)):
                    held += os.stat(fd).st_size
            except OSError:
                continue
        return on_disk + held


def start_app(settings: Settings, tmp_path: Path, **env: str) -> Iterator[App]:
    port = free_port()
    spool = tmp_path / "spool"
    spool.mkdir(exist_ok=True)
    log = tmp_path / f"web-{port}.log"
    environment = {**os.environ, "TMPDIR": str(spool), **env}
    with log.open("wb") as out:
        process = subprocess.Popen([CASCADE, "web", "--host", "127.0.0.1", "--port", str(port)], cwd=PROJECT,
                                   env=environment, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(url), "cascade web to answer", 30, process=process)
        yield App(url, process, spool, log)
    finally:
        process.terminate()
        process.wait(10)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def assignment_id(settings: Settings) -> int:
    with session_scope() as session:
        store_sample(session)
        return assignment_id_of(session, "LDLD_TD")


@pytest.fixture
def app(settings: Settings, tmp_path: Path, assignment_id: int) -> Iterator[App]:
    # The public URL is the proxy's (https, another port): the app listens where --host/--port say.
    yield from start_app(settings, tmp_path, CASCADE_PUBLIC_URL="https://cascade.example.vn")


def token(settings: Settings, assignment_id: int, key: str | None = None) -> str:
    signer = with_web(settings, secret_key=key) if key else settings
    return make_token(signer, assignment_id, Purpose.ack, FAR)


def stream_post(url: str, path: str, total: int, chunked: bool) -> tuple[int, int]:
    """POST `total` bytes, stopping as soon as the server answers; returns (status, bytes sent)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"
            f"{framing}\r\n\r\n")  # fmt: skip
    sock.sendall(head.encode())
    # A well-formed start of a multipart file field, then its content for ever: the parser never has a reason
    # to stop early, only the limit does.
    preamble = b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n'
    sock.sendall(f"{len(preamble):x}\r\n".encode() + preamble + b"\r\n" if chunked else preamble)
    block, sent = b"x" * (256 * 1024), len(preamble)
    try:
        while sent < total and not select.select([sock], [], [], 0)[0]:
            data = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
            sock.sendall(data)
            sent += len(block)
    except OSError:  # the server answered and closed while we were still sending
        pass
    response = b""
    try:
        while b"\r\n" not in response:
            part = sock.recv(65536)
            if not part:
                break
            response += part
    except OSError:
        pass
    sock.close()
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0, sent


# A declared 200 MB is refused for its size (413) before the link is even looked at; a chunked body declares
# nothing, so the forged link is what refuses it (403), before its first byte is read.
@pytest.mark.parametrize("chunked, refusal", [(False, 413), (True, 403)], ids=["content-length", "chunked"])
def test_200_mb_to_a_forged_link_is_refused_before_it_is_read(
    app: App, settings: Settings, assignment_id: int, chunked: bool, refusal: int
) -> None:
    forged = token(settings, assignment_id, key="attacker-key-0123456789")
    rss, spooled = app.rss_kib(), app.spooled_bytes()
    status, sent = stream_post(app.url, f"/u/{forged}/ack", 200 * MB, chunked)
    assert status == refusal
    assert sent < 200 * MB  # it stopped listening long before the end
    assert app.spooled_bytes() == spooled == 0
    assert app.rss_kib() - rss < 20 * 1024  # not the body in memory either


def test_a_body_past_the_limit_to_a_good_link_is_413_and_leaves_nothing(
    app: App, settings: Settings, assignment_id: int
) -> None:
    good = token(settings, assignment_id)
    # /ack reads its form in a dependency; /refuse and /author have FastAPI parse Form() parameters.
    for action in ("ack", "refuse", "author"):
        declared, _ = stream_post(app.url, f"/u/{good}/{action}", 200 * MB, chunked=False)
        streamed, _ = stream_post(app.url, f"/u/{good}/{action}", 200 * MB, chunked=True)
        assert (action, declared, streamed) == (action, 413, 413)
    # what was spooled of the refused bodies is closed when each request ends, which may be just after its answer
    wait_until(lambda: app.spooled_bytes() == 0, "the refused bodies' spool files to be closed", 10)
    with session_scope() as session:
        assert session.exec(sql_select(Acknowledgement)).all() == []


def test_spooled_uploads_are_closed_at_the_end_of_each_request(
    app: App, settings: Settings, assignment_id: int
) -> None:
    link = f"{app.url}/u/{token(settings, assignment_id)}"
    with httpx.Client(timeout=60) as client:
        fields = forms_in(client.get(link).text)[0]["fields"]
        for _ in range(5):
            # A file field the route does not want: parsed (and spooled to disk) by the form parser all the same.
            posted = client.post(f"{link}/ack", data=fields, files={"junk": ("a.bin", b"\0" * (8 * MB))})
            assert posted.status_code in (200, 409)
            # closed when the request ends (the dependency's exit may run just after the answer is sent)
            wait_until(lambda: app.spooled_bytes() == 0, "the spooled upload to be closed", 10)


def test_pages_carry_the_security_headers_and_the_log_no_token(
    app: App, settings: Settings, assignment_id: int
) -> None:
    good = token(settings, assignment_id)
    page = httpx.get(f"{app.url}/u/{good}")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in csp
        and "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text  # the CSP allows no inline script: the pages must need none
    wait_until(lambda: "/u/…" in app.log.read_text(), "the access log line", 10)
    assert good not in app.log.read_text()


def test_proxy_headers_are_believed_only_from_the_configured_proxy(
    settings: Settings, tmp_path: Path, assignment_id: int
) -> None:
    def acknowledge_from(app: App, code: str) -> str | None:
        with session_scope() as session:
            link = f"{app.url}/u/{token(settings, assignment_id_of(session, code))}"
        with httpx.Client() as client:
            fields = forms_in(client.get(link).text)[0]["fields"]
            client.post(f"{link}/ack", data=fields, headers={"X-Forwarded-For": "6.6.6.6"})
        with session_scope() as session:
            return session.exec(
                sql_select(Acknowledgement.remote_addr).where(
                    Acknowledgement.assignment_id == assignment_id_of(session, code)
                )
            ).one()

    for app in start_app(settings, tmp_path):  # no trusted proxy: the connection's address
        assert acknowledge_from(app, "LDLD_TD") == "127.0.0.1"
    for app in start_app(settings, tmp_path, CASCADE_TRUSTED_PROXIES="127.0.0.1"):
        assert acknowledge_from(app, "LDLD_PT") == "6.6.6.6"


def test_console_login_is_throttled_and_failures_logged(settings: Settings, tmp_path: Path) -> None:
    add_account(ADMIN, "admin", "LDLD_LC")
    for app in start_app(settings, tmp_path):  # an http public URL: the CSRF cookie comes back over plain http
        with httpx.Client(base_url=app.url) as client:
            tries = [log_in(client, ADMIN, f"doan sai lan {i}").status_code for i in range(5)]
            assert tries == [401] * 5
            locked = log_in(client, ADMIN)  # the right password, refused while locked
            assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
            assert "cascade_session" not in client.cookies
        log = app.log
        wait_until(lambda: log.read_text().count("console login failed from 127.0.0.1") == 5, "five failures", 10)  # noqa: B023


def test_behind_nginx_with_the_documented_configuration(settings: Settings, tmp_path: Path, assignment_id: int) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("cascade.example.vn", "127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    https_port, http_port = free_port(), free_port()
    add_account(ADMIN, "admin", "LDLD_LC")
    for app in start_app(settings, tmp_path, CASCADE_PUBLIC_URL=f"https://127.0.0.1:{https_port}",
                         CASCADE_TRUSTED_PROXIES="127.0.0.1"):  # fmt: skip
        with nginx(tmp_path, app.url, http_port, https_port):
            base = f"https://127.0.0.1:{https_port}"
            link = f"{base}/u/{token(settings, assignment_id)}"
            trust = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
            with httpx.Client(verify=trust, timeout=60, base_url=base) as client:
                page = client.get(link)
                assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
                assert "Secure" in page.headers["set-cookie"]  # https public URL: the CSRF cookie is Secure
                fields = forms_in(page.text)[0]["fields"]
                assert client.post(f"{link}/ack", data=fields).status_code == 200
                too_big = client.post(f"{link}/ack", content=b"x" * (60 * MB),
                                      headers={"content-type": "application/octet-stream"})  # fmt: skip
                assert too_big.status_code == 413  # nginx's client_max_body_size, before the app
                signed_in = log_in(client, ADMIN)  # through nginx, over https
                assert signed_in.status_code == 303 and signed_in.headers["location"] == "/admin"
                cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("cascade_session="))
                assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
                assert client.get("/admin").status_code == 200  # the Secure cookie comes back over https
            redirect = httpx.get(f"http://127.0.0.1:{http_port}/u/x", follow_redirects=False)
            assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")
        with session_scope() as session:
            # nginx's X-Forwarded-For, believed: the client's address as nginx saw it
            assert session.exec(sql_select(Acknowledgement.remote_addr)).one() == "127.0.0.1"


class nginx:  # noqa: N801 - used as a context manager, like open()
    """Debian's nginx serving docs/nginx/cascade.conf, its ports, certificate and upstream made the test's."""

    def __init__(self, tmp_path: Path, upstream: str, http_port: int, https_port: int) -> None:
        site = (PROJECT / "docs" / "nginx" / "cascade.conf").read_text()
        replacements = {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
            "/etc/ssl/cascade/fullchain.pem": str(tmp_path / "server.pem"),
            "/etc/ssl/cascade/privkey.pem": str(tmp_path / "server.pem"),
            "http://127.0.0.1:8000": upstream,
        }
        for old, new in replacements.items():
            assert old in site, f"docs/nginx/cascade.conf no longer has {old!r}"
            site = site.replace(old, new)
        root = tmp_path / "nginx"
        root.mkdir()
        (root / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = " ".join(f"{k}_temp_path {root}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (root / "nginx.conf").write_text(
            f"{user}daemon off;\npid {root}/nginx.pid;\nerror_log {root}/error.log;\nevents {{}}\n"
            f"http {{\n {temp}\n include {root}/site.conf;\n}}\n"
        )
        self.root, self.https_port = root, https_port

    def __enter__(self) -> nginx:
        self.process = subprocess.Popen(["nginx", "-c", str(self.root / "nginx.conf"), "-p", str(self.root)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
        wait_until(lambda: _listening(self.https_port), "nginx to listen", 15, process=self.process)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0
