"""Request types for views, so that the type checker knows what the middleware has set.

``AuthenticatedHttpRequest`` is the request a view behind ``login_required`` / ``role_required``
gets: its user is signed in (never AnonymousUser), and django-htmx has set ``htmx``. As
healthchecks does (``hc/accounts/http.py``): annotate such a view's request with it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from shouhou.core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrower than HttpRequest's User | AnonymousUser, on purpose
    htmx: HtmxDetails
