"""Writes for users, tokens and the audit trail: each in one transaction with its audit row."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import ApiToken, AuditEvent, User
from shouhou.core.roles import Role
from shouhou.domain.errors import Invalid, NotFound
from shouhou.registry.models import Dealer

TOKEN_PREFIX = "shh_"  # noqa: S105  (the visible prefix of every token, not a secret)


def audit_record(
    obj: models.Model | None,
    verb: str,
    *,
    actor: User | None,
    data: dict[str, Any] | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    dealer_id: int | None = None,
) -> AuditEvent:
    """Append one event to the audit trail; call it inside the transaction of the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
        if dealer_id is None:
            dealer_id = _dealer_of(obj)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(str(actor) if actor is not None else "系统")[:150],
        object_type=object_type or "",
        object_id=str(object_id or ""),
        verb=verb,
        data=data or {},
        dealer_id=dealer_id,
    )


def _dealer_of(obj: models.Model) -> int | None:
    """The dealer an object belongs to, by the same dealer_scope path the scoping layer uses."""
    path = getattr(obj, "dealer_scope", None)
    if not path:
        return None
    if path == "pk":
        return obj.pk
    target: object = obj
    for part in path.split("__")[:-1]:
        target = getattr(target, part)
    return getattr(target, f"{path.split('__')[-1]}_id", None)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    name: str = "",
    dealer_code: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a user with one role. Raises Invalid for an unknown role, a dealer role without a
    dealer (or a staff role with one), a taken username or a weak password."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if role not in Role.values:
        raise Invalid(_("未知角色 %(role)s，可选：%(roles)s") % {"role": role, "roles": ", ".join(Role.values)})
    dealer = None
    if role == Role.DEALER:
        if not dealer_code:
            raise Invalid(_("代理商账号必须指定所属代理商（--dealer CODE）。"))
        dealer = Dealer.objects.filter(code=dealer_code).first()
        if dealer is None:
            raise Invalid(_("代理商 %(code)s 不存在。") % {"code": dealer_code})
    elif dealer_code:
        raise Invalid(_("只有代理商账号可以指定所属代理商。"))
    if User.objects.filter(username=username).exists():
        raise Invalid(_("用户名 %(name)s 已存在。") % {"name": username})
    user = User(username=username, email=email, name=name, dealer=dealer)
    user.is_staff = role == Role.ADMIN  # Django admin access
    user.is_superuser = role == Role.ADMIN
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages)) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    # The groups come from a migration, but one may have been deleted in the admin (or flushed).
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    audit_record(user, "user.created", actor=actor, data={"username": username, "role": role},
                 dealer_id=user.dealer_id)
    return user


def _digest(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain SHA-256 is enough and lets us look them up
    # by digest with an index instead of trying a slow password hash against every row.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_create(*, username: str, name: str = "", actor: User | None = None) -> tuple[ApiToken, str]:
    """Issue a new API token; returns the record and the token text, which is never stored."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("用户 %(name)s 不存在或已停用。") % {"name": username})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=_digest(raw))
    audit_record(token, "token.created", actor=actor, data={"user": username, "name": name},
                 dealer_id=user.dealer_id)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(token, "token.revoked", actor=actor, data={"prefix": token.prefix},
                 dealer_id=token.user.dealer_id)
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Marks the token used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__dealer")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
