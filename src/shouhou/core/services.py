"""Writes for users, tokens and the audit trail: each in one transaction with its audit row."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
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
    phone: str = "",
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
    user = User(username=username, email=email, name=name, phone=phone, dealer=dealer)
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


# --- staff administration (the in-app pages under /staff/) ------------------------------------
USER_FIELDS = ("name", "email", "phone", "role", "dealer", "is_active")


def user_role(user: User) -> str:
    """The one role a user holds (the first by Role order); "" when none."""
    held = user.roles
    return next((value for value in Role.values if value in held), "")


def _user_state(user: User) -> dict[str, Any]:
    return {"name": user.name, "email": user.email, "phone": user.phone, "role": user_role(user),
            "dealer": user.dealer.code if user.dealer_id else "", "is_active": user.is_active}


def _set_role(user: User, role: str) -> None:
    user.is_staff = role == Role.ADMIN  # Django admin access
    user.is_superuser = role == Role.ADMIN
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    user.__dict__.pop("roles", None)


def _check_role_and_dealer(role: str, dealer: Dealer | None) -> None:
    if role not in Role.values:
        raise Invalid(_("未知角色 %(role)s，可选：%(roles)s") % {"role": role, "roles": ", ".join(Role.values)},
                      field="role")
    if role == Role.DEALER and dealer is None:
        raise Invalid(_("代理商账号必须指定所属代理商。"), field="dealer")
    if role != Role.DEALER and dealer is not None:
        raise Invalid(_("只有代理商账号可以指定所属代理商。"), field="dealer")


@transaction.atomic
def user_update(*, user: User, actor: User, name: str, email: str, phone: str, role: str,
                dealer: Dealer | None) -> User:
    """Change a user's details, role and dealer; one ``user.updated`` event with what changed.

    Raises ``Invalid`` for an unknown role, a dealer role without a dealer (or a staff role with
    one), or an admin taking the admin role away from themselves.
    """
    _check_role_and_dealer(role, dealer)
    if user.pk == actor.pk and user_role(user) == Role.ADMIN and role != Role.ADMIN:
        raise Invalid(_("不能取消自己的管理员角色。"), field="role")
    before = _user_state(user)
    user.name, user.email, user.phone, user.dealer = name, email, phone, dealer
    user.save(update_fields=["name", "email", "phone", "dealer", "is_staff", "is_superuser"])
    if role != before["role"]:
        _set_role(user, role)
        user.save(update_fields=["is_staff", "is_superuser"])
    after = _user_state(user)
    changed = [k for k in USER_FIELDS if before[k] != after[k]]
    if changed:
        audit_record(user, "user.updated", actor=actor, dealer_id=user.dealer_id,
                     data={"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed}})
    return user


@transaction.atomic
def user_set_active(*, user: User, actor: User | None, active: bool) -> User:
    """Deactivate (the user can no longer sign in, their tokens stop working) or reactivate.

    Raises ``Invalid`` when an admin deactivates their own account.
    """
    if not active and actor is not None and user.pk == actor.pk:
        raise Invalid(_("不能停用自己的账号。"), field="is_active")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(user, "user.activated" if active else "user.deactivated", actor=actor,
                 dealer_id=user.dealer_id, data={"before": {"is_active": not active}, "after": {"is_active": active}})
    return user


@transaction.atomic
def user_password_reset_send(*, user: User, actor: User, send: Callable[[User], None]) -> None:
    """Send ``user`` a password-reset link (``send`` queues it in the notify outbox) and record it.

    Raises ``Invalid`` for a user without an email address or a deactivated one.
    """
    if not user.email:
        raise Invalid(_("该用户没有邮箱地址，无法发送重置密码链接。"), field="email")
    if not user.is_active:
        raise Invalid(_("该用户已停用，请先启用再发送重置密码链接。"), field="is_active")
    send(user)
    audit_record(user, "user.password_reset_sent", actor=actor, dealer_id=user.dealer_id,
                 data={"email": user.email})


@transaction.atomic
def token_create_for(*, user: User, name: str, actor: User) -> tuple[ApiToken, str]:
    """Issue a token for an active user from the admin pages. Raises ``NotFound`` for an inactive user."""
    return token_create(username=user.get_username(), name=name, actor=actor)


@transaction.atomic
def lockout_clear(*, username: str | None, ip_address: str | None, actor: User) -> int:
    """Unlock a login locked out by django-axes (by username, address or both); returns the
    number of attempt records removed (0: nothing matched, nothing written). Raises ``Invalid``
    when neither is given."""
    if username is None and ip_address is None:
        raise Invalid(_("请指定要解锁的用户名或地址。"))
    attempts = AccessAttempt.objects.all()
    if username is not None:
        attempts = attempts.filter(username=username)
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    count = attempts.count()
    if not count:
        return 0
    attempts.delete()
    audit_record(None, "login.unlocked", actor=actor, object_type="axes.accessattempt",
                 object_id=username or ip_address or "",
                 data={"username": username or "", "ip_address": ip_address or "", "attempts": count})
    return count
