"""Access rules of core's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.core.models import ApiToken, User
from shouhou.core.services import token_create
from shouhou.notify.models import Message, Transport
from tests.gates.rules import Kind, dealer, public, skip, staff


def _dealer_token(dealer: object) -> ApiToken:
    """A token of one of the dealer's users (the seed issues one for dealer A only)."""
    token = ApiToken.objects.filter(user__dealer=dealer).order_by("pk").first()
    if token is None:
        user = User.objects.filter(dealer=dealer).order_by("pk").first()
        token = token_create(username=user.username, name="门禁")[0]
    return token


KINDS = {
    # The demo's service orders queue mail to their dealers.
    "outbox_message": Kind(fill=lambda seed, d: {"pk": Message.objects.exclude(transport=Transport.INBOX)
                                                 .filter(dealer=d).order_by("pk").first().pk},
                           missing={"pk": 987654321}),
    # Staff administration: a dealer's account and its API token (the seed makes one per dealer).
    "dealer_user": Kind(fill=lambda seed, d: {"pk": User.objects.filter(dealer=d).order_by("pk").first().pk},
                        missing={"pk": 987654321}),
    "dealer_token": Kind(fill=lambda seed, d: {"pk": _dealer_token(d).pk}, missing={"pk": 987654321}),
}

RULES = {
    # Signed out: the public landing; signed in: one's own home (tests/core/test_landing.py).
    "dashboard": public(),
    "healthz": public(),
    "favicon": public(),
    "audit_log": staff(),
    "audit_export": staff(),
    # Staff administration (admins only; other staff get 404 like dealers).
    "staff_users": staff(),
    "staff_user_new": staff(),
    "staff_user": staff("dealer_user"),
    "staff_user_active": staff("dealer_user", body={"active": "0"}),
    "staff_user_reset": staff("dealer_user"),
    "staff_roles": staff(),
    "staff_tokens": staff(),
    "staff_token_revoke": staff("dealer_token"),
    "staff_lockouts": staff(),
    "staff_lockout_clear": staff(body={"username": "nobody"}),
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
