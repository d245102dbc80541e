"""`shouhou demo generate`: a small generated set is valid row by row, covers every path and case
kind, follows the working-day calendar, and is the same for the same seed."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.db import transaction

from shouhou.reports.generate import Spec, generate

UNTIL = date(2026, 11, 30)
SMALL = Spec(units=1500, orders=300, cases=150, seed=7, years=3, until=UNTIL)


class Rollback(Exception):
    pass


@pytest.fixture
def generated(db):
    return generate(SMALL)


def _fingerprint() -> str:
    from shouhou.cases.models import Case, CaseRating
    from shouhou.registry.models import Unit
    from shouhou.rma.models import DeadlineRecord, OrderLine, Quote, Shipment

    h = hashlib.sha256()
    for qs in (
        Unit.objects.order_by("id").values_list("serial", "shipped_on", "product_model__code", "dealer__code", "status",
                                                "replaces__serial"),
        OrderLine.objects.order_by("id").values_list("order__number", "serial", "coverage", "state", "path", "due_at",
                                                     "dealer_due_at", "version", "components", "order__reported_at"),
        DeadlineRecord.objects.order_by("id").values_list("line__serial", "kind", "party", "due_at", "met_at", "late"),
        Shipment.objects.order_by("id").values_list("line__serial", "kind", "shipped_at", "replacement_serial"),
        Quote.objects.order_by("id").values_list("line__serial", "status", "total", "answered_at"),
        Case.objects.order_by("id").values_list("number", "channel", "case_type", "status", "opened_at",
                                                "first_responded_at", "resolved_at", "resolution_category"),
        CaseRating.objects.order_by("id").values_list("case__number", "score"),
    ):
        for row in qs:
            h.update(repr(row).encode())
    return h.hexdigest()


def test_every_generated_row_passes_model_validation(generated) -> None:
    from shouhou.cases.models import Case, CaseRating
    from shouhou.registry.models import Dealer, ProductModel, Unit
    from shouhou.rma.models import Charge, DeadlineRecord, OrderLine, Quote, RepairRecord, ServiceOrder, Shipment

    assert generated.counts["registry.Unit"] >= 1500
    for model in (ProductModel, Dealer, Unit, ServiceOrder, OrderLine, DeadlineRecord, Shipment, Quote, RepairRecord,
                  Charge, Case, CaseRating):
        rows = list(model.objects.order_by("?")[:60])  # a sample: each row costs a query per constraint
        assert rows, model
        for obj in rows:
            # Field validators (serial and code patterns, region codes, choices) and every
            # constraint of the model, checked by Django against the stored rows.
            obj.full_clean(validate_unique=model is not Unit)


def test_the_set_has_every_path_and_both_punctual_and_late_steps(generated) -> None:
    from django.db.models import Count, Q

    from shouhou.cases.models import Case, CaseRating
    from shouhou.registry.models import ProductModel
    from shouhou.rma.models import Charge, DeadlineRecord, OrderLine, Quote, ServiceOrder

    paths = set(OrderLine.objects.exclude(path=None).values_list("path", flat=True))
    assert paths >= {"free_replacement", "paid_replacement", "advance_replacement", "free_repair", "paid_repair",
                     "no_fault_found", "return_unrepaired", "best_effort", "rejected"}
    assert OrderLine.objects.filter(advance_requested=True, state="closed").exists()
    assert Charge.objects.exists()  # an advance replacement's damaged unit billed afterwards
    assert set(Quote.objects.values_list("status", flat=True)) >= {"confirmed", "declined"}
    assert OrderLine.objects.filter(scrap=True, state="closed").exists()
    # Lines still under way at the end, some of them past due.
    assert OrderLine.objects.exclude(state__in=["closed", "rejected", "cancelled"]).exists()
    tallies = DeadlineRecord.objects.aggregate(
        met=Count("pk", filter=Q(late=False)), late=Count("pk", filter=Q(late=True)),
        open=Count("pk", filter=Q(met_at=None)))
    assert tallies["met"] > 4 * tallies["late"] > 0
    assert tallies["open"] > 0
    kinds = set(DeadlineRecord.objects.values_list("kind", flat=True))
    assert kinds >= {"review", "ship_advance", "faulty_return", "inspect", "ship", "quote_answer", "return"}
    # Forms that needed more information (incomplete at first submission).
    assert DeadlineRecord.objects.filter(kind="review").values("line").annotate(n=Count("pk")).filter(n=2).exists()
    assert ServiceOrder.objects.filter(lines__position=2).exists()  # forms with several units
    assert {m.discontinued_on is not None for m in ProductModel.objects.all()} == {True, False}
    # Cases of every channel and type, both targets met and missed, FAQ resolutions, ratings.
    assert set(Case.objects.values_list("channel", flat=True)) == {"hotline", "qq", "email", "web", "portal", "api"}
    assert set(Case.objects.values_list("case_type", flat=True)) == {"consultation", "fault", "repair", "complaint"}
    assert Case.objects.filter(resolution_category="resolved_by_faq").exists()
    from django.db.models import F

    assert Case.objects.filter(first_responded_at__lte=F("first_response_due")).exists()
    assert Case.objects.filter(first_responded_at__gt=F("first_response_due")).exists()
    assert Case.objects.filter(resolved_at__gt=F("resolution_due")).exists()
    assert Case.objects.filter(case_type="complaint", about_dealer__isnull=False, dealer__isnull=True).exists()
    assert set(CaseRating.objects.exclude(score=None).values_list("score", flat=True)) == {1, 2, 3, 4, 5}


def test_due_times_follow_the_working_day_calendar_across_holidays(generated) -> None:
    from shouhou.rma.models import DeadlineRecord
    from shouhou.rma.policy import work_calendar

    cal = work_calendar()
    spans_holiday = 0
    for rec in DeadlineRecord.objects.filter(kind="review").order_by("id"):
        assert rec.due_at == cal.due(rec.started_at, 1), rec
        start = cal.local(rec.started_at).date()
        end = cal.local(rec.due_at).date()
        days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
        spans_holiday += any(cal.kind(d) == "holiday" for d in days)
    assert spans_holiday > 0  # some reviews fell due after an official holiday


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db) -> None:
    prints = []
    for spec in (SMALL, SMALL, Spec(**{**SMALL.__dict__, "seed": 8})):
        try:
            with transaction.atomic():
                generate(Spec(**{**spec.__dict__, "units": 300, "orders": 40, "cases": 30}))
                prints.append(_fingerprint())
                raise Rollback
        except Rollback:
            pass
    assert prints[0] == prints[1]
    assert prints[0] != prints[2]


def test_a_seed_already_used_is_refused(generated) -> None:
    from shouhou.domain.errors import Invalid

    with pytest.raises(Invalid) as err:
        generate(SMALL)
    assert err.value.extra["code"] == "already_generated"


def test_the_command_line(db, capsys) -> None:
    from shouhou.core.cli import main

    assert main(["demo", "generate", "--units", "400", "--orders", "40", "--cases", "20", "--seed", "3",
                 "--until", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "rma.OrderLine:" in out and "cases.Case: 20" in out
    assert main(["demo", "generate", "--units", "0", "--orders", "1", "--cases", "1"]) == 2
