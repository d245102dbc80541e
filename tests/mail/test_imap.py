"""`shouhou mail fetch` against a real IMAP server on loopback (a private Dovecot): every message is
taken once, a second fetch takes nothing, and the messages are flagged as seen."""

from __future__ import annotations

import imaplib
import shutil
import ssl
import tempfile
from pathlib import Path

import pytest

from shouhou.mail.imap import fetch
from shouhou.mail.models import ImapCursor, InboundMessage
from tests.mail.conftest import eml
from tests.mail.dovecot import DOVECOT, Dovecot

pytestmark = pytest.mark.django_db


def _dovecot(*, starttls: bool = False):
    if not Path(DOVECOT).exists():
        pytest.fail(f"{DOVECOT} is missing: install Debian's dovecot-imapd (scripts/setup --test)")
    # Not under pytest's tmp dir: its parents are private to us, and Dovecot's own processes must read it.
    root = Path(tempfile.mkdtemp(prefix="shouhou-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root, starttls=starttls)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot():
    yield from _dovecot()


@pytest.fixture
def dovecot_tls():
    yield from _dovecot(starttls=True)


def append(server: Dovecot, *names: str) -> None:
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    if server.starttls:
        conn.starttls(ssl_context=ssl._create_unverified_context())
    conn.login(server.user, server.password)
    for name in names:
        typ, _data = conn.append("INBOX", None, None, eml(name))
        assert typ == "OK"
    conn.logout()


def seen_flags(server: Dovecot) -> list[bool]:
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    conn.login(server.user, server.password)
    conn.select("INBOX", readonly=True)
    _typ, data = conn.uid("FETCH", "1:*", "(FLAGS)")
    conn.logout()
    return [b"\\Seen" in item for item in data if item]


def test_fetch_takes_each_message_once(dovecot, dealer_a):
    append(dovecot, "01_gbk_subject_gb2312_body.eml", "03_utf8_plain.eml", "15_bounce.eml")
    first = fetch(dovecot.url)
    assert (first.taken, first.duplicates, first.refused) == (3, 0, 0)
    assert sorted(InboundMessage.objects.values_list("status", "source")) == [
        ("bounce", "imap"), ("case_opened", "imap"), ("case_opened", "imap")]
    assert seen_flags(dovecot) == [True, True, True]

    again = fetch(dovecot.url)
    assert (again.taken, again.duplicates, again.refused) == (0, 0, 0)
    assert InboundMessage.objects.count() == 3

    append(dovecot, "04_html_only.eml", "03_utf8_plain.eml")  # one new, one already taken
    third = fetch(dovecot.url)
    assert (third.taken, third.duplicates) == (1, 1)
    assert InboundMessage.objects.count() == 4
    assert ImapCursor.objects.get().last_uid == 5


def test_a_wrong_password_takes_nothing(dovecot, db):
    with pytest.raises(imaplib.IMAP4.error):
        fetch(dovecot.url.replace("s3cret-imap", "wrong"))
    assert not ImapCursor.objects.exists()


def test_the_worker_task_fetches_and_serve_polls_only_with_an_imap_url(dovecot, settings, db):
    from shouhou.mail.tasks import mail_fetch, register_periodic

    append(dovecot, "03_utf8_plain.eml")
    settings.IMAP_URL = dovecot.url
    assert mail_fetch.call() == {"taken": 1, "duplicates": 0, "refused": 0}
    periodic: list = []
    settings.IMAP_URL = ""
    register_periodic(settings, periodic)
    assert periodic == []
    settings.IMAP_URL = dovecot.url
    register_periodic(settings, periodic)
    register_periodic(settings, periodic)
    assert [(job.name, job.seconds) for job in periodic] == [("mail.fetch", settings.IMAP_POLL_SECONDS)]


def test_the_fetch_command_reports_and_a_dead_server_is_a_temporary_failure(dovecot, db, capsys):
    from shouhou.core.cli import main

    append(dovecot, "03_utf8_plain.eml")
    assert main(["mail", "fetch", "--url", dovecot.url]) == 0
    assert "taken 1" in capsys.readouterr().out
    dead = dovecot.url.replace(str(dovecot.port), "9")
    assert main(["mail", "fetch", "--url", dead]) == 75
    assert "s3cret" not in capsys.readouterr().err


def test_fetch_upgrades_with_starttls_and_checks_the_certificate_by_default(dovecot_tls, db):
    append(dovecot_tls, "03_utf8_plain.eml")
    with pytest.raises(ssl.SSLCertVerificationError):  # a self-signed certificate is refused by default
        fetch(dovecot_tls.url + "?starttls=1")
    assert not InboundMessage.objects.exists()
    result = fetch(dovecot_tls.url + "?starttls=1&verify=0")
    assert (result.taken, InboundMessage.objects.get().source) == (1, "imap")
    logins = [ln for ln in dovecot_tls.log().splitlines() if "Login: user=<service>" in ln]
    assert logins and all("TLS" in ln for ln in logins), logins
