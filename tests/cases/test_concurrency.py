"""Gap-free case numbers under concurrent openings on real PostgreSQL, and one winner per version.

Real threads, each with its own connection, against committed data (`transaction=True`).
SQLite serialises writers, so there the serial variant checks gap-free numbering only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from shouhou.cases.models import Case
from shouhou.cases.services import Reporter, case_apply, case_open
from shouhou.core.roles import Role
from shouhou.domain.errors import StaleVersion

from .conftest import at

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite serialises writers")


@pytest.fixture
def roles(db: None) -> None:
    from django.contrib.auth.models import Group

    for role in Role.values:
        Group.objects.get_or_create(name=role)


def in_threads(n: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (collected, asserted by the test)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _open(actor: Any, i: int) -> Case:
    return case_open(actor=actor, channel="hotline", case_type="consultation", subject=f"来电 {i}",
                     reporter=Reporter(phone=f"138001380{i:02d}"), opened_at=at("2026-03-02 11:00"))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_openings_get_gap_free_numbers(roles, make_user):
    staff = make_user("customer_service")
    results = in_threads(20, lambda i: _open(staff, i).number)
    assert sorted(results) == [f"C2026-{n:06d}" for n in range(1, 21)]
    assert Case.objects.count() == 20


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_have_one_winner(roles, make_user):
    people = [make_user("customer_service") for _ in range(20)]
    case = _open(people[0], 0)
    results = in_threads(20, lambda i: case_apply(case=case, event="accept", actor=people[i], version=1))
    winners = [r for r in results if isinstance(r, Case)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleVersion) for r in results if not isinstance(r, Case))
    case.refresh_from_db()
    assert case.owner == winners[0].owner == case.first_responder and case.version == 2


@pytest.mark.django_db(transaction=True)
def test_serial_openings_are_gap_free(roles, make_user):
    staff = make_user("customer_service")
    assert [_open(staff, i).number for i in range(5)] == [f"C2026-{n:06d}" for n in range(1, 6)]
