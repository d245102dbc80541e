"""The REST API (django-ninja): /api/v1/, OpenAPI docs at /api/v1/docs. One router module per app."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import HttpBearer, django_auth

from shouhou.api import calendar as calendar_router
from shouhou.api import cases as cases_router
from shouhou.api import core as core_router
from shouhou.api import faq as faq_router
from shouhou.api import registry as registry_router
from shouhou.api import reports as reports_router
from shouhou.api import rma as rma_router
from shouhou.core.errors import message
from shouhou.core.services import token_authenticate
from shouhou.domain.errors import Invalid, ShouhouError


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
    # `code` and the parameters stay as they are for programs; `detail` is for people.
    response = api.create_response(request, {**exc.as_dict(), "detail": message(exc)}, status=exc.status)
    if exc.status == 429:  # every 429 says when to come back (the rate limits pass `retry_after`)
        response["Retry-After"] = str(max(1, int(exc.extra.get("retry_after", 60))))  # type: ignore[call-overload]
    return response


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: the API's own JSON error, not Django's HTML 400."""
    from django.conf import settings

    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    body = {"code": "too_large", "detail": _("请求内容超过 %(limit)s MB 上限。") % {"limit": limit_mb},
            "limit_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    return api.create_response(request, body, status=413)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Input that fails the schema gets the same body as every other 422 (`code`, `detail`), with
    pydantic's list of problems under `errors`: the operations document that shape for 422."""
    body = {"code": Invalid.code, "detail": _("请求的数据不符合接口说明。"), "errors": exc.errors}
    return api.create_response(request, body, status=422)


api.add_router("", core_router.router)
api.add_router("", registry_router.router)
api.add_router("", calendar_router.router)
api.add_router("", rma_router.router)
api.add_router("", faq_router.router)
api.add_router("", cases_router.router)
api.add_router("", reports_router.router)


def urlpatterns(prefix: str) -> list[URLPattern | URLResolver]:
    """The API's URL patterns under PREFIX. The public coverage route comes first and on its own (the
    hottest path: URL resolution tries patterns in order, and a pattern inside an include costs more to
    resolve), served by a plain Django view that hands what it does not answer to ninja's operation
    (registry.plain_coverage_view); then everything else of ninja's, in the API's namespace."""
    patterns, app_name, namespace = api.urls
    ninja = next(p for p in patterns if isinstance(p, URLPattern) and p.name == "unit_coverage")
    patterns.remove(ninja)
    plain = registry_router.plain_coverage_view(ninja.callback, api.on_exception)
    return [path(prefix + str(ninja.pattern), plain), path(prefix, (patterns, app_name, namespace))]
