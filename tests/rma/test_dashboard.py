"""The dashboard answers "what needs doing, what slipped": for staff from a few aggregate
queries whatever the number of lines, for a dealer its own to-dos; each figure links to the
queue (or the portal) filtered to exactly those lines."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shouhou.rma.dashboard import dealer_figures, staff_figures
from shouhou.rma.demo import working_days_back
from shouhou.rma.policy import work_calendar
from shouhou.rma.selectors_ui import line_search
from shouhou.rma.services import line_apply, order_submit

pytestmark = pytest.mark.django_db

LIQUID = {"fault_confirmed": True, "damage": ["liquid"], "components": ["主板"]}
QUOTE = {"items": [{"text": "更换主板", "amount": "680.00"}], "options": ["paid_repair"]}


@pytest.fixture
def ref():
    """A past noon on a working day: the 'now' of the figures, so lines can be dated around it."""
    cal = work_calendar()
    day = working_days_back(cal, timezone.localdate(), 1)
    return datetime.combine(day, time(12, 0), cal.tz)


def at(ref: datetime, wd_back: int, hour: int = 11) -> datetime:
    return datetime.combine(working_days_back(work_calendar(), ref.date(), wd_back), time(hour, 0), ref.tzinfo)


def submit(staff, unit, when: datetime):
    order = order_submit(dealer=unit.dealer, actor=staff, contact_name="李工", contact_phone="13800000000",
                         return_address="南宁市民族大道 1 号", submitted_at=when, topology_required=False,
                         source="staff", lines=[{"serial": unit.serial, "fault": "无法开机"}])
    return order.lines.get()


def step(line, event, actor, when, **fields):
    return line_apply(line=line, event=event, actor=actor, version=line.version, at=when, fields=fields)


@pytest.fixture
def lines(ref, service_center, alice, bob, make_unit, dealer_b):
    """One line per figure, dated around REF."""
    staff = service_center
    units = [make_unit(f"SND-{i}", date(2024, 6, 1)) for i in range(6)]
    units.append(make_unit("SND-B1", date(2024, 6, 1), dealer=dealer_b))
    made = {}
    made["review_late"] = submit(staff, units[0], at(ref, 2))  # review due 1 WD before REF
    made["review_today"] = submit(staff, units[1], at(ref, 1))  # review due REF's day, 18:30
    line = submit(staff, units[2], at(ref, 3))
    line = step(line, "approve", staff, at(ref, 3, 15))
    made["received"] = step(line, "receive", staff, at(ref, 1, 10), condition="完好")
    line = submit(staff, units[3], at(ref, 4))
    line = step(line, "approve", staff, at(ref, 4, 15))
    line = step(line, "receive", staff, at(ref, 2, 10))
    line = step(line, "inspect", staff, at(ref, 2, 14), **LIQUID)
    made["quoted"] = step(line, "send_quote", staff, at(ref, 2, 16), **QUOTE)
    old = ref - timedelta(days=20)
    line = submit(staff, units[4], old)
    line = step(line, "approve", staff, old + timedelta(hours=3))
    line = step(line, "receive", staff, old + timedelta(days=1))
    line = step(line, "inspect", staff, old + timedelta(days=1, hours=1), **LIQUID)
    made["quote_expired"] = step(line, "send_quote", staff, old + timedelta(days=1, hours=2), **QUOTE, valid_days=3)
    cancelled = submit(staff, units[5], at(ref, 3))
    made["cancelled"] = step(cancelled, "cancel", staff, at(ref, 3, 15), reason="误报")
    made["bob_approved"] = step(submit(staff, units[6], at(ref, 2)), "approve", staff, at(ref, 2, 15))
    return made


def test_staff_figures_count_what_needs_doing_and_what_slipped(manager, lines, ref):
    p = staff_figures(manager, ref)
    figures = {card.key: card.value for card in p["cards"]}
    assert figures == {"open": 6, "due_today": 1, "overdue": 1, "review": 2, "received": 1, "dealer_waiting": 2,
                       "dealer_overdue": 1}
    alerts = {card.key for card in p["cards"] if card.alert}
    assert alerts == {"overdue", "dealer_overdue"}
    # Most overdue first: the quote that expired days ago, then the review one working day late.
    assert [row.line.pk for row in p["late"]] == [lines["quote_expired"].pk, lines["review_late"].pk]
    assert [row.dealer_party for row in p["late"]] == [True, False]
    assert p["late"][1].working_days == 1
    # Our deadlines due in the last 30 days: only the late review was missed.
    assert p["missed"] == 1 and p["met"] >= 5
    assert p["rate"] == round(100 * p["met"] / (p["met"] + 1))


def test_each_figure_links_to_the_queue_showing_exactly_those_lines(manager, lines, ref):
    from urllib.parse import parse_qs, urlsplit

    for card in staff_figures(manager, ref)["cards"]:
        params = {k: v[0] for k, v in parse_qs(urlsplit(card.url).query).items()}
        assert urlsplit(card.url).path == "/rma/"
        overdue = params.get("overdue", "")
        found = line_search(manager, state=params.get("state", ""), due=params.get("due", ""), now=ref,
                            overdue=overdue if overdue in ("vendor", "dealer") else overdue == "1")
        assert found.count() == card.value, card


def test_the_queue_filters_due_today_and_each_partys_overdue(client_for, service_center, lines):
    client = client_for(service_center)
    page = client.get("/rma/", {"overdue": "dealer"}).content.decode()
    assert lines["quote_expired"].serial in page and lines["review_late"].serial not in page
    assert 'value="dealer"' in page and "仅代理商超期" in page
    page = client.get("/rma/", {"overdue": "vendor"}).content.decode()
    assert lines["review_late"].serial in page and lines["quote_expired"].serial not in page
    page = client.get("/rma/", {"state": "quoted,awaiting_return"}).content.decode()
    assert lines["quoted"].serial in page and lines["received"].serial not in page
    assert 'value="quoted,awaiting_return" selected' in page
    page = client.get("/rma/", {"due": "today"}).content.decode()
    assert 'name="due" value="today"' in page and lines["received"].serial not in page


def test_the_staff_dashboard_shows_linked_figures_and_the_late_table(client_for, manager, lines):
    page = client_for(manager).get("/").content.decode()
    for href in ('href="/rma/"', 'href="/rma/?due=today"', 'href="/rma/?overdue=vendor"',
                 'href="/rma/?state=submitted"', 'href="/rma/?state=received"',
                 'href="/rma/?state=quoted%2Cawaiting_return"', 'href="/rma/?overdue=dealer"'):
        assert href in page, href
    assert 'data-stat="users"' in page and 'data-stat="on_time"' in page
    assert "最近超期" in page and lines["quote_expired"].serial in page and "stat-alert" in page
    assert lines["cancelled"].serial not in page


def test_the_staff_dashboard_reads_its_figures_in_a_fixed_number_of_queries(
        client_for, manager, lines, make_unit, service_center, ref, django_assert_num_queries):
    client = client_for(manager)
    client.get("/")  # warm the session and the calendar
    # Session, user, roles, counts, then one aggregate or so per panel (rma, cases, mail, reports…);
    # inside the test's transaction the calendar's version is read again by each panel that uses it.
    # The invariant is that the count does not grow with the number of lines.
    with CaptureQueriesContext(connection) as few_lines:
        assert client.get("/").status_code == 200
    for i in range(8):
        submit(service_center, make_unit(f"SND-X{i}", date(2024, 6, 1)), at(ref, 3))  # all late
    with django_assert_num_queries(len(few_lines)):
        page = client.get("/").content.decode()
    assert page.count('class="due overdue"') == 10  # the table stops at ten


def test_a_dealer_sees_its_own_to_dos_with_links_to_the_portal(client_for, alice, lines, ref):
    p = dealer_figures(alice, ref)
    figures = {card.key: card.value for card in p["cards"]}
    # Alice's lines: one quote to answer, one expired; Bob's approved line is not hers.
    assert figures == {"ship": 0, "quote": 2, "delivery": 0, "return": 0, "info": 0, "overdue": 1, "open": 5,
                       "drafts": 0}
    page = client_for(alice).get("/").content.decode()
    assert 'href="/portal/#todo"' in page and "需要您处理" in page and 'data-stat="quote">2<' in page
    assert "最近超期" not in page and 'data-stat="users"' not in page


def test_bobs_dashboard_shows_the_unit_to_ship(client_for, bob, lines, ref):
    figures = {card.key: card.value for card in dealer_figures(bob, ref)["cards"]}
    assert figures["ship"] == 1 and figures["quote"] == 0 and figures["open"] == 1
