"""One open service line per unit, guarded by the database (a partial unique index).

The form check reads before it inserts; two forms for one serial submitted at the same moment
both pass the read. The index makes the second insert fail, and the service answers it like
the check does (422, the row and the serial), with nothing stored.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from shouhou.domain.errors import Invalid
from shouhou.rma.models import DRAFT, OPEN_STATES, OrderLine, ServiceOrder
from shouhou.rma.services import line_apply, order_submit
from tests.rma.conftest import Api, order_body
from tests.rma.test_concurrency import SUBMITTED, in_threads, postgres_only, roles  # noqa: F401


def submit(dealer, actor, serial):
    return order_submit(dealer=dealer, actor=actor, contact_name="李工", contact_phone="1380000",
                        return_address="南宁", submitted_at=SUBMITTED, topology_required=False,
                        lines=[{"serial": serial, "fault": "无法开机"}])


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_line_for_one_unit(dealer_a, service_center, make_unit):
    unit = make_unit("SN-ONE-0001")
    order = submit(dealer_a, service_center, unit.serial)
    other = ServiceOrder.objects.create(dealer=dealer_a, submitted_at=order.submitted_at,
                                        reported_at=order.reported_at)
    first = order.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=other, unit=unit, serial=unit.serial, coverage=first.coverage,
                                 state=first.state, due_at=first.due_at)


@pytest.mark.django_db
def test_a_closed_line_and_drafts_do_not_block_a_new_line(dealer_a, service_center, make_unit):
    unit = make_unit("SN-ONE-0002")
    order = submit(dealer_a, service_center, unit.serial)
    line_apply(line=order.lines.get(), event="cancel", actor=service_center, version=1,
               fields={"reason": "用户已自行解决"})
    draft = ServiceOrder.objects.create(dealer=dealer_a)
    OrderLine.objects.create(order=draft, unit=unit, serial=unit.serial, state=DRAFT)
    again = submit(dealer_a, service_center, unit.serial)
    assert again.lines.get().state in OPEN_STATES


@pytest.mark.django_db
def test_a_second_form_for_a_unit_in_service_is_refused_with_nothing_stored(dealer_a, service_center,
                                                                            make_unit):
    unit = make_unit("SN-ONE-0003")
    submit(dealer_a, service_center, unit.serial)
    with pytest.raises(Invalid) as caught:
        submit(dealer_a, service_center, unit.serial)
    assert caught.value.extra["field"] == "lines[1].serial"
    assert ServiceOrder.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_api_submissions_for_one_serial_make_one_order(roles, dealer_a, make_user,  # noqa: F811
                                                                         token_for, make_unit):
    staff = make_user("service_center")
    token = token_for(staff)
    make_unit("SN-RACE-ONE")

    results = in_threads(20, lambda i: Api(token).post("/service-orders", order_body("SN-RACE-ONE")))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [422] * 19, codes
    refused = [r.json() for r in results if r.status_code == 422]
    assert {body["field"] for body in refused} == {"lines[1].serial"}
    assert OrderLine.objects.filter(serial="SN-RACE-ONE", state__in=OPEN_STATES).count() == 1
    assert ServiceOrder.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_identical_portal_submissions_make_one_order(roles, dealer_a, make_user, make_unit):  # noqa: F811
    dealer_user = make_user("dealer", dealer=dealer_a)
    make_unit("SN-RACE-TWO")

    results = in_threads(10, lambda i: order_submit(
        dealer=dealer_a, actor=dealer_user, contact_name="李工", contact_phone="1380000", return_address="南宁",
        topology_required=False, lines=[{"serial": "SN-RACE-TWO", "fault": "无法开机"}]))
    made = [r for r in results if isinstance(r, ServiceOrder)]
    refused = [r for r in results if isinstance(r, Invalid)]
    assert len(made) == 1 and len(refused) == 9, results
    assert ServiceOrder.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_one_replacement_unit_for_two_lines(dealer_a, service_center, make_unit):
    from shouhou.registry.models import UnitStatus

    spare = make_unit("SN-SPARE-0001", status=UnitStatus.IN_STOCK)
    lines = [submit(dealer_a, service_center, make_unit(f"SN-ONE-01{i}").serial).lines.get() for i in range(2)]
    OrderLine.objects.filter(pk=lines[0].pk).update(replacement_unit=spare)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.filter(pk=lines[1].pk).update(replacement_unit=spare)
