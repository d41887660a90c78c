"""Replies read as RFC 5321 and RFC 3463 mean them, and a bounce path with an end.

Only a recipient's failure bounces a notice (and tells the unit above once); a bad-address notice that bounces
is never escalated, so a tree whose issuer and root both refuse mail ends with an exact, small outbox (it
looped before: 6 notices became 37,228 rows). Real aiosmtpd servers, the SQLite file, the Prefect engine."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import col, select

from cascade.core.db import session_scope
from cascade.core.settings import Settings, get_settings, reset_settings
from cascade.delivery.mailer import send_outbox_batch
from cascade.delivery.replies import Fault, Reply, fault_of
from cascade.dispatch.notices import outbox_batches
from flows.cascade_directive import cascade_directive
from models import AuditLog, OutboxMessage
from tests.cascade_helpers import store_sample
from tests.conftest import SAMPLE_DIRECTIVE
from tests.secure_smtp import RecordingHandler, relay

ISSUER = "ldld@laichau.example"  # LDLD_LC issues 252/KH-LĐLĐ
ROOT = "tinhuy@laichau.example"  # TU_LC: the issuer's parent, a root of the tree, a recipient (superior)
TAM_DUONG = "ldld.tamduong@laichau.example"  # LDLD_TD, under the issuer
GONE = "550 5.1.1 <{addr}>: Recipient address rejected: User unknown in virtual mailbox table"

# What each reply means, from the RFCs (not from the code under test): RFC 3463's subjects (X.1 addressing,
# X.2 mailbox, X.3 mail system, X.4 routing, X.5 protocol, X.6 content, X.7 security or policy) and RFC 5321's
# basic codes to RCPT TO (550 mailbox unavailable, 551 user not local, 553 mailbox name not allowed; 552 there
# is to be treated as temporary, §4.5.3.1.10), with the replies real servers send.
READINGS = [
    (550, "5.1.1 <a@x.example>: Recipient address rejected: User unknown", "rcpt", Fault.recipient),  # Postfix
    (550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found", "rcpt", Fault.recipient),  # Exchange
    (550, "5.2.1 The email account that you tried to reach is disabled", "rcpt", Fault.recipient),  # Gmail
    (552, "5.2.2 The email account that you tried to reach is over quota", "rcpt", Fault.recipient),
    (550, "5.4.1 Recipient address rejected: Access denied", "rcpt", Fault.recipient),  # Exchange Online
    (550, "No such user here", "rcpt", Fault.recipient),  # no enhanced code
    (551, "User not local; please try <b@y.example>", "rcpt", Fault.recipient),
    (553, "mailbox name not allowed", "rcpt", Fault.recipient),
    (550, "5.1.1 user unknown", "data", Fault.recipient),  # refused after DATA, one recipient
    (452, "4.2.2 Mailbox full", "rcpt", Fault.recipient_later),
    (450, "4.2.0 Mailbox busy", "rcpt", Fault.recipient_later),
    (450, "mailbox unavailable", "rcpt", Fault.recipient_later),
    (552, "Requested mail action aborted: exceeded storage allocation", "rcpt", Fault.recipient_later),
    (530, "5.7.0 Authentication required", "mail", Fault.relay),  # aiosmtpd, Postfix with smtpd_sasl
    (530, "Must issue a STARTTLS command first", "mail", Fault.relay),
    (535, "5.7.8 Authentication credentials invalid", "auth", Fault.relay),
    (554, "5.7.1 <a@x.example>: Relay access denied", "rcpt", Fault.relay),  # Postfix
    (550, "5.7.1 Unable to relay", "rcpt", Fault.relay),  # Exchange
    (550, "relay not permitted", "rcpt", Fault.relay),  # Exim, no enhanced code
    (553, "5.1.8 <no-reply@x.example>: Sender address rejected: Domain not found", "mail", Fault.relay),
    (550, "5.1.7 Invalid sender address", "rcpt", Fault.relay),  # the sender's address, whatever the stage
    (552, "5.3.4 Message size exceeds fixed limit", "data", Fault.relay),
    (552, "5.2.3 Message length exceeds administrative limit", "data", Fault.relay),
    (554, "5.6.0 Message content rejected", "data", Fault.relay),
    (554, "Transaction failed", "rcpt", Fault.relay),  # nothing blames the address
    (550, "5.7.1 Message rejected as spam", "data", Fault.relay),
    (555, "5.5.4 Unsupported option: SMTPUTF8", "mail", Fault.relay),
    (421, "4.7.0 Too many connections, try later", "mail", Fault.relay_later),
    (451, "4.3.0 Temporary local problem", "rcpt", Fault.relay_later),
    (451, "4.4.1 No answer from host", "rcpt", Fault.relay_later),  # routing, for now
    (451, "4.7.1 Greylisted, try again", "rcpt", Fault.relay_later),
    (454, "4.7.0 Temporary authentication failure", "auth", Fault.relay_later),
    (450, "4.1.8 <no-reply@x.example>: Sender address rejected", "rcpt", Fault.relay_later),
    (451, "Requested action aborted: local error", "rcpt", Fault.relay_later),
    (550, "4.1.1 class disagrees with the basic code: the basic code counts", "rcpt", Fault.recipient),
]


@pytest.mark.parametrize(("code", "text", "stage", "fault"), READINGS)
def test_a_reply_is_the_recipients_fault_only_when_it_says_so(code: int, text: str, stage: str, fault: Fault) -> None:
    assert fault_of(Reply(code, text, stage)) is fault


def test_a_success_is_not_a_refusal() -> None:
    with pytest.raises(ValueError, match="not a refusal"):
        fault_of(Reply(250, "2.0.0 OK", "rcpt"))


def use_relay(monkeypatch: pytest.MonkeyPatch, port: int) -> Settings:
    monkeypatch.setenv("CASCADE_SMTP_PORT", str(port))
    monkeypatch.setenv("CASCADE_SMTP_SECURITY", "none")
    monkeypatch.setenv("CASCADE_RETRY_DELAYS", "[0.02, 0.05]")
    reset_settings()
    return get_settings()


def outbox() -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def refuse(handler: RecordingHandler, *addresses: str) -> None:
    handler.refuse.update({a: GONE.format(addr=a) for a in addresses})


@pytest.mark.usefixtures("sample_org")
def test_550_5_1_1_to_rcpt_bounces_that_notice_only_and_tells_the_parent_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with relay("plain") as (server, handler):
        plain = use_relay(monkeypatch, server.port)
        refuse(handler, TAM_DUONG)
        with session_scope() as session:
            directive = store_sample(session, plain)
            ids = next(outbox_batches(session, directive.id, 100))
            counts = send_outbox_batch(session, plain, ids)
    notices = len(ids)
    assert (counts.sent, counts.bounced, counts.escalated, counts.failed) == (notices, 1, 1, 0)  # N-1 + the warning
    rows = outbox()
    assert len(rows) == notices + 1
    assert [(r.kind, r.to_addr) for r in rows if r.status == "bounced"] == [("notice", TAM_DUONG)]
    (warning,) = [r for r in rows if r.kind == "bad_address"]
    assert warning.to_addr == ISSUER and warning.status == "sent"  # Tam Đường's parent
    assert Counter(m.rcpt_tos[0] for m in handler.messages)[ISSUER] == 1 and len(handler.messages) == notices


@pytest.mark.usefixtures("prefect_harness", "sample_org")
def test_when_the_issuer_and_the_root_both_refuse_mail_the_bounces_end_with_a_small_exact_outbox(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with relay("plain") as (server, handler):
        plain = use_relay(monkeypatch, server.port)
        refuse(handler, ISSUER, ROOT, TAM_DUONG)
        totals = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
        rows = outbox()
        notices = sum(r.kind == "notice" for r in rows)
        # The root's and Tam Đường's notices bounce; each is told once to the unit above (the root has none
        # above: its issuer), and those two bad-address notices to the issuer bounce in their turn, and stop.
        assert len(rows) == notices + 2 == 25
        assert Counter((r.kind, r.status) for r in rows) == {
            ("notice", "sent"): notices - 2, ("notice", "bounced"): 2, ("bad_address", "bounced"): 2,
        }  # fmt: skip
        assert {r.to_addr for r in rows if r.kind == "bad_address"} == {ISSUER}
        assert totals["bounced"] == 4 and totals["failed"] == 0 and totals["sent"] == notices - 2
        again = cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))  # a rerun: nothing more
        assert again["sent"] == again["bounced"] == 0 and len(outbox()) == 25
    with session_scope() as session:
        bounced = session.exec(select(AuditLog).where(AuditLog.event == "mail_bounced")).all()
    escalated = Counter(a.detail["escalated_to"] for a in bounced)
    assert escalated == {"LDLD_LC": 2, None: 2}  # the two notices told the issuer; the two warnings, no one
    assert len(handler.messages) == notices - 2 and plain.delivery.smtp_port == server.port


@pytest.mark.usefixtures("sample_org")
def test_a_busy_mailbox_stays_owed_while_the_others_go_and_the_rerun_delivers_it_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with relay("plain") as (server, handler):
        plain = use_relay(monkeypatch, server.port)
        handler.defer[TAM_DUONG] = 3  # "450 4.2.0 Mailbox busy" three times: more than one send's three tries
        with session_scope() as session:
            directive = store_sample(session, plain)
            ids = next(outbox_batches(session, directive.id, 100))
            first = send_outbox_batch(session, plain, ids)
            second = send_outbox_batch(session, plain, ids)
    assert (first.sent, first.failed, first.bounced) == (len(ids) - 1, 1, 0)
    assert (second.sent, second.failed, second.bounced) == (1, 0, 0)
    assert handler.rcpt_tries[TAM_DUONG] == 4 and len(handler.to(TAM_DUONG)) == 1
    assert sorted(Counter(m.message["Message-ID"] for m in handler.messages).values()) == [1] * len(ids)
