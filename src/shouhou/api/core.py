"""Who am I. Dealers, units and the rest of the registry are in shouhou.api.registry."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from shouhou.core.models import User

router = Router(tags=["core"])


class MeDealerOut(Schema):
    """Named apart from the registry's DealerOut: OpenAPI components share one namespace."""

    code: str
    name: str
    phone: str
    email: str
    active: bool


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    dealer: MeDealerOut | None


@router.get("/me", response=MeOut, summary="The signed-in user or token owner")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    assert isinstance(user, User)  # noqa: S101  (the router's auth lets only signed-in users and tokens in)
    return {
        "username": user.username,
        "name": user.name,
        "roles": sorted(user.roles),
        "dealer": user.dealer,
    }
