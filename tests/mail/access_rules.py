"""Access rules of inbound mail's pages (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.mail.models import InboundMessage
from tests.gates.rules import Kind, staff

KINDS = {
    # tests/gates/seed.py takes in one message.
    "inbound": Kind(fill=lambda seed, d: {"pk": InboundMessage.objects.order_by("pk").first().pk},
                    missing={"pk": 987654321}),
}

RULES = {
    "mail_inbound_log": staff(),
    "mail_inbound_detail": staff("inbound"),
    "mail_inbound_act": staff("inbound"),
}
