"""Turn domain errors raised in page views into a page with the right status.

Views never catch ShouhouError; the API has its own handler (shouhou.api) for JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from shouhou.core.errors import message
from shouhou.domain.errors import ShouhouError


class ShouhouErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ShouhouError):
            return None
        return render(
            request,
            "core/error.html",
            {"error": message(exception), "status": exception.status},
            status=exception.status,
        )


class NulCharacterMiddleware:
    """Refuse a query string carrying a NUL character: no text column can store or compare one
    (PostgreSQL raises on it), so it is bad input, answered before any view runs: 400, or the
    API's JSON 422."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())
                or _json_body_has_nul(request)):
            message = _("请求参数含有无效字符。")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid", "detail": message}, status=422)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# A JSON string holds NUL only as the escape \u0000 (a raw control character is not JSON): an
# escape is one not itself escaped, i.e. after an even run of backslashes.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _json_body_has_nul(request: HttpRequest) -> bool:
    """Whether an API request's JSON body carries a NUL character anywhere, which no text column
    can store (PostgreSQL refuses it with an error at write time, long after validation)."""
    if not request.path.startswith("/api/") or request.content_type != "application/json":
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # ApiBodyLimitMiddleware answers it with the API's 413
    return b"\x00" in body or _JSON_NUL.search(body) is not None


class ApiBodyLimitMiddleware:
    """Answer an API request whose declared body is over the limit with the API's JSON 413,
    whichever operation it names: Django only notices a large body when a view reads it, and an
    operation without a body (or a multipart one sent JSON) would answer something else.
    Multipart uploads are left to the upload handlers (files have their own limits)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if (limit is not None and request.path.startswith("/api/")
                and not (request.content_type or "").startswith("multipart/")):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                message = _("请求内容超过 %(limit)s MB 上限。") % {"limit": limit // (1024 * 1024)}
                return JsonResponse({"code": "too_large", "reason": "too_large", "detail": message,
                                     "limit_bytes": limit}, status=413)
        return self.get_response(request)


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese for everyone unless they chose another language with the switch on the page.

    Django's own middleware follows the browser's Accept-Language, so a service-centre PC with an
    English Windows would get English pages; our users expect the product's language (DESIGN §1)
    and pick English explicitly. The choice is the language cookie set by `set_language`.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RetryAfterMiddleware:
    """Every 429 says when to come back. The rate limits set Retry-After themselves (the rest of
    their window); a login lockout (django-axes) lasts AXES_COOLOFF_TIME, and anything else gets a
    minute. Sits outside AxesMiddleware, which builds the lockout response on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            seconds = 60
            if getattr(request, "axes_locked_out", False):
                seconds = int(float(getattr(settings, "AXES_COOLOFF_TIME", 0) or 0) * 3600) or 60
            response["Retry-After"] = str(seconds)
        return response
