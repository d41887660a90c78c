"""Mail that real servers accept: STARTTLS or implicit TLS with a verified certificate, AUTH, and a clear stop
when any of them is wrong; the relay's own refusals stop the send and bounce nothing; DKIM, Auto-Submitted and
the sending rate as a receiving server sees them.

Real parts: aiosmtpd with a trustme certificate and AUTH required (tests/secure_smtp.py), the SQLite file, the
Prefect test server behind `cascade dispatch`. The oracle is what the server itself recorded."""

from __future__ import annotations

import base64
import email
import pickle
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import col, select
from typer.testing import CliRunner

from cascade.chasing.ladder import take_steps
from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.core.workdays import VN_TZ, work_calendar
from cascade.delivery.mailer import send_outbox_batch
from cascade.delivery.relay import RelayError
from cascade.dev.smtp_sink import SmtpSink
from cascade.dispatch.notices import outbox_batches
from models import AuditLog, OutboxMessage
from tests.cascade_helpers import plant_tree, store_sample
from tests.secure_smtp import PASSWORD, USER, Certificates, relay

# Implicit TLS wraps the connection before aiosmtpd sees it, so it cannot tell that AUTH is over TLS there.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
READY = 20.0  # seconds: a readiness bound for "stops within seconds" (it takes well under one here)


def use(monkeypatch: pytest.MonkeyPatch, **env: object) -> Settings:
    """These CASCADE_* settings from now on (None removes one); the cached settings are read again."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(f"CASCADE_{name}", raising=False)
        else:
            monkeypatch.setenv(f"CASCADE_{name}", str(value))
    reset_settings()
    return get_settings()


def outbox() -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def owed_notices(settings: Settings) -> list[int]:
    """The sample directive stored with its notices rendered into the outbox, nothing sent yet."""
    with session_scope() as session:
        directive = store_sample(session, settings)
        return [i for batch in outbox_batches(session, directive.id, 1000) for i in batch]


def send(settings: Settings, ids: list[int]) -> int:
    with session_scope() as session:
        return send_outbox_batch(session, settings, ids).sent


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return Certificates(tmp_path)


@pytest.mark.usefixtures("sample_org")
def test_starttls_with_auth_delivers_through_a_server_that_requires_both(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    with relay("starttls", certificates) as (server, handler):
        secure = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="starttls", SMTP_CA_FILE=certificates.ca_file,
                     SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD)  # fmt: skip
        ids = owed_notices(secure)
        assert send(secure, ids) == len(ids) > 20
    assert len(handler.accepted) == len(ids) and all(m.tls and m.login == USER for m in handler.accepted)
    assert sorted(Counter(handler.message_ids()).values()) == [1] * len(ids)
    assert {r.status for r in outbox()} == {"sent"}


@pytest.mark.usefixtures("sample_org")
def test_implicit_tls_delivers_like_a_provider_on_465_with_the_password_in_a_file(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates, tmp_path: Path
) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")  # a trailing newline, as `echo` writes it
    with relay("tls", certificates) as (server, handler):
        secure = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="tls", SMTP_CA_FILE=certificates.ca_file,
                     SMTP_USERNAME=USER, SMTP_PASSWORD_FILE=secret)  # fmt: skip
        ids = owed_notices(secure)
        assert send(secure, ids) == len(ids)
    assert len(handler.accepted) == len(ids) and all(m.tls and m.login == USER for m in handler.accepted)


CASES: dict[str, tuple[str, dict[str, object], list[str], dict[str, object]]] = {
    # case: (server, settings that break the send, words the error must contain, settings that fix it)
    "wrong password": ("starttls", {"SMTP_PASSWORD": "mật khẩu sai"}, ["refused the login", "535"],
                       {"SMTP_PASSWORD": PASSWORD}),
    "untrusted certificate": ("starttls", {"SMTP_CA_FILE": None},
                              ["certificate is not trusted", "CASCADE_SMTP_CA_FILE"], {"SMTP_CA_FILE": "the CA file"}),
    "no STARTTLS": ("plain", {"SMTP_USERNAME": None, "SMTP_PASSWORD": None}, ["does not offer STARTTLS"],
                    {"SMTP_SECURITY": "none"}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_a_wrong_setting_stops_the_send_at_once_and_the_fixed_dispatch_delivers_each_notice_once(
    case: str, settings: Settings, mailbox: SmtpSink, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    kind, broken, cause, fix = CASES[case]
    with relay("starttls", certificates) as (tls_server, tls_handler):
        server_port, handler = (mailbox.port, mailbox.handler) if kind == "plain" else (tls_server.port, tls_handler)
        good = {"SMTP_PORT": server_port, "SMTP_SECURITY": "starttls", "SMTP_CA_FILE": certificates.ca_file,
                "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD}  # fmt: skip
        ids = owed_notices(use(monkeypatch, **good))
        use(monkeypatch, **broken)
        started = time.monotonic()
        failed = CliRunner().invoke(app, ["dispatch"])
        assert time.monotonic() - started < READY
        assert failed.exit_code == 78, failed.output  # EX_CONFIG: a setting to fix
        for words in cause:
            assert words in " ".join(failed.output.split()), failed.output
        rows = outbox()
        assert len(rows) == len(ids) and {r.kind for r in rows} == {"notice"}  # no bad-address notice
        assert {r.status for r in rows} <= {"pending", "failed"} and not handler.messages
        with session_scope() as session:
            assert not session.exec(select(AuditLog).where(AuditLog.event == "mail_bounced")).all()

        use(monkeypatch, **{k: certificates.ca_file if v == "the CA file" else v for k, v in fix.items()})
        assert CliRunner().invoke(app, ["dispatch"]).exit_code == 0
        assert CliRunner().invoke(app, ["dispatch"]).exit_code == 0  # a second run finds nothing owed
    received = Counter(m.message["Message-ID"] for m in handler.messages)
    assert sorted(received.values()) == [1] * len(ids)
    assert set(received) == {r.message_id for r in outbox()} and {r.status for r in outbox()} == {"sent"}


RELAY_FAULTS = {
    "530 5.7.0 authentication required": ("no-login", "530 5.7.0", False),
    "554 5.7.1 relay access denied": ("554 5.7.1 <{addr}>: Relay access denied", "Relay access denied", False),
    "550 relay not permitted (no enhanced code)": ("550 relay not permitted", "550 relay not permitted", False),
    "451 4.3.0 on every try": ("451 4.3.0 Temporary local problem", "451 4.3.0", True),
    "421 4.7.0 to MAIL FROM": ("421 4.7.0 Too many messages from you, slow down", "421 4.7.0", True),
}


@pytest.mark.parametrize("case", list(RELAY_FAULTS))
@pytest.mark.usefixtures("sample_org")
def test_the_relays_refusals_are_retried_then_stop_the_send_and_bounce_nothing(
    case: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    fault, words, temporary = RELAY_FAULTS[case]
    kind = "starttls" if fault == "no-login" else "plain"
    with relay(kind, certificates) as (server, handler):
        quick = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="starttls" if kind == "starttls" else "none",
                    SMTP_CA_FILE=certificates.ca_file, RETRY_DELAYS="[0.05, 0.1]")  # fmt: skip
        ids = owed_notices(quick)
        addresses = {r.to_addr.lower() for r in outbox()}
        if fault.startswith("421"):
            handler.refuse_mail = fault  # the relay refuses MAIL FROM itself
        elif fault != "no-login":  # no-login: a relay that wants AUTH, and no CASCADE_SMTP_USERNAME
            handler.refuse.update({a: fault.format(addr=a) for a in addresses})
        started = time.monotonic()
        with pytest.raises(RelayError) as stopped:
            send(quick, ids)
        assert time.monotonic() - started < READY
    assert words in str(stopped.value) and "nothing was bounced" in str(stopped.value)
    assert stopped.value.temporary is temporary
    rows = outbox()
    assert len(rows) == len(ids) and {r.kind for r in rows} == {"notice"}  # no bad-address notice
    assert {r.status for r in rows} == {"failed"} and all(words in (r.last_error or "") for r in rows)
    assert not handler.messages
    with session_scope() as session:
        assert not session.exec(select(AuditLog).where(AuditLog.event == "mail_bounced")).all()
    if handler.rcpt_tries:  # retried with backoff first: three tries of a row, then the send stopped
        assert 3 in handler.rcpt_tries.values() and set(handler.rcpt_tries.values()) <= {1, 2, 3}


def rsa_key(folder: Path) -> tuple[Path, bytes]:
    """A fresh 2048-bit key: its PEM file, and the TXT record that publishes its public half."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = folder / "dkim.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))  # fmt: skip
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.mark.usefixtures("sample_org")
def test_dkim_signatures_verify_on_what_the_server_received(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates, tmp_path: Path
) -> None:
    pem, record = rsa_key(tmp_path)
    published = {b"cascade2021._domainkey.laichau.example.": record}

    def dns(name: bytes, timeout: int = 5) -> bytes | None:  # the DNS a receiving server would ask
        return published.get(name)

    with relay("starttls", certificates) as (server, handler):
        signing = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="starttls", SMTP_CA_FILE=certificates.ca_file,
                      SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD, DKIM_SELECTOR="cascade2021",
                      DKIM_DOMAIN="laichau.example", DKIM_KEY_FILE=pem)  # fmt: skip
        ids = owed_notices(signing)
        assert send(signing, ids) == len(ids)
    raws = [m.raw for m in handler.accepted]
    assert len(raws) == len(ids) and all(raw.startswith(b"DKIM-Signature: ") for raw in raws)
    assert all(dkim.verify(raw, dnsfunc=dns) for raw in raws)
    # The check can fail: a changed subject, or another key published under the selector, does not verify.
    tampered = raws[0].replace(b"\r\nSubject: ", b"\r\nSubject: =?utf-8?b?VGjDtG5nIGLDoW8=?= ", 1)
    assert tampered != raws[0] and not dkim.verify(tampered, dnsfunc=dns)
    (tmp_path / "other").mkdir()
    published[b"cascade2021._domainkey.laichau.example."] = rsa_key(tmp_path / "other")[1]
    assert not dkim.verify(raws[0], dnsfunc=dns)


@pytest.mark.usefixtures("sample_org")
def test_a_dkim_key_that_cannot_sign_stops_before_anything_is_claimed(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mailbox: SmtpSink
) -> None:
    ids = owed_notices(settings)
    (tmp_path / "broken.pem").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    broken = use(monkeypatch, DKIM_SELECTOR="s", DKIM_DOMAIN="laichau.example", DKIM_KEY_FILE=tmp_path / "broken.pem")
    with pytest.raises(RelayError, match="CASCADE_DKIM_KEY_FILE=.*broken.pem"):
        send(broken, ids)
    assert {r.status for r in outbox()} == {"pending"} and not mailbox.messages


@pytest.mark.usefixtures("sample_org")
def test_reminders_digests_and_escalations_are_marked_auto_submitted_and_notices_are_not(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    with relay("starttls", certificates) as (server, handler):
        secure = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="starttls", SMTP_CA_FILE=certificates.ca_file,
                     SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD)  # fmt: skip
        send(secure, owed_notices(secure))
        with session_scope() as session:
            late = [{"unit": code, "status": "arrived"} for code in ("LDLD_TD", "LDLD_PT", "CDN_GD")]
            plant_tree(session, "LDLD_LC", late)
        day = date(2021, 5, 20)
        while day < date(2021, 6, 12):  # the monitor at 08:00 every day: due, parent, escalate steps
            with session_scope() as session:
                take_steps(session, secure, datetime.combine(day, clock(8), VN_TZ), work_calendar(secure))
            day += timedelta(days=1)
        send(secure, [r.id for r in outbox() if r.status == "pending" and r.id is not None])
    marks: dict[str, set[str | None]] = {}
    for message in handler.messages:
        kind = message.message["X-Cascade-Key"].split(":")[0]
        marks.setdefault(kind, set()).add(message.message["Auto-Submitted"])
    assert marks == {"notice": {None}, "remind": {"auto-generated"}, "digest": {"auto-generated"},
                     "escalation": {"auto-generated"}}  # fmt: skip


@pytest.mark.usefixtures("sample_org")
def test_the_sender_keeps_to_the_rate_over_all_its_connections(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    with relay("starttls", certificates) as (server, handler):
        paced = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="starttls", SMTP_CA_FILE=certificates.ca_file,
                    SMTP_USERNAME=USER, SMTP_PASSWORD=PASSWORD, RATE_PER_MINUTE=600, SMTP_CONNECTIONS=3)  # fmt: skip
        ids = owed_notices(paced)[:20]
        assert send(paced, ids) == 20
    starts = sorted(handler.mail_at)  # when the server saw each MAIL FROM
    assert len(starts) == 20 and len(handler.accepted) == 20
    # 600 a minute: one every 0.1 s, whatever the three connections do; three at once would start together.
    # Over 5 messages the spacing shows through the jitter of the server's own event loop.
    assert starts[-1] - starts[0] >= 19 * 0.1 * 0.95, starts
    assert min(b - a for a, b in zip(starts, starts[4:], strict=False)) >= 4 * 0.1 * 0.8, starts
    assert len({m.peer for m in handler.messages}) <= 3  # the connection cap


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_with_a_relay_limit_two_send_batch_runs_at_once_take_turns_and_keep_the_rate_for_the_relay(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate

    from tasks.dispatch import send_batch_task

    name = f"smtp-relay-{uuid.uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))

    def spans(limit: str | None) -> list[tuple[float, float]]:
        """Two send-batch runs of 5 notices each at once; when each one's first and last message arrived."""
        with relay("plain") as (server, handler):
            paced = use(monkeypatch, SMTP_PORT=server.port, SMTP_SECURITY="none", RATE_PER_MINUTE=600,
                        SMTP_RELAY_LIMIT=limit)  # fmt: skip
            with session_scope() as session:
                ids = [r.id for r in session.exec(select(OutboxMessage).where(OutboxMessage.status == "pending"))]
            halves = [ids[:5], ids[5:10]]
            with ThreadPoolExecutor(max_workers=2) as pool:
                sent = [c.sent for c in pool.map(lambda half: send_batch_task(message_ids=half), halves)]
            assert sent == [5, 5] and paced.delivery.rate_per_minute == 600
        keys = {r.key: i for i, half in enumerate(halves) for r in outbox() if r.id in half}
        times: dict[int, list[float]] = {0: [], 1: []}
        for accepted in handler.accepted:
            key = email.message_from_bytes(accepted.raw)["X-Cascade-Key"]
            times[keys[key]].append(accepted.at)
        return sorted((min(t), max(t)) for t in times.values())

    owed_notices(settings)
    first, second = spans(name)
    assert first[1] < second[0]  # one after the other: the relay saw one sender at a time
    first, second = spans(None)  # the control: without the limit the two senders overlap (twice the rate)
    assert second[0] < first[1]


MISTAKES: dict[str, tuple[dict[str, object], str]] = {
    # case: (settings on top of a good STARTTLS setup, words the error must contain)
    "TLS towards a STARTTLS port": ({"SMTP_SECURITY": "tls"}, "TLS handshake failed"),
    "STARTTLS towards port 465": ({"SMTP_PORT": 465}, "port 465 is implicit TLS; set CASCADE_SMTP_SECURITY=tls"),
    "a login over plain text": ({"SMTP_SECURITY": "none"}, "offers no login (AUTH)"),
    "a user without a password": ({"SMTP_PASSWORD": None}, "but no password"),
    "a password file that is missing": ({"SMTP_PASSWORD": None, "SMTP_PASSWORD_FILE": "/nonexistent/smtp-password"},
                                        "CASCADE_SMTP_PASSWORD_FILE=/nonexistent/smtp-password: cannot read it"),
    "both a password and a file": ({"SMTP_PASSWORD_FILE": "/etc/hostname"}, "not both"),
    "a CA file that is missing": ({"SMTP_CA_FILE": "/nonexistent/ca.pem"}, "CASCADE_SMTP_CA_FILE=/nonexistent/ca.pem"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MISTAKES))
@pytest.mark.usefixtures("sample_org")
def test_each_mistake_in_the_mail_settings_stops_at_once_with_its_cause_and_bounces_nothing(
    case: str, settings: Settings, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
) -> None:
    changes, words = MISTAKES[case]
    with relay("starttls", certificates) as (server, handler):
        good = {"SMTP_PORT": server.port, "SMTP_SECURITY": "starttls", "SMTP_CA_FILE": certificates.ca_file,
                "SMTP_USERNAME": USER, "SMTP_PASSWORD": PASSWORD}  # fmt: skip
        ids = owed_notices(use(monkeypatch, **good))
        wrong = use(monkeypatch, **changes)
        started = time.monotonic()
        with pytest.raises(RelayError) as stopped:
            send(wrong, ids)
        assert time.monotonic() - started < READY
    assert words in str(stopped.value) and not stopped.value.temporary
    assert PASSWORD not in str(stopped.value)
    rows = outbox()
    assert {r.status for r in rows} <= {"pending", "failed"} and {r.kind for r in rows} == {"notice"}
    assert not handler.messages


def test_a_relay_error_crosses_a_process_pool_whole() -> None:
    # A send-batch run in a process pool (CASCADE_DISPATCH_PROCESSES > 1) hands its error back pickled: whether
    # it is temporary decides whether Prefect retries it.
    for temporary in (True, False):
        again = pickle.loads(pickle.dumps(RelayError("the mail relay kept answering 451 4.3.0", temporary=temporary)))
        assert str(again) == "the mail relay kept answering 451 4.3.0" and again.temporary is temporary


def test_prefect_retries_send_batch_only_when_the_relay_may_take_the_mail_later() -> None:
    from prefect.states import Failed

    from tasks.dispatch import _worth_retrying

    assert _worth_retrying(None, None, Failed(data=RelayError("451 4.3.0 kept answering", temporary=True)))
    assert not _worth_retrying(None, None, Failed(data=RelayError("535 5.7.8 refused the login")))
    assert _worth_retrying(None, None, Failed(data=ConnectionRefusedError("no relay there")))
