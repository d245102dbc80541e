"""Who am I, and the dealers the caller may see (the registry grows this into full CRUD)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from shouhou.core.scoping import get_for, scoped
from shouhou.registry.models import Dealer

router = Router(tags=["core"])


class DealerOut(Schema):
    code: str
    name: str
    phone: str
    email: str
    active: bool


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    dealer: DealerOut | None


@router.get("/me", response=MeOut, summary="The signed-in user or token owner")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.username,
        "name": user.name,
        "roles": sorted(user.roles),
        "dealer": user.dealer,
    }


@router.get("/dealers", response=list[DealerOut], summary="Dealers the caller may see")
def dealer_list(request: HttpRequest) -> list[Dealer]:
    return list(scoped(request.user, Dealer).order_by("code")[:500])


@router.get("/dealers/{code}", response=DealerOut, summary="One dealer; 404 for another dealer's")
def dealer_get(request: HttpRequest, code: str) -> Dealer:
    return get_for(request.user, Dealer, code=code)
