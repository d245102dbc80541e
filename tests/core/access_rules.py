"""Access rules of core's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.notify.models import Message, Transport
from tests.gates.rules import Kind, dealer, public, skip, staff

KINDS = {
    # The demo's service orders queue mail to their dealers.
    "outbox_message": Kind(fill=lambda seed, d: {"pk": Message.objects.exclude(transport=Transport.INBOX)
                                                 .filter(dealer=d).order_by("pk").first().pk},
                           missing={"pk": 987654321}),
}

RULES = {
    # Signed out: the public landing; signed in: one's own home (tests/core/test_landing.py).
    "dashboard": public(),
    "healthz": public(),
    "favicon": public(),
    "audit_log": staff(),
    "login": public(),
    "logout": skip("signs out and redirects to the login page; tests/e2e/test_login_browser.py"),
    "password_change": dealer(),
    "password_change_done": dealer(),
    "set_language": public(),
    "GET /api/v1/me": dealer(),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(uidb64="MQ", token="set-password"),
    "password_reset_complete": public(),
    # Notifications (shouhou.notify): the in-app inbox is everybody's, the outbox staff's.
    "notify_inbox": staff(),
    "notify_inbox_read": dealer(),
    "notify_unread": dealer(),
    "notify_preference": dealer(body={"language": "zh-hans"}),
    "notify_outbox": staff(),
    "notify_outbox_resend": staff("outbox_message"),
    "notify_addresses": staff(),
    "notify_address_clear": staff(body={"address": "nobody@example.cn"}),
}
