"""The vocabulary of access rules: who may call a route, and which objects fill its parameters.

Each app declares its routes in `tests/<app>/access_rules.py` (see docs/testing.md, "Adding a
route"):

    RULES = {
        "rma_order": staff("order"),                       # a page, by URL name
        "portal_order": dealer("order"),
        "GET /api/v1/service-orders/{order_id}": dealer("order"),   # an API operation
        "warranty_check": public(),
    }
    KINDS = {"order": Kind(fill=lambda seed, dealer: {"pk": seed.order(dealer).pk}, missing={"pk": 987654321})}

`fill` names real objects of one dealer in the seeded database; `missing` names ones that do not
exist, so that "another dealer's object" can be compared with "no such object".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    """Fills a route's parameters: FILL(seed, dealer) for that dealer's object, MISSING for none."""

    fill: Callable[[Any, Any], dict[str, Any]]
    missing: dict[str, Any]


@dataclass(frozen=True)
class Rule:
    """Who may call a route: `public`, `dealer` (staff too; a dealer only its own objects), `portal`
    (a dealer only its own objects; staff not at all), `signed_in` (any user, data of no dealer) or `staff`."""

    access: str
    kind: str | None = None
    fixed: dict[str, Any] = field(default_factory=dict)  # constant parameters, e.g. {"event": "cancel"}
    body: dict[str, Any] | None = None  # POST/PATCH body that passes validation, so scoping is what answers
    note: str = ""
    query: dict[str, str] = field(default_factory=dict)  # query string, e.g. {"dealer": "GX-NN01"}


def public(kind: str | None = None, /, *, body: dict[str, Any] | None = None, query: dict[str, str] | None = None,
           **fixed: Any) -> Rule:
    """No login needed and nothing private shown (warranty check, public status pages)."""
    return Rule("public", kind, fixed, body, query=query or {})


def dealer(kind: str | None = None, /, *, body: dict[str, Any] | None = None, query: dict[str, str] | None = None,
           **fixed: Any) -> Rule:
    """Signed-in dealers see their own objects (another dealer's is a 404 like a missing one); staff see all."""
    return Rule("dealer", kind, fixed, body, query=query or {})


def portal(kind: str | None = None, /, *, body: dict[str, Any] | None = None, query: dict[str, str] | None = None,
           **fixed: Any) -> Rule:
    """The dealer portal: a dealer's own objects only (another dealer's is a 404 like a missing one); staff 403/404."""
    return Rule("portal", kind, fixed, body, query=query or {})


def signed_in(kind: str | None = None, /, *, body: dict[str, Any] | None = None,
              query: dict[str, str] | None = None, **fixed: Any) -> Rule:
    """Anybody signed in (dealers too), on data that belongs to no dealer (a published FAQ article)."""
    return Rule("signed_in", kind, fixed, body, query=query or {})


def staff(kind: str | None = None, /, *, body: dict[str, Any] | None = None, query: dict[str, str] | None = None,
          **fixed: Any) -> Rule:
    """Vendor staff only: a dealer's user gets 403 or 404, for its own dealer's objects and for others'."""
    return Rule("staff", kind, fixed, body, query=query or {})


def skip(reason: str) -> Rule:
    """Not walked by the matrix (say why, and where it is tested instead)."""
    return Rule("skip", note=reason)
