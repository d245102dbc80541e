"""A hand-over reaches the new owner: an inbox message and an email (shouhou.notify)."""

from __future__ import annotations

import pytest

from shouhou.cases import services
from shouhou.notify.models import Message
from shouhou.notify.render import render_message

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_new_owner_gets_the_hand_over_in_inbox_and_mail(open_case, cs, cs2):
    cs2.email = "cs2@vendor.cn"
    cs2.save(update_fields=["email"])
    case = services.case_apply(case=open_case(), event="accept", actor=cs, version=1, now=at("2025-10-09 10:20"))
    services.case_apply(case=case, event="hand_over", actor=cs, version=2,
                        fields={"to": cs2.pk, "note": "转交处理无盘问题"})
    inbox = Message.objects.get(event__name="case.assigned", transport="inbox")
    mail = Message.objects.get(event__name="case.assigned", transport="email")
    assert (inbox.user, mail.address, mail.dealer) == (cs2, "cs2@vendor.cn", None)
    rendered = render_message(inbox)
    assert rendered.subject.startswith(f"[{case.number}] 案例转交给您")
    assert "转交处理无盘问题" in rendered.text
