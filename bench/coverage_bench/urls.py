"""Shouhou's URLs plus two baselines that the coverage API is compared with on the same server,
middleware and settings:

- /bench/bare: a plain Django view returning a fixed 200-byte JSON body;
- /bench/floor/<serial>: the one-query floor, a plain Django view that runs the coverage endpoint's
  own prepared lookup (`_coverage_row`) for SERIAL and returns the same fixed body: what any endpoint
  doing one database round trip costs on this machine.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from shouhou.registry.selectors import _coverage_row

BODY = (b'{"serial":"BN00000001","model":"SN-D200","coverage":"warranty","warranty_start":"2024-01-01",'
        b'"replacement_end":"2024-03-30","warranty_end":"2026-12-31","days_left":35,"dealer":null,"pad":"')
BODY = BODY + b"x" * (198 - len(BODY)) + b'"}'
assert len(BODY) == 200


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


def floor(request: HttpRequest, serial: str) -> HttpResponse:
    if _coverage_row(connections[DEFAULT_DB_ALIAS], serial) is None:
        return HttpResponse(status=404)  # wrk counts it as an error: the Lua script asks for known serials
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/bare", bare), path("bench/floor/<str:serial>", floor),
               path("", include("shouhou.core.urls"))]
