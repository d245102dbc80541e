from __future__ import annotations

from django.http import HttpRequest

from shouhou.core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_sections": items_for(user)}
