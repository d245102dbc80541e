"""The REST API (django-ninja): /api/v1/, OpenAPI docs at /api/v1/docs. One router module per app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from shouhou.api import calendar as calendar_router
from shouhou.api import core as core_router
from shouhou.api import registry as registry_router
from shouhou.api import rma as rma_router
from shouhou.core.services import token_authenticate
from shouhou.domain.errors import ShouhouError


class BearerToken(HttpBearer):
    """`Authorization: Bearer TOKEN`; the token's user becomes request.user for the scoping layer."""

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Shouhou API",
    version="1",
    description="售后 REST API. Authenticate with `Authorization: Bearer TOKEN` (see `shouhou token create`).",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ShouhouError)
def shouhou_error(request: HttpRequest, exc: ShouhouError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_router("", core_router.router)
api.add_router("", registry_router.router)
api.add_router("", calendar_router.router)
api.add_router("", rma_router.router)
