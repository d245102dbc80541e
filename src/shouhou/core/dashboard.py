"""Panels of the dashboard (工作台). Apps register a panel function from AppConfig.ready(), as
they do for NAV_ITEMS; core never imports them.

A panel function takes the signed-in user and the current time and returns a `Panel` (a
template and its context) or None when it has nothing for that user. Each should read its
figures in a fixed, small number of queries: the dashboard is everyone's first page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelFn = Callable[[Any, datetime], Panel | None]
PANELS: list[PanelFn] = []


def register(fn: PanelFn) -> None:
    if fn not in PANELS:
        PANELS.append(fn)


def panels_for(user: Any, now: datetime) -> list[Panel]:
    return [panel for panel in (fn(user, now) for fn in PANELS) if panel is not None]
