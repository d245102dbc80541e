"""The database enforces the line invariants the domain relies on."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from shouhou.domain import rma
from shouhou.rma.models import OrderLine, ServiceOrder


@pytest.fixture
def line(dealer_a):
    from django.utils import timezone

    from shouhou.registry.models import ProductModel, Unit

    pm = ProductModel.objects.create(code="X1", name="X1", replacement_days=90, warranty_months=36)
    unit = Unit.objects.create(serial="SN-M-0001", product_model=pm, dealer=dealer_a, shipped_on=date(2025, 1, 1))
    now = timezone.now()
    order = ServiceOrder.objects.create(dealer=dealer_a, submitted_at=now, reported_at=now)
    return OrderLine.objects.create(order=order, unit=unit, serial=unit.serial, coverage="warranty",
                                    state="submitted", due_at=now, clock_started_at=now, last_event_at=now)


def test_a_state_path_pair_outside_the_domain_table_is_refused(line):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=line.pk).update(state="repairing", path="free_replacement")


def test_every_domain_state_path_pair_is_accepted(line):
    for state, paths in rma.STATE_PATHS.items():
        for path in paths:
            due = {"due_at": None, "dealer_due_at": None}
            OrderLine.objects.filter(pk=line.pk).update(state=state.value, path=path and path.value, **due)


def test_both_clocks_at_once_are_refused(line):
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=line.pk).update(dealer_due_at=line.due_at)


def test_snapshot_and_apply_round_trip(line):
    from shouhou.workdays.selectors import calendar

    snap = line.snapshot()
    assert snap.state is rma.State.SUBMITTED
    step = rma.apply(snap, "approve", at=line.last_event_at, calendar=calendar())
    changed = line.apply(step)
    assert "state" in changed and "version" in changed
    line.save(update_fields=changed)
    line.refresh_from_db()
    assert line.snapshot() == step.line


def test_every_domain_state_has_a_label_and_a_public_label():
    from shouhou.domain import rma
    from shouhou.rma.models import PUBLIC_STATE_LABELS, LineState

    states = {s.value for s in rma.State}
    assert states <= set(LineState.values)
    assert set(PUBLIC_STATE_LABELS) == states
