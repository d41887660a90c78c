"""What the document carried in every notice costs a dispatch (not part of the test suite).

    .venv/bin/python -m bench.document_send [--units 2000] [--baseline DIR] [--workdir bench-out/document]

One generated tree (`cascade org generate`), imported once; each run dispatches a directive to every unit of it
through the real `cascade-directive` flow in a child process (bench.engine_run, its own Prefect home) to the
counting sink, on a fresh copy of the database:

- plain: the generated directive (a two-line body, no original);
- document: the same directive with Plan 252/KH-LĐLĐ's whole body (examples/252-KH-LDLD.yaml);
- document + original: and a 40 KB signed PDF attached to every notice.

With --baseline (a checkout of the code before the document travelled, e.g. `git archive HEAD`), the plain run
is made with that code too. Figures: notices/s, CPU per notice in the dispatch process, message size."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bench.scale import PROJECT, _raw, child_env, prepare
from bench.sink import CountingSink

SEED = PROJECT / "examples" / "252-KH-LDLD.yaml"


def pdf_of(size: int) -> bytes:
    """A PDF of about `size` bytes (its first bytes are what the check reads; a comment fills the rest)."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    tail = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return head + b"%" + b"x" * max(0, size - len(head) - len(tail) - 1) + tail


def variant(directive: Path, workdir: Path, name: str, body: bool, original: int) -> Path:
    spec = yaml.safe_load(directive.read_text(encoding="utf-8"))
    if body:
        spec["body"] = yaml.safe_load(SEED.read_text(encoding="utf-8"))["body"]
    if original:
        (workdir / f"{name}.pdf").write_bytes(pdf_of(original))
        spec["original"] = f"{name}.pdf"
    out = workdir / f"{name}.yaml"
    out.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


def import_with(code: Path, org: Path, db: Path) -> None:
    """The tree imported into a database of that code's own schema (the baseline's is older)."""
    env = {**os.environ, "CASCADE_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(code)}
    subprocess.run([sys.executable, "-m", "cascade.cli", "org", "import", str(org)], env=env, cwd=code, check=True,
                   capture_output=True)  # fmt: skip


def run(sink: CountingSink, db: Path, directive: Path, workdir: Path, name: str, code: Path) -> dict[str, Any]:
    copy = workdir / f"{name}.db"
    shutil.copy(db, copy)
    env = child_env(copy, sink.port, workdir / f"prefect-{name}")
    # The counting sink is a local relay without TLS (newer code refuses to send in clear unless told).
    env.update(PYTHONPATH=str(code), CASCADE_DATA_DIR=str(workdir / f"data-{name}"), CASCADE_SMTP_SECURITY="none")
    before = sink.count
    # Run from the checkout itself: `python -m` puts the working directory first on the path.
    done = subprocess.run([sys.executable, "-m", "bench.engine_run", str(directive)], env=env, cwd=code,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    sent = int(result["totals"]["sent"])
    assert sink.count - before == sent, (sink.count - before, sent)
    row: dict[str, Any] = {"name": name, "sent": sent, "rate": sent / result["seconds"],
                           "cpu_ms": result["cpu_seconds"] / sent * 1000,
                           "kib_written": result["written_mib"] * 1024 / sent}  # fmt: skip
    if code == PROJECT:
        message, row["build_us"], row["whole_us"] = sample(copy)
        row["bytes"] = len(message)
        # A bare aiosmtplib sender with the same message: the wire's own cost of its size, on this machine now.
        row["raw"] = 2000 / asyncio.run(_raw(sink.port, message, 2000, 4))
    return row


def sample(db: Path, count: int = 300) -> tuple[bytes, float, float]:
    """(the first notice's bytes, µs to build one as the sender does, µs to build one encoding its whole body and
    its attachment anew): what encoding the shared document once per call saves."""
    from sqlalchemy import text
    from sqlmodel import Session, select

    from bench.scale import SECRET
    from cascade.core.db import get_engine
    from cascade.core.settings import Settings, WebSettings
    from cascade.delivery.mailmessage import DOCUMENT_MARKER, build_email, message_id_for
    from cascade.delivery.mime import attachment_part, mime_bytes
    from cascade.delivery.outbox_store import load_mail
    from cascade.delivery.shared_documents import SharedDocuments
    from cascade.documents.originals import read_original
    from models import MailDocument

    settings = Settings(web=WebSettings(secret_key=SECRET))
    settings.documents.data_dir = str(db.with_name(f"data-{db.stem}"))
    with Session(get_engine(f"sqlite:///{db}")) as session:
        ids = list(session.execute(text("SELECT id FROM outboxmessage ORDER BY id LIMIT :n"), {"n": count}).scalars())
        mails = [load_mail(session, i) for i in ids]
        documents = SharedDocuments(settings.documents)
        documents.load(session, [m.document_id for m in mails])
        shared = {d.id: d for d in session.exec(select(MailDocument)).all()}
    started = time.perf_counter()
    built = [build_email(settings, m, documents.of(m.document_id)) for m in mails]
    spliced = (time.perf_counter() - started) / len(mails) * 1e6
    started = time.perf_counter()
    for m in mails:
        doc = shared[m.document_id] if m.document_id else None
        files = [attachment_part(a["name"], a["mime"], read_original(settings.documents, a["sha256"]))
                 for a in (doc.attachments if doc else [])]  # fmt: skip
        mime_bytes(sender=settings.delivery.mail_from, sender_name=m.from_name, to_addr=m.to_addr, to_name=m.to_name,
                   subject=m.subject, text=m.body_text.replace(DOCUMENT_MARKER, doc.body_text if doc else ""),
                   html=m.body_html.replace(DOCUMENT_MARKER, doc.body_html if doc else ""),
                   headers={"Message-ID": message_id_for(m, settings)}, attachments=files)  # fmt: skip
    whole = (time.perf_counter() - started) / len(mails) * 1e6
    return built[0], spliced, whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2_000, help="grassroots units of the generated tree")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code before, for the plain run")
    parser.add_argument("--original-kib", type=int, default=40)
    parser.add_argument("--workdir", type=Path, default=PROJECT / "bench-out" / "document")
    opts = parser.parse_args()
    workdir = opts.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    print(f"bench.document_send on {os.cpu_count()} cores (shared: figures are noisy)")
    org, directive, db = prepare(workdir, "tree", opts.units)
    runs = [("plain", False, 0), ("document", True, 0), ("document+original", True, opts.original_kib * 1024)]
    rows = []
    with CountingSink() as sink:
        if opts.baseline:
            before = workdir / "tree-before.db"
            import_with(opts.baseline.resolve(), org, before)
            rows.append(run(sink, before, directive, workdir, "plain-before", opts.baseline.resolve()))
        for name, body, original in runs:
            rows.append(run(sink, db, variant(directive, workdir, name, body, original), workdir, name, PROJECT))
    print(f"{'run':<18} {'notices':>7} {'notices/s':>9} {'raw msg/s':>9} {'engine/raw':>10} {'CPU ms':>7} "
          f"{'msg bytes':>9} {'build µs':>8} {'anew µs':>8}")  # fmt: skip
    for r in rows:
        raw = r.get("raw") or 0.0
        ratio = r["rate"] / raw if raw else 0.0
        size, build, whole = r.get("bytes", 0), r.get("build_us", 0.0), r.get("whole_us", 0.0)
        print(f"{r['name']:<18} {r['sent']:>7,} {r['rate']:>9.0f} {raw:>9.0f} {ratio:>10.2f} {r['cpu_ms']:>7.2f} "
              f"{size:>9,} {build:>8.0f} {whole:>8.0f}")  # fmt: skip
    print("CPU ms: per notice in the dispatch process; build µs: one message as the sender builds it (the document's")
    print("base64 and the attachment made once per call); anew µs: the same message encoded whole each time.")


if __name__ == "__main__":
    main()
