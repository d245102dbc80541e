"""The case list's xlsx: exactly the page's filtered rows, formula-safe, a dealer's own cases only."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from shouhou.cases.services import Reporter

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/","点击")'


def _sheet(resp) -> list[list[object]]:
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def _page_numbers(resp) -> list[str]:
    body = resp.content.decode().split("<tbody>", 1)[1]
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', body)


@pytest.fixture
def listed(open_case, unit_a, unit_b):
    from shouhou.registry.models import Customer

    customer = Customer.objects.create(name=LINK, dealer=unit_a.dealer)
    unit_a.customer = customer
    unit_a.save(update_fields=["customer"])
    return {
        "a_fault": open_case(serial="SNA0001", reporter=Reporter(name=LINK, phone="0771-5561234"), subject="蓝屏"),
        "a_consult": open_case(serial="SNA0001", case_type="consultation", channel="qq", subject="+怎么配置"),
        "b_fault": open_case(serial="SNB0001", subject="@掉线"),
    }


def test_the_export_holds_exactly_the_filtered_rows_of_the_page(listed, client_for, cs) -> None:
    client = client_for(cs)
    query = {"type": "fault", "status": "all"}
    page = client.get("/cases/", query)
    numbers = _page_numbers(page)
    assert sorted(numbers) == sorted([listed["a_fault"].number, listed["b_fault"].number])
    rows = _sheet(client.get("/cases/export.xlsx", query))
    assert rows[0][:3] == ["案例号", "主题", "报告人"]
    assert [r[0] for r in rows[1:]] == numbers  # same order as the page: newest first
    # Unfiltered: all three.
    assert len(_sheet(client.get("/cases/export.xlsx", {"status": "all"}))) == 4


def test_the_page_links_the_export_with_its_filters(listed, client_for, cs) -> None:
    html = client_for(cs).get("/cases/", {"channel": "qq", "status": "all"}).content.decode()
    link = re.search(r'id="case-export" href="([^"]+)"', html)
    assert link and "导出 Excel" in html
    url = link.group(1).replace("&amp;", "&")
    assert url.startswith("/cases/export.xlsx?") and "channel=qq" in url and "status=all" in url
    rows = _sheet(client_for(cs).get(url))
    assert [r[0] for r in rows[1:]] == [listed["a_consult"].number]


def test_my_cases_export_keeps_the_fixed_owner(listed, client_for, cs, cs2, open_case) -> None:
    mine = open_case(actor=cs2, accept=True, subject="cs2 的案例")
    html = client_for(cs2).get("/cases/mine/").content.decode()
    url = re.search(r'id="case-export" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "owner=kefu2" in url
    assert [r[0] for r in _sheet(client_for(cs2).get(url))[1:]] == [mine.number]


def test_formulas_in_names_come_out_as_text(listed, client_for, cs) -> None:
    rows = _sheet(client_for(cs).get("/cases/export.xlsx", {"status": "all"}))
    by_number = {r[0]: r for r in rows[1:]}
    a = by_number[listed["a_fault"].number]
    assert a[2] == LINK  # the reporter's name
    assert a[4] == LINK  # the customer (company) of the unit
    assert by_number[listed["a_consult"].number][1] == "+怎么配置"
    assert by_number[listed["b_fault"].number][1] == "@掉线"
    # No cell of the file is a formula.
    resp = client_for(cs).get("/cases/export.xlsx", {"status": "all"})
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    assert all(c.data_type != "f" for row in wb.active.iter_rows() for c in row)


def test_a_dealer_exports_only_its_own_cases(listed, client_for, alice, bob) -> None:
    assert client_for(alice).get("/cases/export.xlsx", {"status": "all"}).status_code == 404
    rows = _sheet(client_for(alice).get("/portal/cases/export.xlsx", {"status": "all"}))
    assert sorted(r[0] for r in rows[1:]) == sorted([listed["a_fault"].number, listed["a_consult"].number])
    rows = _sheet(client_for(bob).get("/portal/cases/export.xlsx", {"status": "all"}))
    assert [r[0] for r in rows[1:]] == [listed["b_fault"].number]
    html = client_for(bob).get("/portal/cases/", {"status": "all"}).content.decode()
    assert 'href="/portal/cases/export.xlsx?status=all"' in html
