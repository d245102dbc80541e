"""Email out: SMTP over EMAIL_URL (plain, STARTTLS, implicit TLS, login), else `.eml` files.

One connection serves a whole batch. Errors are sorted into permanent ones (a 5xx answer to
the sender, the recipient or the data: the server will never take this message) and the rest,
which the sender retries with backoff.
"""

from __future__ import annotations

import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from django.conf import settings


class DeliveryError(Exception):
    """A message was not delivered; `permanent` when retrying cannot help."""

    def __init__(self, text: str, *, permanent: bool = False, connect: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent
        self.connect = connect  # the server was not reached: later messages of the batch wait too


class Mailer(Protocol):
    def send(self, *, sender: str, recipient: str, data: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


def _code_error(code: int, text: object) -> DeliveryError:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return DeliveryError(f"{code} {detail}"[:500], permanent=500 <= code < 600)


class SmtpMailer:
    """One SMTP session, opened on the first message and kept for the batch."""

    def __init__(self) -> None:
        self.conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        host, port, timeout = settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT
        try:
            if settings.EMAIL_USE_SSL:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                                      context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(host, port, timeout=timeout)
                if settings.EMAIL_USE_TLS:
                    conn.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except (OSError, smtplib.SMTPException) as exc:
            # A refused login is a setting to fix, not this message's fault: retried like an outage.
            raise DeliveryError(f"connect {host}:{port}: {exc}"[:500], connect=True) from exc
        return conn

    def send(self, *, sender: str, recipient: str, data: bytes, message_id: str) -> None:
        if self.conn is None:
            self.conn = self._open()
        try:
            self.conn.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _code_error(code, text) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._reset()
            raise _code_error(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            # The connection broke, maybe after the server took the data: the retry carries
            # the same Message-ID (docs/mail.md, "Retries and the Message-ID").
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


class EmlDirectory:
    """Without EMAIL_URL: each message becomes `<data dir>/mail/<id>.eml`, named by its Message-ID,
    so sending a message again rewrites the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, *, sender: str, recipient: str, data: bytes, message_id: str) -> None:
        name = message_id.strip("<>").split("@", 1)[0] or "message"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{name}.eml"
            partial = target.with_suffix(".eml.part")
            partial.write_bytes(data)
            partial.replace(target)  # readers never see half a message
        except OSError as exc:
            raise DeliveryError(f"write {self.directory}: {exc}"[:500]) from exc

    def close(self) -> None:
        return None


def eml_directory() -> Path | None:
    """Where `.eml` files go when no EMAIL_URL is set; None when mail goes over SMTP."""
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return None
    return Path(getattr(settings, "EMAIL_FILE_PATH", settings.DATA_DIR / "mail"))


def mailer() -> Mailer:
    directory = eml_directory()
    return SmtpMailer() if directory is None else EmlDirectory(directory)
