"""Notifications: one outbox for every message Shouhou sends (email, in-app inboxes, group
robots, SMS), rendered per recipient at send time.

Features emit events with data; they never compose text::

    from shouhou.notify.services import emit

    emit("rma.quote", dealer=order.dealer, obj=line, thread=order.number, document="quote",
         data={"number": order.number, "items": [...], "total": "730.00", ...})

Rules (admin: 通知规则) decide who hears about each event; templates (files under
``notify/templates/notify/messages/``, overridable by admins with a preview) decide what they read,
in the recipient's language (`Preference`, Chinese by default).

**Replying to someone who is not a user** (inbound mail: "your form is missing X"): emit an
event for the `named` audience with an `Address`; pass the inbound Message-ID as
``in_reply_to`` so the reply threads in the sender's mail program::

    from shouhou.notify.services import Address, emit

    emit("mail.reply", addresses=[Address("li@example.cn", language="zh-hans")],
         data={"original_subject": subject, "items": ["第 2 行：缺少序列号"], "in_reply_to": message_id},
         thread=order.number or "", key=f"mail.reply:{message_id}")

The key makes the call idempotent (an MTA that delivers the same mail twice gets one answer).
Every outgoing email carries ``Auto-Submitted: auto-generated`` and ``X-Shouhou-Event``, which
the inbound side uses to never answer our own messages. `address_mark_failing(address=…)`
stops mail to an address that bounced.
"""
