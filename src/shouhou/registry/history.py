"""A unit's service history, gathered from the apps that serve units (service orders, later cases).

The registry does not import those apps: each registers a provider here from its AppConfig.ready(),
and the unit page shows what they return, newest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shouhou.registry.models import Unit


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # e.g. "售后服务单"
    title: str  # e.g. "RMA2026-000123 第 1 行"
    status: str  # a label such as "已签收"
    url: str


HistoryProvider = Callable[[Any, Unit], list[HistoryEntry]]
PROVIDERS: list[HistoryProvider] = []


def register(provider: HistoryProvider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def unit_history(user: Any, unit: Unit) -> list[HistoryEntry]:
    """Every provider's entries for UNIT that USER may see (providers scope their own queries)."""
    entries = [entry for provider in PROVIDERS for entry in provider(user, unit)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
