"""The one dealer-scoping layer: every query for dealer-visible data goes through here.

A model that dealers may see declares ``dealer_scope``, the lookup path from it to its dealer
(``"dealer"``, ``"order__dealer"``, or ``"pk"`` for the Dealer itself). Vendor staff see
everything; a dealer's user sees only rows whose path leads to its own dealer; anybody else sees
nothing. Another dealer's object is reported exactly like a missing one (404), so that ids
cannot be probed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.domain.errors import NotFound

M = TypeVar("M", bound=models.Model)


def _scope_path(model: type[models.Model]) -> str:
    path = getattr(model, "dealer_scope", None)
    if not path:
        raise TypeError(f"{model.__name__} has no dealer_scope: it cannot be shown to dealers")
    return path


def scoped(user: Any, queryset: models.QuerySet[M] | type[M]) -> models.QuerySet[M]:
    """Restrict QUERYSET (or a model's default manager) to what USER may see."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    path = _scope_path(qs.model)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if isinstance(user, User) and user.dealer_id is not None:
        key = "pk" if path == "pk" else f"{path}_id" if "__" not in path else f"{path}__pk"
        return qs.filter(**{key: user.dealer_id})
    if isinstance(user, User) and user.is_vendor_staff:
        return qs
    return qs.none()


def get_for(user: Any, queryset: models.QuerySet[M] | type[M], **lookup: Any) -> M:
    """The one object matching LOOKUP that USER may see; raises NotFound otherwise."""
    qs = scoped(user, queryset)
    try:
        return qs.get(**lookup)
    # OverflowError: an id past the 64-bit range (SQLite refuses to bind it) names no object either.
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as exc:  # the model's DoesNotExist too
        raise NotFound(_("没有找到该记录。")) from exc
