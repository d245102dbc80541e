"""Shouhou's URLs plus /bench/bare: a plain Django view returning a fixed 200-byte JSON body,
the baseline that the coverage API is compared with on the same server, middleware and settings."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

BODY = (b'{"serial":"BN00000001","model":"SN-D200","coverage":"warranty","warranty_start":"2024-01-01",'
        b'"replacement_end":"2024-03-30","warranty_end":"2026-12-31","days_left":35,"dealer":null,"pad":"')
BODY = BODY + b"x" * (198 - len(BODY)) + b'"}'
assert len(BODY) == 200


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/bare", bare), path("", include("shouhou.core.urls"))]
