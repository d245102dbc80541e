"""Outbox fixtures: a real SMTP server on loopback (aiosmtpd) that the test can stop, restart and
make refuse, and the settings that point the sender at it."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port
from tests.rma.conftest import make_unit, server_model  # noqa: F401 - fixtures shared with the RMA tests

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Received:
    rcpt: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1; `reply` answers DATA ("250 OK", or e.g. "550 no such user")."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    reply: str = "250 OK"
    controller: Controller | None = None

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.reply.startswith("250"):
            self.received.append(Received(list(envelope.rcpt_tos), envelope.original_content))  # type: ignore[attr-defined]
        return self.reply

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        return [r.message["Message-ID"] for r in self.received]


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path) -> None:
    """Uploaded PDFs and .eml files of these tests go to a temporary folder, not the data dir."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_to(settings, smtp: SmtpServer, tmp_path):
    """Send over SMTP to the loopback server, with uploaded files in a temporary folder."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "售后服务 <service@vendor.cn>"
    settings.MEDIA_ROOT = tmp_path / "media"
    return smtp


@pytest.fixture
def submitted_line(dealer_a, service_center, make_unit):  # noqa: F811 - make_unit is the shared fixture
    from shouhou.rma.services import order_submit

    make_unit("SN-MAIL-0001")
    order = order_submit(dealer=dealer_a, actor=service_center, contact_name="李工", contact_phone="13800000000",
                         return_address="南宁", submitted_at=datetime(2025, 9, 26, 10, tzinfo=TZ),
                         topology_required=False,
                         lines=[{"serial": "SN-MAIL-0001", "fault": "无法开机"}])
    return order.lines.get()


def approve(line, actor):
    from shouhou.rma.services import line_apply

    return line_apply(line=line, event="approve", actor=actor, version=line.version,
                      at=datetime(2025, 9, 26, 15, tzinfo=TZ))
