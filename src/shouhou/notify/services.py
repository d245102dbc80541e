"""Writes of the outbox: emitting events, resending, reading, preferences.

`emit` is what features call, inside the transaction of their change, so a message exists
exactly when the change does; the sender runs after commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.domain.errors import Invalid
from shouhou.notify.events import EVENTS
from shouhou.notify.models import (
    DEFAULT_LANGUAGE,
    Audience,
    Channel,
    ChannelKind,
    Event,
    FailingAddress,
    Message,
    MessageState,
    Preference,
    Rule,
    Transport,
)
from shouhou.registry.models import Dealer


@dataclass(frozen=True)
class Address:
    """A mail address that is no user of ours (an inbound sender, a reset request), with a language."""

    email: str
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class TeamRecipients:
    """The `team` audience of an event: a team's members and, when it has one, its group robot."""

    users: tuple[User, ...] = ()
    robot: Channel | None = None


def dealer_addresses(dealer: Dealer) -> list[str]:
    """The dealer's own addresses (main and copies), in order, without repeats."""
    found = [dealer.email, *re.split(r"[,，;；\s]+", dealer.cc_emails)]
    seen: dict[str, None] = {}
    for raw in found:
        address = raw.strip()
        if address and "@" in address:
            seen.setdefault(address.lower(), None)
    return list(seen)


def _domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{_domain()}>"


def _languages(users: Iterable[User], dealers: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
    user_ids = [u.pk for u in users]
    dealer_ids = list(dealers)
    prefs = Preference.objects.filter(models.Q(user_id__in=user_ids) | models.Q(dealer_id__in=dealer_ids))
    by_user, by_dealer = {}, {}
    for pref in prefs:
        if pref.user_id:
            by_user[pref.user_id] = pref.language
        else:
            by_dealer[pref.dealer_id] = pref.language
    return by_user, by_dealer


def _staff_with_role(role: str) -> list[User]:
    return list(User.objects.filter(is_active=True, dealer__isnull=True, groups__name=role).distinct())


def emit(
    name: str,
    *,
    data: Mapping[str, Any] | None = None,
    dealer: Dealer | None = None,
    obj: models.Model | None = None,
    thread: str = "",
    document: str = "",
    users: Iterable[User] = (),
    addresses: Iterable[Address] = (),
    key: str | None = None,
    now: datetime | None = None,
    team: TeamRecipients | None = None,
) -> Event | None:
    """Record event NAME with DATA and queue its messages for the recipients its rules name.

    DEALER is the dealer the event concerns (audiences `dealer`, `dealer_users`); USERS and
    ADDRESSES are the `named` audience (e.g. a line's owner; an inbound sender who is not a
    user). TEAM is the `team` audience (a team case's members and robot). THREAD is the number
    for subjects, DOCUMENT a PDF kind rendered by the renderer
    registered for OBJ's type. With KEY, a second emit of the same key does nothing and
    returns None. Call it inside the transaction of the change. Raises Invalid for an unknown
    event name.
    """
    if name not in EVENTS:
        raise Invalid(_("未知的通知事件：%(name)s") % {"name": name})
    now = now or timezone.now()
    event = Event(name=name, data=dict(data or {}), dealer=dealer, thread=thread, document=document, key=key,
                  created_at=now)
    if obj is not None:
        event.object_type, event.object_id = obj._meta.label_lower, str(obj.pk)
    if key is not None:
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return None
    else:
        event.save()
    users, addresses = list(users), list(addresses)
    rules = list(Rule.objects.filter(event=name, active=True).select_related("channel"))
    messages = _messages_for(event, rules, users=users, addresses=addresses, now=now, team=team)
    Message.objects.bulk_create(messages)
    if any(m.transport != Transport.INBOX for m in messages):
        _wake_sender_on_commit()
    return event


def _messages_for(event: Event, rules: list[Rule], *, users: list[User], addresses: list[Address],
                  now: datetime, team: TeamRecipients | None = None) -> list[Message]:
    inbox_users: dict[int, User] = {}
    mail_users: dict[int, User] = {}
    dealer_inbox = dealer_mail = False
    mail_addresses: dict[str, str] = {}
    channels: dict[int, Channel] = {}
    for rule in rules:
        people: list[User] = []
        if rule.audience == Audience.DEALER and event.dealer_id:
            dealer_inbox |= rule.inbox
            dealer_mail |= rule.email
        elif rule.audience == Audience.DEALER_USERS and event.dealer_id:
            people = list(User.objects.filter(dealer_id=event.dealer_id, is_active=True))
        elif rule.audience == Audience.NAMED:
            people = users
            if rule.email:
                for a in addresses:
                    mail_addresses.setdefault(a.email.strip().lower(), a.language)
        elif rule.audience == Audience.ROLE:
            people = _staff_with_role(rule.role)
        elif rule.audience == Audience.CHANNEL and rule.channel and rule.channel.active:
            channels[rule.channel.pk] = rule.channel
        elif rule.audience == Audience.TEAM and team is not None:
            people = [u for u in team.users if u.is_active and u.dealer_id is None]
            if team.robot is not None and team.robot.active:
                channels[team.robot.pk] = team.robot
        for person in people:
            if rule.inbox:
                inbox_users.setdefault(person.pk, person)
            if rule.email and person.email:
                mail_users.setdefault(person.pk, person)
    people = [*inbox_users.values(), *mail_users.values()]
    by_user, by_dealer = (_languages(people, [event.dealer_id] if event.dealer_id else [])
                          if people or event.dealer_id else ({}, {}))
    dealer_lang = by_dealer.get(event.dealer_id or 0, DEFAULT_LANGUAGE)
    out: list[Message] = []

    def add(transport: str, **fields: Any) -> None:
        state = MessageState.SENT if transport == Transport.INBOX else MessageState.PENDING
        out.append(Message(event=event, transport=transport, state=state, created_at=now, next_try_at=now,
                           sent_at=now if state == MessageState.SENT else None,
                           message_id=new_message_id() if transport == Transport.EMAIL else "", **fields))

    if dealer_inbox:
        add(Transport.INBOX, dealer_id=event.dealer_id, language=dealer_lang)
    for user in inbox_users.values():
        # A dealer's user hears through the dealer's inbox; a staff user has an inbox of their own.
        if user.dealer_id is None:
            add(Transport.INBOX, user=user, language=by_user.get(user.pk, DEFAULT_LANGUAGE))
    taken: set[str] = set()
    if dealer_mail and event.dealer is not None:
        for address in dealer_addresses(event.dealer):
            taken.add(address)
            add(Transport.EMAIL, dealer_id=event.dealer_id, address=address, language=dealer_lang)
    for user in mail_users.values():
        address = user.email.strip().lower()
        if address not in taken:
            taken.add(address)
            add(Transport.EMAIL, user=user, dealer_id=user.dealer_id, address=address,
                language=by_user.get(user.pk, DEFAULT_LANGUAGE))
    for address, language in mail_addresses.items():
        if address not in taken:
            taken.add(address)
            add(Transport.EMAIL, address=address, language=language)
    failing = set(FailingAddress.objects.filter(address__in=list(taken)).values_list("address", flat=True)
                  ) if taken else set()
    out = [m for m in out if not (m.transport == Transport.EMAIL and m.address in failing)]
    for channel in channels.values():
        if channel.kind == ChannelKind.SMS_ALIYUN:
            for phone in channel.phone_list:
                add(Transport.SMS, channel=channel, address=phone, language=channel.language)
        else:
            add(Transport.ROBOT, channel=channel, language=channel.language)
    return out


def _wake_sender_on_commit() -> None:
    """Queue one sender run per transaction, however many events it emits."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _wake_sender for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_wake_sender)


def _wake_sender() -> None:
    """Ask the worker to send now; the periodic run picks the messages up if this fails."""
    from shouhou.notify.tasks import outbox_send

    try:
        outbox_send.enqueue()
    except Exception:
        import logging

        logging.getLogger(__name__).exception("could not queue the outbox sender")


@transaction.atomic
def message_resend(*, message: Message, actor: User) -> Message:
    """Queue a failed (or sent) email, robot or SMS message again; raises Invalid for an inbox row."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if locked.transport == Transport.INBOX:
        raise Invalid(_("站内通知不需要重新发送。"))
    if locked.state in (MessageState.PENDING, MessageState.SENDING):
        raise Invalid(_("该消息正在等待发送。"))
    locked.state, locked.tries, locked.next_try_at = MessageState.PENDING, 0, timezone.now()
    locked.claimed_until, locked.sent_at = None, None
    if locked.transport == Transport.EMAIL:
        locked.message_id = new_message_id()  # a deliberate second copy is a new message
    locked.save(update_fields=["state", "tries", "next_try_at", "claimed_until", "sent_at", "message_id"])
    audit_record(locked, "message.resent", actor=actor, data={"event": locked.event.name,
                                                               "recipient": locked.recipient_label})
    _wake_sender_on_commit()
    return locked


def inbox_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark USER's inbox messages read (their dealer's, for a dealer's user); all when IDS is None."""
    from shouhou.notify.selectors import inbox_for

    qs = inbox_for(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def preference_set(*, user: User, language: str) -> Preference:
    """The language USER's messages come in (a dealer's user sets the dealer's); raises Invalid."""
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("不支持的语言。"))
    if user.dealer_id is not None:
        pref, _created = Preference.objects.update_or_create(dealer_id=user.dealer_id, defaults={"language": language})
    else:
        pref, _created = Preference.objects.update_or_create(user=user, defaults={"language": language})
    return pref


def address_mark_failing(*, address: str, reason: str) -> None:
    """Stop mailing ADDRESS (a bounce said it is gone) until staff clear it on the address list."""
    FailingAddress.objects.update_or_create(address=address.strip().lower(), defaults={"reason": reason[:500]})


def address_clear_failing(*, address: str, actor: User) -> bool:
    deleted, _rows = FailingAddress.objects.filter(address=address.strip().lower()).delete()
    if deleted:
        audit_record(None, "address.cleared", actor=actor, object_type="notify.address", object_id=address[:64])
    return bool(deleted)
