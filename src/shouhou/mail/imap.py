"""`shouhou mail fetch`: read new messages of an IMAP mailbox into the one ingestion path.

IMAP_URL is ``imaps://user:pass@host[:993]/FOLDER`` (implicit TLS), or ``imap://user:pass@host[:143]/FOLDER``
with ``?starttls=1`` to upgrade the connection (plain ``imap://`` only on loopback or a trusted network).
Escape ``@`` in a user name as ``%40``. Each message is fetched with ``BODY.PEEK[]``, taken by
``mail_ingest`` and then flagged ``\\Seen``; the highest UID taken is kept per mailbox (``ImapCursor``),
so a message is fetched once. When the mailbox's UIDVALIDITY changes, everything is read again and the
Message-ID check keeps what was taken from being taken twice.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from shouhou.mail.models import ImapCursor, InboundSource
from shouhou.mail.services import EX_DATAERR, mail_ingest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: str  # "implicit", "starttls" or "none"
    verify: bool

    @property
    def key(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_url(url: str) -> ImapConfig:
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
        raise ImproperlyConfigured("IMAP_URL must be imaps://user:pass@host/FOLDER or imap://…")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    starttls = query.get("starttls") in {"1", "true", "yes"}
    tls = "implicit" if parts.scheme == "imaps" else "starttls" if starttls else "none"
    return ImapConfig(host=parts.hostname, port=parts.port or (993 if tls == "implicit" else 143),
                      user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                      folder=unquote(parts.path.lstrip("/")) or "INBOX", tls=tls,
                      verify=query.get("verify", "1") not in {"0", "false", "no"})


@dataclass
class FetchResult:
    taken: int = 0
    duplicates: int = 0
    refused: int = 0


def _connect(cfg: ImapConfig) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if not cfg.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cfg.tls == "implicit":
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(cfg.host, cfg.port, ssl_context=context, timeout=30)
    else:
        conn = imaplib.IMAP4(cfg.host, cfg.port, timeout=30)
        if cfg.tls == "starttls":
            conn.starttls(ssl_context=context)
    conn.login(cfg.user, cfg.password)
    return conn


def fetch(url: str) -> FetchResult:
    """Take every message of the mailbox not taken yet. IMAP and database errors propagate."""
    cfg = parse_url(url)
    result = FetchResult()
    conn = _connect(cfg)
    try:
        typ, _data = conn.select(f'"{cfg.folder}"')
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot select {cfg.folder}")
        uidvalidity = int(conn.untagged_responses.get("UIDVALIDITY", [b"0"])[-1])
        cursor, _created = ImapCursor.objects.get_or_create(mailbox=cfg.key, defaults={"uidvalidity": uidvalidity})
        if cursor.uidvalidity != uidvalidity:
            log.warning("IMAP %s: UIDVALIDITY changed (%s -> %s); reading the folder again", cfg.key,
                        cursor.uidvalidity, uidvalidity)
            cursor.uidvalidity, cursor.last_uid = uidvalidity, 0
        typ, data = conn.uid("SEARCH", None, f"UID {cursor.last_uid + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > cursor.last_uid)
        for uid in uids:
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if typ != "OK" or raw is None:
                log.warning("IMAP %s: UID %s vanished before it was fetched", cfg.key, uid)
            else:
                taken = mail_ingest(raw=raw, source=InboundSource.IMAP)
                if taken.duplicate:
                    result.duplicates += 1
                elif taken.exit_code == EX_DATAERR:
                    result.refused += 1
                else:
                    result.taken += 1
                conn.uid("STORE", str(uid), "+FLAGS", r"(\Seen)")
            cursor.last_uid = uid
            cursor.fetched_at = timezone.now()
            cursor.save()
        if not uids:
            cursor.fetched_at = timezone.now()
            cursor.save()
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    return result


_SAFE = re.compile(r"//[^@/]*@")


def redacted(url: str) -> str:
    """IMAP_URL without its credentials, for logs."""
    return _SAFE.sub("//***@", url)
