"""The seeded database of the gates, built once per test module."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from tests.gates.seed import build_seed


@pytest.fixture(scope="module")
def seed(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint inside it (as Django's setUpTestData does)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_seed()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
