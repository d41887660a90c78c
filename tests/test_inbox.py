"""The local inbox: the sink's .eml files listed by `cascade inbox` and served at /inbox, links that work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cascade.cli.main import app
from cascade.core.db import session_scope
from cascade.core.settings import Settings
from cascade.dev.inbox import list_messages
from cascade.dev.inbox_pages import create_app_with_inbox
from cascade.dev.links import confirm_receipt
from cascade.dev.smtp_sink import SmtpSink
from cascade.dev.webserver import BackgroundServer
from flows.cascade_directive import cascade_directive
from models import Acknowledgement
from tests.cascade_helpers import with_web
from tests.conftest import SAMPLE_DIRECTIVE

pytestmark = pytest.mark.usefixtures("prefect_harness", "sample_org")


@pytest.fixture
def maildir(mailbox: SmtpSink, tmp_path: Path) -> Iterator[Path]:
    """The real sink writes what it receives as .eml files here, as the demo's does."""
    folder = tmp_path / "mail"
    mailbox.handler.maildir = folder
    yield folder
    mailbox.handler.maildir = None


def test_cli_lists_the_received_mail_with_links(settings: Settings, maildir: Path) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    messages = list_messages(maildir)
    # 24 recipients, less the drafting department ("Lưu: VT, TgNc")
    assert len(messages) == 23 and all("/u/" in m.links[0] for m in messages)
    assert sum(1 for m in messages if any("/r/" in link for link in m.links)) == 14  # units that report
    assert any(m.to == "Tỉnh ủy Lai Châu <tinhuy@laichau.example>" for m in messages), [m.to for m in messages][:3]
    result = CliRunner().invoke(app, ["inbox", "--dir", str(maildir)])
    assert result.exit_code == 0, result.output
    assert "23 message(s)" in result.output and "Liên đoàn Lao động huyện Tam Đường" in result.output
    assert messages[0].links[0] in result.output.replace("\n", "")
    empty = CliRunner().invoke(app, ["inbox", "--dir", str(maildir / "none")])
    assert empty.exit_code == 1 and "No mail" in empty.output


def test_inbox_page_shows_the_mail_and_its_link_confirms(settings: Settings, maildir: Path) -> None:
    cascade_directive(directive_file=str(SAMPLE_DIRECTIVE))
    app_ = create_app_with_inbox(with_web(settings, inbox_dir=str(maildir)))
    with BackgroundServer(app_, settings.web.public_host, settings.web.public_port), httpx.Client(timeout=30) as client:
        base = settings.web.public_url
        listing = client.get(f"{base}/inbox")
        assert listing.status_code == 200 and listing.text.count('<tr><td><a href="/inbox/') == 23
        assert "Liên đoàn Lao động huyện Tam Đường" in listing.text
        name = next(m.name for m in list_messages(maildir) if "ldld.tamduong@" in m.to)
        page = client.get(f"{base}/inbox/{name}")
        assert page.status_code == 200 and 'class="button" href="' in page.text
        link = next(m.links[0] for m in list_messages(maildir) if m.name == name)
        assert f'href="{link}"' in page.text
        assert confirm_receipt(client, link).status_code == 200
        assert client.get(f"{base}/inbox/..%2F..%2Fcascade.db").status_code == 404
        assert client.get(f"{base}/inbox/999999.eml").status_code == 404
    with session_scope() as session:
        assert len(session.exec(select(Acknowledgement)).all()) == 1


def test_no_inbox_without_a_maildir(settings: Settings) -> None:
    with BackgroundServer(
        create_app_with_inbox(with_web(settings, inbox_dir=None)),
        settings.web.public_host,
        settings.web.public_port,
    ):
        assert httpx.get(f"{settings.web.public_url}/inbox", timeout=30).status_code == 404
