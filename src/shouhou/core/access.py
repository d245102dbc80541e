"""Decorators that say who may open a page. Dealer data is further scoped by shouhou.core.scoping."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from shouhou.domain.errors import NotFound

View = Callable[..., HttpResponseBase]  # pages, files and redirects alike


def role_required(*roles: str) -> Callable[[View], View]:
    """Only signed-in users holding one of ROLES; others get 404, so staff URLs are not revealed."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_role(*roles):  # type: ignore[union-attr]
                raise NotFound(_("页面不存在。"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(view: View) -> View:
    """Any vendor staff role; dealer users get 404."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_vendor_staff:  # type: ignore[union-attr]
            raise NotFound(_("页面不存在。"))
        return view(request, *args, **kwargs)

    return wrapped
