"""Every route of the product, found from the URL resolver (pages) and the OpenAPI document (API),
joined with the rules the apps declare in `tests/<app>/access_rules.py`."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from tests.gates.rules import Kind, Rule

TESTS = Path(__file__).resolve().parent.parent
# Prefixes the page walk leaves to others: the API (walked from its OpenAPI document) and Django's
# admin (its own staff check; tests/core/test_access.py covers a dealer with is_staff).
NOT_PAGES = ("api/", "admin/")


@dataclass(frozen=True)
class Route:
    key: str  # the URL name for a page, "METHOD /path" for an API operation
    api: bool
    pattern: str  # as written in urls.py or in the OpenAPI document
    params: tuple[str, ...]
    methods: tuple[str, ...]
    module: str  # the module of the view, which says which app owns the route

    @property
    def app(self) -> str:
        parts = self.module.split(".")
        return parts[2] if parts[:2] == ["shouhou", "api"] else parts[1]

    def __str__(self) -> str:
        return self.key if self.api else f"{self.key} (/{self.pattern})"


def _page_routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if pattern.startswith(NOT_PAGES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _page_routes(entry, pattern, inner)
            continue
        assert isinstance(entry, URLPattern)
        callback = entry.callback
        module = getattr(callback, "view_class", callback).__module__
        name = f"{namespace}{entry.name}" if entry.name else f"<unnamed /{pattern}>"
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", pattern)) + tuple(entry.pattern.regex.groupindex
                                                                      if "(?P<" in pattern else ())
        routes.append(Route(name, False, pattern, params, ("GET", "POST"), module))
    return routes


def _api_routes() -> list[Route]:
    from shouhou.api.urls import api

    modules = {op.operation_id or api.get_openapi_operation_id(op): op.view_func.__module__
               for _prefix, router in api._routers for path_view in router.path_operations.values()
               for op in path_view.operations}
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            params = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "path")
            module = modules.get(operation["operationId"], "shouhou.api.core")
            routes.append(Route(f"{method.upper()} {path}", True, path, params, (method.upper(),), module))
    return routes


def all_routes() -> list[Route]:
    return sorted(_page_routes(get_resolver()) + _api_routes(), key=lambda r: r.key)


def declared() -> tuple[dict[str, Rule], dict[str, Kind], dict[str, str]]:
    """RULES and KINDS of every tests/<app>/access_rules.py, and which file declared each rule."""
    rules: dict[str, Rule] = {}
    kinds: dict[str, Kind] = {}
    where: dict[str, str] = {}
    for path in sorted(TESTS.glob("*/access_rules.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_rules")
        name = str(path.relative_to(TESTS.parent))
        for key, rule in getattr(module, "RULES", {}).items():
            if key in rules:
                raise AssertionError(f"{key} is declared twice: in {where[key]} and in {name}")
            rules[key] = rule
            where[key] = name
        for kind_name, kind in getattr(module, "KINDS", {}).items():
            if kind_name in kinds:
                raise AssertionError(f"object kind {kind_name!r} is declared twice (see {name})")
            kinds[kind_name] = kind
    return rules, kinds, where


def rules_file_for(route: Route) -> str:
    app = route.app if (TESTS / route.app).is_dir() else "core"
    return f"tests/{app}/access_rules.py"


def missing_rule_message(route: Route, kinds: dict[str, Kind]) -> str:
    example_kind = f'"{route.params[0]}-kind"' if route.params else ""
    lines = [
        f"{route} has no access rule.",
        f"Declare who may call it in {rules_file_for(route)}, in RULES (create the file if it is missing):",
        f'    "{route.key}": public({example_kind}) | dealer({example_kind}) | portal({example_kind}) '
        f'| signed_in({example_kind}) | staff({example_kind}),',
        "  public: no login, nothing private; dealer: a dealer's user sees its own objects and gets 404 for",
        "  another dealer's, staff see all; portal: like dealer, but staff get 403/404; signed_in: any user, data",
        "  of no dealer; staff: vendor staff only",
        "  (a dealer gets 403/404). Constant parameters and a valid body go along: staff(\"line\", event=\"receive\",",
        "  body={...}); a query string with query={...}.",
    ]
    if route.params:
        lines += [
            f"Its parameters {', '.join(route.params)} are filled by an object kind; the declared ones fill: "
            + "; ".join(f"{name} ({', '.join(kind.missing)})" for name, kind in sorted(kinds.items())) + ",",
            "or a new one in KINDS of the same file: Kind(fill=lambda seed, dealer: {...one dealer's object...}, "
            "missing={...ids that do not exist...}).",
        ]
    lines.append("See docs/testing.md, \"Adding a route\".")
    return "\n".join(lines)
