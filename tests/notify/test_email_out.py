"""Email out against a real SMTP server on loopback: what arrives, retries, failures, files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shouhou.notify.models import Event, Message, MessageState
from shouhou.notify.sender import backoff, outbox_send_run
from tests.notify.conftest import approve

pytestmark = pytest.mark.django_db


def test_approving_mails_the_dealer_the_return_authorisation_with_its_pdf(
        mail_to, submitted_line, service_center, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        line = approve(submitted_line, service_center)
    # The commit queued the PDF and a sender run for the worker; run them as the worker would
    # (test_killed_worker.py runs a real `shouhou worker` process).
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    queued = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert sorted(r.task_path.rsplit(".", 1)[-1] for r in queued) == ["event_attach_document", "outbox_send"]
    for result in queued:
        import_string(result.task_path).call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    [got] = mail_to.received
    mail = got.message
    number = line.order.number
    assert got.rcpt == ["a@dealer-a.cn"]
    assert mail["Subject"].startswith(f"[{number}] 同意返厂检测")
    assert mail["Auto-Submitted"] == "auto-generated"
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF-")
    assert number in mail.get_body(("plain",)).get_content()
    assert "/portal/orders/" in mail.get_body(("html",)).get_content()
    message = Message.objects.get(transport="email")
    assert (message.state, message.tries, message.message_id) == ("sent", 1, mail["Message-ID"])


def test_a_stopped_server_makes_messages_wait_and_retry_then_each_arrives_once(
        mail_to, submitted_line, service_center, dealer_a):
    dealer_a.cc_emails = "boss@dealer-a.cn, a@dealer-a.cn"
    dealer_a.save(update_fields=["cc_emails"])
    approve(submitted_line, service_center)
    mail_to.stop()
    now = timezone.now()
    first = outbox_send_run(now=now)
    assert (first.sent, first.retrying) == (0, 2)
    waiting = list(Message.objects.filter(transport="email"))
    assert {(m.state, m.tries) for m in waiting} == {("pending", 1)}
    assert all(m.next_try_at == now + backoff(1) and "connect" in m.last_error for m in waiting)
    assert outbox_send_run(now=now + backoff(1) / 2).sent == 0  # not due yet: nothing tried
    second = outbox_send_run(now=now + backoff(1))
    assert (second.sent, second.retrying) == (0, 2)
    assert Message.objects.filter(tries=2, next_try_at=now + backoff(1) + backoff(2)).count() == 2

    mail_to.start()
    assert outbox_send_run(now=now + backoff(1) + backoff(2)).sent == 2
    assert outbox_send_run(now=now + timedelta(days=1)).sent == 0
    assert sorted(r.rcpt[0] for r in mail_to.received) == ["a@dealer-a.cn", "boss@dealer-a.cn"]
    ids = mail_to.message_ids()
    assert len(set(ids)) == 2 and set(ids) == set(Message.objects.values_list("message_id", flat=True)
                                                     .filter(transport="email"))


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == timedelta(hours=6)


def test_a_permanent_refusal_fails_at_once_and_tells_the_admins(mail_to, submitted_line, service_center,
                                                                  admin_user):
    mail_to.reply = "550 5.1.1 mailbox unavailable"
    approve(submitted_line, service_center)
    result = outbox_send_run()
    assert (result.sent, result.failed) == (0, 1)
    message = Message.objects.get(transport="email")
    assert message.state == MessageState.FAILED and message.last_error.startswith("550")
    alert = Message.objects.get(event__name="notify.delivery_failed")
    assert alert.user == admin_user and alert.transport == "inbox"
    assert not Message.objects.filter(event__name="notify.delivery_failed", transport="email").exists()


def test_after_the_last_try_a_message_fails(mail_to, submitted_line, service_center, settings):
    settings.NOTIFY_MAX_TRIES = 2
    mail_to.stop()
    approve(submitted_line, service_center)
    now = timezone.now()
    outbox_send_run(now=now)
    outbox_send_run(now=now + backoff(1))
    message = Message.objects.get(transport="email")
    assert (message.state, message.tries) == ("failed", 2)
    assert outbox_send_run(now=now + timedelta(days=2)).sent == 0


def test_a_lease_that_ran_out_is_sent_again_with_the_same_message_id(mail_to, submitted_line, service_center,
                                                                       settings):
    """What a worker killed between sending and marking leaves behind (see also test_killed_worker)."""
    approve(submitted_line, service_center)
    now = timezone.now()
    message = Message.objects.get(transport="email")
    # The state a killed worker leaves: claimed, tried once, the server already has the message.
    Message.objects.filter(pk=message.pk).update(state="sending", tries=1,
                                                 claimed_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS))
    assert outbox_send_run(now=now).sent == 0  # still leased to the (dead) worker
    assert outbox_send_run(now=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)).sent == 1
    message.refresh_from_db()
    assert (message.state, message.tries) == ("sent", 2)
    assert mail_to.message_ids() == [message.message_id]


def test_login_is_used_when_the_url_has_a_user(mail_to, settings, submitted_line, service_center):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    seen = []

    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        seen.append((auth_data.login, ok))
        return AuthResult(success=ok)

    mail_to.stop()
    mail_to.controller = Controller(mail_to, hostname="127.0.0.1", port=mail_to.port, authenticator=check,
                                    auth_require_tls=False, auth_required=True)
    mail_to.controller.start()
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "robot@vendor.cn", "s3cret"
    approve(submitted_line, service_center)
    assert outbox_send_run().sent == 1
    assert seen == [(b"robot@vendor.cn", True)]


def test_without_email_url_each_message_is_an_eml_file(settings, tmp_path, submitted_line, service_center):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.MEDIA_ROOT = tmp_path / "media"
    approve(submitted_line, service_center)
    assert outbox_send_run().sent == 1
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    import email
    import email.policy

    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert "同意返厂检测" in mail["Subject"] and mail["To"] == "a@dealer-a.cn"
    # A resend writes a new file; a retry of the same message would rewrite this one.
    assert eml.stem == Message.objects.get(transport="email").message_id.strip("<>").split("@")[0]


def test_a_dealer_that_prefers_english_gets_english(mail_to, submitted_line, service_center, dealer_a, alice):
    from shouhou.notify.services import preference_set

    preference_set(user=alice, language="en")  # a dealer's user sets the dealer's language
    line = approve(submitted_line, service_center)
    outbox_send_run()
    mail = mail_to.received[0].message
    assert mail["Subject"] == f"[{line.order.number}] Return authorised: unit 1 (SN-MAIL-0001)"
    assert "Please write the RMA number" in mail.get_body(("plain",)).get_content()


def test_the_quote_carries_the_policy_text_and_its_pdf(mail_to, submitted_line, service_center):
    from datetime import datetime

    from shouhou.rma.services import line_apply
    from tests.notify.conftest import TZ

    line = approve(submitted_line, service_center)
    for event, day, fields in [
        ("ship_to_centre", 27, {"carrier": "顺丰", "tracking": "SF1"}),
        ("receive", 29, {"condition": "完好"}),
        ("inspect", 30, {"fault_confirmed": True, "damage": ["physical"], "components": ["主板"]}),
        ("send_quote", 30, {"items": [{"text": "更换主板", "amount": "680.00"}], "options": ["paid_repair"]}),
    ]:
        line = line_apply(line=line, event=event, actor=service_center, version=line.version,
                          at=datetime(2025, 9, day, 16, tzinfo=TZ), fields=fields)
    outbox_send_run()
    quote = next(r.message for r in mail_to.received if "维修报价" in r.message["Subject"])
    body = quote.get_body(("plain",)).get_content()
    assert "更换主板：¥680.00" in body and "合计：¥680.00" in body and "确认" in body
    assert [p.get_content_type() for p in quote.iter_attachments()] == ["application/pdf"]
    assert Event.objects.get(name="rma.quote").attachment


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 made by openssl, trusted through SSL_CERT_FILE."""
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_tls_is_used_and_the_certificate_checked(mode, mail_to, settings, tmp_path, monkeypatch, submitted_line,
                                                 service_center):
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mail_to.stop()
    if mode == "starttls":
        mail_to.controller = Controller(mail_to, hostname="127.0.0.1", port=mail_to.port, tls_context=context,
                                        require_starttls=True)
        settings.EMAIL_USE_TLS = True
    else:
        mail_to.controller = Controller(mail_to, hostname="127.0.0.1", port=mail_to.port, ssl_context=context)
        settings.EMAIL_USE_SSL = True
    mail_to.controller.start()
    approve(submitted_line, service_center)
    # Not trusted yet: the certificate check refuses the server, and the message waits.
    assert outbox_send_run().retrying == 1
    assert "CERTIFICATE_VERIFY_FAILED" in Message.objects.get(transport="email").last_error
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert outbox_send_run(now=timezone.now() + backoff(1)).sent == 1
    assert len(mail_to.received) == 1
