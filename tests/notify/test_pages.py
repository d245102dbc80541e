"""Staff and dealer pages of the outbox: inboxes with unread counts, the outbox with resend, the
per-dealer address list, the language preference, and password reset by email."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.core.cache import cache

from shouhou.notify.models import Event, FailingAddress, Message, Preference
from shouhou.notify.sender import outbox_send_run
from shouhou.notify.services import Address, address_mark_failing, emit
from tests.notify.conftest import TZ, approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(submitted_line, service_center, manager):
    """The review deadline of the submitted form has passed: the sweep escalates it."""
    from shouhou.rma.sweep import deadlines_sweep_run

    deadlines_sweep_run(now=datetime(2025, 10, 20, 9, tzinfo=TZ))
    return submitted_line


def test_a_staff_escalation_reaches_the_owner_and_the_managers_by_inbox_and_mail(overdue, service_center, manager):
    # Nobody has acted on the line, so its owner is every service-centre user.
    inbox = set(Message.objects.filter(event__name="deadline.staff_overdue", transport="inbox")
                .values_list("user__username", flat=True))
    assert inbox == {service_center.username, manager.username}
    assert not Message.objects.filter(event__name="deadline.staff_overdue", dealer__isnull=False).exists()


def test_staff_inbox_shows_unread_count_and_marks_read(overdue, manager, client_for, django_assert_num_queries):
    client = client_for(manager)
    badge = client.get("/notify/unread/")
    assert badge.status_code == 200 and ">1</span>" in badge.content.decode()
    page = client.get("/notify/inbox/")
    html = page.content.decode()
    assert "已逾期" in html and "inbox-unread" in html and "/rma/orders/" in html
    message = Message.objects.get(user=manager)
    response = client.post("/notify/inbox/read/", {"id": message.pk, "next": "/notify/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/notify/inbox/"
    message.refresh_from_db()
    assert message.read_at is not None
    assert "text-bg-danger" not in client.get("/notify/unread/").content.decode()
    assert client.post("/notify/inbox/read/", {"id": "x"}).status_code == 400


def test_the_inbox_renders_a_page_in_a_fixed_number_of_queries(manager, client_for, django_assert_num_queries):
    for n in range(12):
        emit("notify.delivery_failed", data={"failed_event": "rma.quote", "recipient": f"x{n}@a.cn", "tries": 8,
                                             "error": "550"}, users=[manager])
    client = client_for(manager)
    client.get("/notify/inbox/")  # warm the session and template caches
    # session, user, preference, count, page (messages with their events), template overrides;
    # the navigation's groups come from the session's cached user
    with django_assert_num_queries(5):
        assert client.get("/notify/inbox/").status_code == 200


def test_the_dealer_portal_shows_only_its_dealers_notices(submitted_line, service_center, alice, bob, client_for,
                                                           dealer_b):
    approve(submitted_line, service_center)
    emit("rma.info_request", dealer=dealer_b, data={"number": "", "order_id": 9, "position": 1, "serial": "SN-B",
                                                    "message": "乙的资料"})
    html = client_for(alice).get("/portal/notifications/").content.decode()
    assert "同意返厂检测" in html and "乙的资料" not in html and "PDF" in html
    home = client_for(alice).get("/portal/").content.decode()
    assert "同意返厂检测" in home
    bob_message = Message.objects.get(dealer=dealer_b, transport="inbox")
    client_for(alice).post("/notify/inbox/read/", {"id": bob_message.pk})
    bob_message.refresh_from_db()
    assert bob_message.read_at is None  # another dealer's message is untouched
    assert ">1</span>" in client_for(alice).get("/notify/unread/").content.decode()


def test_a_dealer_chooses_english_for_its_notices(submitted_line, service_center, alice, client_for, dealer_a):
    client = client_for(alice)
    assert client.post("/notify/preference/", {"language": "fr"}).status_code == 302
    assert not Preference.objects.exists()
    client.post("/notify/preference/", {"language": "en", "next": "/portal/notifications/"})
    assert Preference.objects.get().dealer == dealer_a
    approve(submitted_line, service_center)
    assert "Return authorised" in client.get("/portal/notifications/").content.decode()


def test_outbox_lists_filters_and_resends_a_failed_message(mail_to, submitted_line, service_center, client_for,
                                                           django_assert_num_queries):
    mail_to.reply = "550 no such user"
    approve(submitted_line, service_center)
    outbox_send_run()
    client = client_for(service_center)
    html = client.get("/notify/outbox/?state=failed").content.decode()
    assert "550 no such user" in html and "a@dealer-a.cn" in html and "重新发送" in html
    assert "a@dealer-a.cn" not in client.get("/notify/outbox/?state=sent").content.decode()
    with django_assert_num_queries(5):  # session, user, groups, count, page (with event, channel, dealer)
        client.get("/notify/outbox/?transport=email")
    message = Message.objects.get(transport="email")
    old_id = message.message_id
    response = client.post(f"/notify/outbox/{message.pk}/resend/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.state, message.tries) == ("pending", 0) and message.message_id != old_id
    # Once pending, a second click is refused with a message and changes nothing.
    assert "正在等待发送" in client.post(f"/notify/outbox/{message.pk}/resend/", follow=True).content.decode()
    assert Message.objects.get(pk=message.pk).message_id == message.message_id
    mail_to.reply = "250 OK"
    assert outbox_send_run().sent == 1
    assert mail_to.message_ids() == [message.message_id]


def test_dealers_cannot_open_the_outbox_or_resend(submitted_line, service_center, alice, client_for):
    approve(submitted_line, service_center)
    message = Message.objects.get(transport="email")
    assert client_for(alice).get("/notify/outbox/").status_code == 404
    assert client_for(alice).post(f"/notify/outbox/{message.pk}/resend/").status_code == 404
    assert client_for(alice).get("/notify/inbox/").status_code == 404
    assert client_for(service_center).post("/notify/outbox/999999/resend/").status_code == 404


def test_resending_an_inbox_message_is_refused(submitted_line, service_center, client_for):
    approve(submitted_line, service_center)
    inbox = Message.objects.get(transport="inbox")
    assert client_for(service_center).post(f"/notify/outbox/{inbox.pk}/resend/").status_code == 404


def test_address_list_shows_who_gets_mail_and_bounced_addresses(dealer_a, alice, service_center, client_for,
                                                                 django_assert_num_queries):
    dealer_a.cc_emails = "boss@dealer-a.cn；old@dealer-a.cn"
    dealer_a.save(update_fields=["cc_emails"])
    alice.email = "Alice@Dealer-A.cn"
    alice.save(update_fields=["email"])
    address_mark_failing(address="old@dealer-a.cn", reason="550 user unknown")
    client = client_for(service_center)
    html = client.get("/notify/addresses/?q=GX").content.decode()
    for text in ("a@dealer-a.cn", "boss@dealer-a.cn", "old@dealer-a.cn", "alice@dealer-a.cn", "退信，已暂停"):
        assert text in html
    with django_assert_num_queries(7):  # session, user, groups, count, dealers, users, failing addresses
        client.get("/notify/addresses/")
    client.post("/notify/addresses/clear/", {"address": "old@dealer-a.cn"})
    assert not FailingAddress.objects.exists()


def test_a_bounced_address_gets_no_more_mail(submitted_line, service_center):
    address_mark_failing(address="A@dealer-a.cn", reason="bounce")
    approve(submitted_line, service_center)
    assert not Message.objects.filter(transport="email").exists()
    assert Message.objects.filter(transport="inbox").exists()


def test_a_reply_to_a_sender_who_is_no_user_threads_and_is_idempotent(mail_to):
    for _ in range(2):
        emit("mail.reply", addresses=[Address("li@example.cn", "en")], key="mail.reply:<abc@mail.example.cn>",
             data={"original_subject": "售后服务单", "items": ["Row 2: serial number missing"],
                   "in_reply_to": "<abc@mail.example.cn>"})
    assert outbox_send_run().sent == 1
    mail = mail_to.received[0].message
    assert mail["In-Reply-To"] == "<abc@mail.example.cn>" and mail["Subject"] == "Re: 售后服务单"
    assert "Row 2: serial number missing" in mail.get_body(("plain",)).get_content()
    assert Event.objects.count() == 1


def test_password_reset_by_email(mail_to, alice, client):
    alice.email = "alice@dealer-a.cn"
    alice.save(update_fields=["email"])
    assert "/accounts/password/reset/" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password/reset/", {"email": "alice@dealer-a.cn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert outbox_send_run().sent == 1
    body = mail_to.received[0].message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"new_password1": "Another-Horse-77", "new_password2": "Another-Horse-77"})
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Another-Horse-77")


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.cn"})
    assert response.status_code == 302
    assert not Message.objects.exists()


def test_password_reset_is_rate_limited(client, alice):
    cache.clear()
    alice.email = "alice@dealer-a.cn"
    alice.save(update_fields=["email"])
    codes = [client.post("/accounts/password/reset/", {"email": "alice@dealer-a.cn"}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Message.objects.filter(transport="email").count() == 3
    assert "申请过于频繁" in client.post("/accounts/password/reset/", {"email": "x@y.cn"}).content.decode()
    cache.clear()


def test_a_staff_deadline_without_service_centre_staff_reaches_the_admins(submitted_line, admin_user):
    from shouhou.core.models import User
    from shouhou.rma.sweep import deadlines_sweep_run

    User.objects.filter(groups__name="service_center").update(is_active=False)
    deadlines_sweep_run(now=datetime(2025, 10, 20, 9, tzinfo=TZ))
    assert admin_user.pk in set(Message.objects.filter(event__name="deadline.staff_overdue", transport="inbox")
                                .values_list("user_id", flat=True))
