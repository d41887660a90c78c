"""The relay's acceptance record read back (cascade.delivery.acceptance_logs): each format written by the test as
that relay writes it (a Maildir by the standard library's mailbox module, JSON lines, Postfix's mail log), then
a real send that finds rows a dead sender left in doubt and settles them from that record alone."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import os
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select, update

from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.delivery.acceptance_logs import DeliveryLogError, delivery_log_from
from cascade.delivery.mailer import send_outbox_batch
from cascade.delivery.outbox_recovery import HOST
from cascade.dev.smtp_sink import SmtpSink
from cascade.dispatch.notices import outbox_batches
from models import AuditLog, MailStatus, OutboxMessage
from tests.cascade_helpers import store_sample

A, B, C = "<notice-1.1622174400000001@laichau.example>", "<notice-2.1622174400000002@laichau.example>", "<x@y>"


def eml(message_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "no-reply@laichau.example", "ldld@laichau.example", "Kế hoạch 252"
    msg["Message-ID"] = message_id
    msg.set_content("Nội dung")
    return bytes(msg)


def test_maildir_of_eml_files_and_a_real_maildir(tmp_path: Path) -> None:
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "1.eml").write_bytes(eml(A))
    (tmp_path / "flat" / ".2.eml.tmp").write_bytes(eml(B))  # still being written: not yet accepted
    flat = delivery_log_from(f"maildir:{tmp_path / 'flat'}")
    assert flat is not None and flat.accepted({A, B, C}) == {A}
    (tmp_path / "flat" / "2.eml").write_bytes(eml(B))
    assert flat.accepted({A, B, C}) == {A, B}  # read again: the new file is found

    box = stdlib_mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(stdlib_mailbox.MaildirMessage(eml(A)))  # into new/
    read = stdlib_mailbox.MaildirMessage(eml(B))
    read.set_subdir("cur")
    box.add(read)
    log = delivery_log_from(f"maildir:{tmp_path / 'Maildir'}")
    assert log is not None and log.accepted({A, B, C}) == {A, B}


def test_json_lines_read_as_appended(tmp_path: Path) -> None:
    path = tmp_path / "accepted.jsonl"
    path.write_text(json.dumps({"message_id": A, "at": "2021-05-20T08:00:01+07:00"}) + "\n\n", encoding="utf-8")
    log = delivery_log_from(f"jsonl:{path}")
    assert log is not None and log.accepted({A, B}) == {A}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"message_id": B})[:-3])  # half a line: its writer is still writing it
    assert log.accepted({A, B}) == {A}
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"message_id": B})[-3:] + "\n")
    assert log.accepted({A, B}) == {A, B}
    path.write_text(json.dumps({"message_id": C}) + "\n", encoding="utf-8")  # truncated in place, rewritten
    assert log.accepted({C}) == {C}


@pytest.mark.parametrize(
    ("line", "error"),
    [("not json", "accepted.jsonl:2: not a JSON line"), ('{"id": "<a@b>"}', "accepted.jsonl:2: field message_id"),
     ('["<a@b>"]', "accepted.jsonl:2: field message_id"), ('{"message_id": ""}', "accepted.jsonl:2: field message_id")],
)  # fmt: skip
def test_a_bad_json_line_is_an_error_naming_its_file_line_and_field(tmp_path: Path, line: str, error: str) -> None:
    path = tmp_path / "accepted.jsonl"
    path.write_text(json.dumps({"message_id": A}) + "\n" + line + "\n", encoding="utf-8")
    log = delivery_log_from(f"jsonl:{path}")
    assert log is not None
    with pytest.raises(DeliveryLogError, match=error):
        log.accepted({A})


# What Postfix 3.x writes through syslog (and its own maillog_file): each message's smtpd, cleanup, qmgr,
# delivery and removal lines, interleaved with other sessions'.
POSTFIX_LOG = f"""\
Mar  3 09:14:02 relay postfix/smtpd[20531]: connect from worker1.laichau.example[10.0.0.21]
Mar  3 09:14:02 relay postfix/smtpd[20531]: 3F1A2C0E4B: client=worker1.laichau.example[10.0.0.21]
Mar  3 09:14:02 relay postfix/cleanup[20534]: 3F1A2C0E4B: message-id={A}
Mar  3 09:14:02 relay postfix/smtpd[20540]: NOQUEUE: reject: RCPT from worker2.laichau.example[10.0.0.22]: \
554 5.7.1 <a@gmail.com>: Relay access denied; from=<no-reply@laichau.example> to=<a@gmail.com> proto=ESMTP helo=<w2>
Mar  3 09:14:02 relay postfix/qmgr[1187]: 3F1A2C0E4B: from=<no-reply@laichau.example>, size=5123, nrcpt=1 \
(queue active)
Mar  3 09:14:02 relay postfix/smtpd[20531]: 4A7B3D0F11: client=worker1.laichau.example[10.0.0.21]
Mar  3 09:14:02 relay postfix/cleanup[20534]: 4A7B3D0F11: message-id=<refused-by-milter@laichau.example>
Mar  3 09:14:02 relay postfix/cleanup[20534]: 4A7B3D0F11: milter-reject: END-OF-MESSAGE from \
worker1.laichau.example[10.0.0.21]: 5.7.1 rejected by policy; from=<no-reply@laichau.example> \
to=<ldld@laichau.example> proto=ESMTP helo=<worker1>
Mar  3 09:14:03 relay postfix/smtp[20536]: 3F1A2C0E4B: to=<ldld.tamduong@laichau.example>, \
relay=mx.laichau.example[203.0.113.5]:25, delay=0.9, delays=0.1/0.01/0.3/0.5, dsn=2.0.0, status=sent \
(250 2.0.0 Ok: queued as 9B2D1E7A03)
Mar  3 09:14:03 relay postfix/qmgr[1187]: 3F1A2C0E4B: removed
Mar  3 09:14:03 relay postfix/smtpd[20531]: 5C0E9A1B22: client=worker1.laichau.example[10.0.0.21]
Mar  3 09:14:03 relay postfix/cleanup[20534]: 5C0E9A1B22: message-id=<lost-mid-data@laichau.example>
Mar  3 09:14:04 relay postfix/smtpd[20531]: lost connection after DATA (4096 bytes) from \
worker1.laichau.example[10.0.0.21]
Mar  3 09:14:04 relay postfix/smtpd[20531]: disconnect from worker1.laichau.example[10.0.0.21] ehlo=1 mail=2 \
rcpt=2 data=1/2 commands=6/7
"""
# The same Postfix with long queue IDs and RFC 3339 timestamps, a second instance (postfix-out) and the
# submission service, after logrotate: the cleanup line of one message is in mail.log.1, its qmgr line here.
POSTFIX_LOG_ROTATED = f"""\
2025-03-03T09:20:00.104212+07:00 relay postfix/submission/smtpd[20601]: 4Qh2Kd0ZxKz9sTb: \
client=worker1.laichau.example[10.0.0.21], sasl_method=PLAIN, sasl_username=cascade
2025-03-03T09:20:00.105977+07:00 relay postfix-out/cleanup[20602]: 4Qh2Kd0ZxKz9sTb: message-id={B}
"""
POSTFIX_LOG_NOW = """\
2025-03-03T09:20:00.211034+07:00 relay postfix-out/qmgr[1190]: 4Qh2Kd0ZxKz9sTb: from=<no-reply@laichau.example>, \
size=6001, nrcpt=1 (queue active)
"""


def test_postfix_mail_log(tmp_path: Path) -> None:
    log_path = tmp_path / "mail.log"
    log_path.write_text(POSTFIX_LOG, encoding="utf-8")
    log = delivery_log_from(f"postfix:{log_path}")
    asked = {A, B, "<refused-by-milter@laichau.example>", "<lost-mid-data@laichau.example>"}
    assert log is not None and log.accepted(asked) == {A}

    (tmp_path / "mail.log.1").write_text(POSTFIX_LOG + POSTFIX_LOG_ROTATED, encoding="utf-8")
    log_path.write_text(POSTFIX_LOG_NOW[:40], encoding="utf-8")  # rotated; syslog is mid-line
    rotated = delivery_log_from(f"postfix:{log_path}")
    assert rotated is not None and rotated.accepted(asked) == {A}  # B cleaned up, not yet queued
    log_path.write_text(POSTFIX_LOG_NOW, encoding="utf-8")
    assert rotated.accepted(asked) == {A, B}


def test_a_queue_id_used_again_names_only_its_own_message(tmp_path: Path) -> None:
    reused = tmp_path / "mail.log"
    reused.write_text(
        f"Mar  3 10:00:00 relay postfix/cleanup[1]: 3F1A2C0E4B: message-id={A}\n"
        "Mar  3 10:00:00 relay postfix/cleanup[1]: 3F1A2C0E4B: reject: header Subject: x; from=<a@b> to=<c@d>\n"
        f"Mar  3 11:00:00 relay postfix/cleanup[1]: 3F1A2C0E4B: message-id={B}\n"
        "Mar  3 11:00:00 relay postfix/qmgr[2]: 3F1A2C0E4B: from=<no-reply@laichau.example>, size=1, nrcpt=1\n",
        encoding="utf-8",
    )
    log = delivery_log_from(f"postfix:{reused}")
    assert log is not None and log.accepted({A, B}) == {B}


@pytest.mark.parametrize(
    ("spec", "error"),
    [("/var/mail/accepted", "give the relay's record as KIND:PATH"), ("mbox:/x", "KIND one of maildir, jsonl"),
     ("jsonl:", "KIND:PATH"), ("jsonl:{tmp}/missing.jsonl", "is not a file"),
     ("maildir:{tmp}/missing", "is not a directory"), ("postfix:{tmp}", "is not a file")],
)  # fmt: skip
def test_a_bad_setting_is_refused_with_what_to_write(tmp_path: Path, spec: str, error: str) -> None:
    with pytest.raises(DeliveryLogError, match=error):
        delivery_log_from(spec.format(tmp=tmp_path))


def adapter_naming(kind: str, folder: Path, message_ids: list[str]) -> str:
    """CASCADE_DELIVERY_LOG of a relay record in `kind`'s format that names `message_ids`."""
    if kind == "maildir":
        box = stdlib_mailbox.Maildir(folder / "Maildir", create=True)
        for mid in message_ids:
            box.add(stdlib_mailbox.MaildirMessage(eml(mid)))
        return f"maildir:{folder / 'Maildir'}"
    if kind == "jsonl":
        lines = "".join(json.dumps({"message_id": mid}) + "\n" for mid in message_ids)
        (folder / "accepted.jsonl").write_text(lines, encoding="utf-8")
        return f"jsonl:{folder / 'accepted.jsonl'}"
    lines = "".join(
        f"Mar  3 09:14:0{n} relay postfix/cleanup[20534]: 3F1A2C0E{n:02d}: message-id={mid}\n"
        f"Mar  3 09:14:0{n} relay postfix/qmgr[1187]: 3F1A2C0E{n:02d}: from=<no-reply@laichau.example>, size=5123, "
        "nrcpt=1 (queue active)\n"
        for n, mid in enumerate(message_ids)
    )
    (folder / "mail.log").write_text(POSTFIX_LOG + lines, encoding="utf-8")
    return f"postfix:{folder / 'mail.log'}"


@pytest.mark.usefixtures("sample_org")
@pytest.mark.parametrize("kind", ["maildir", "jsonl", "postfix"])
def test_rows_left_in_doubt_are_settled_from_the_relays_record(
    settings: Settings, mailbox: SmtpSink, tmp_path: Path, kind: str
) -> None:
    """A sender died with 4 rows 'sending' and left no journal; the relay's record names 2 of them. The next send
    marks those 2 sent without sending them, and sends the 2 others and the rest still pending: exactly once."""
    dead = f"{HOST}:{2**22 + 17}:deadbeef0000"  # above the largest pid Linux can give (2**22): no such process
    assert not os.path.exists(f"/proc/{2**22 + 17}")
    with session_scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
        doubtful = ids[:4]
        for n, row_id in enumerate(doubtful):
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id)  # type: ignore[arg-type]
                .values(status=MailStatus.sending, claimed_by=dead, message_id=f"<in-doubt-{n}@laichau.example>")
            )  # fmt: skip
    spec = adapter_naming(kind, tmp_path, ["<in-doubt-0@laichau.example>", "<in-doubt-2@laichau.example>"])
    with_log = settings.model_copy(update={"delivery": settings.delivery.model_copy(update={"delivery_log": spec})})
    with session_scope() as session:
        counts = send_outbox_batch(session, with_log, ids)
    owed = len(ids) - 2  # all but the two the relay has
    assert (counts.in_doubt_delivered, counts.requeued, counts.in_doubt_resent, counts.sent) == (2, 2, 0, owed)
    received = [str(m.message["Message-ID"]) for m in mailbox.messages]
    assert len(received) == owed == len(set(received))
    assert "<in-doubt-0@laichau.example>" not in received and "<in-doubt-1@laichau.example>" in received
    with session_scope() as session:
        statuses = {r.status for r in session.exec(select(OutboxMessage)).all()}
        events = [a.event for a in session.exec(select(AuditLog)).all() if a.event.startswith("mail_in_doubt")]
    assert statuses == {MailStatus.sent}
    assert sorted(events) == ["mail_in_doubt_delivered"] * 2 + ["mail_in_doubt_not_delivered"] * 2


@pytest.mark.usefixtures("sample_org")
def test_a_send_with_a_bad_delivery_log_setting_changes_nothing(settings: Settings, mailbox: SmtpSink) -> None:
    with session_scope() as session:
        directive = store_sample(session, settings)
        ids = next(outbox_batches(session, directive.id, 100))
    bad = settings.model_copy(update={"delivery": settings.delivery.model_copy(update={"delivery_log": "/var/x"})})
    with session_scope() as session, pytest.raises(DeliveryLogError, match="KIND:PATH"):
        send_outbox_batch(session, bad, ids)
    with session_scope() as session:
        assert {r.status for r in session.exec(select(OutboxMessage)).all()} == {MailStatus.pending}
    assert mailbox.messages == []
