"""The report pages, their per-figure xlsx and the list exports: numbers, filters, access, bad input."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

NOV = {"from": "2025-11-01", "to": "2025-11-30"}
PAGES = ["/reports/", "/reports/quality/", "/reports/dealers/"]


def _sheet(resp) -> list[list[object]]:
    assert resp.status_code == 200, resp.content[:300]
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("path", PAGES)
def test_managers_see_the_report_pages(november, client_for, manager, path) -> None:
    resp = client_for(manager).get(path, NOV)
    assert resp.status_code == 200
    assert b"data-chart" in resp.content


@pytest.mark.parametrize("path", [*PAGES, "/reports/dashboard/deadlines.xlsx", "/reports/lists/overdue.xlsx"])
def test_dealers_and_other_staff_get_404(client_for, alice, make_user, path) -> None:
    assert client_for(alice).get(path).status_code == 404
    assert client_for(make_user("customer_service")).get(path).status_code == 404


def test_the_dashboard_shows_the_deadline_figures_and_the_overdue_list(november, client_for, manager) -> None:
    html = client_for(manager).get("/reports/", NOV).content.decode()
    assert "审核服务单" in html
    assert "RPA3" in html  # the only overdue line: its review is ours
    assert "/rma/?overdue=vendor" in html  # the red bars open the queue of our overdue lines


def test_a_bad_period_shows_a_message_and_computes_nothing(client_for, manager) -> None:
    resp = client_for(manager).get("/reports/", {"from": "2025-12-01", "to": "2025-11-01"})
    assert resp.status_code == 422
    assert "开始日期不能晚于结束日期" in resp.content.decode()
    assert b"data-chart" not in resp.content
    resp = client_for(manager).get("/reports/quality/", {"from": "2025-02-30"})
    assert resp.status_code == 422
    assert "日期格式应为" in resp.content.decode()


def test_an_unknown_region_or_dealer_is_shown_in_the_filter_bar(client_for, manager) -> None:
    resp = client_for(manager).get("/reports/dealers/", {"region": "999999"})
    assert resp.status_code == 404
    assert "没有找到地区 999999" in resp.content.decode()
    assert b'name="region"' in resp.content  # the filter bar is there to correct it


def test_a_figure_exports_exactly_its_table(november, client_for, manager) -> None:
    rows = _sheet(client_for(manager).get("/reports/dashboard/deadlines.xlsx", NOV))
    assert rows[0] == ["环节", "按时", "逾期完成", "超期未完成", "按时率 %"]
    assert rows[1] == ["审核服务单", 2, 1, 1, 50.0]
    assert rows[3] == ["签收后检测/联系", 1, 1, 0, 50.0]
    turnaround = _sheet(client_for(manager).get("/reports/dashboard/turnaround.xlsx", NOV))
    assert turnaround[1][:4] == ["免费维修", 1, 7, 7]
    assert turnaround[2][:4] == ["免费换货", 1, 6, 6]


def test_the_dealer_filter_applies_to_exports(november, client_for, manager) -> None:
    rows = _sheet(client_for(manager).get("/reports/dashboard/deadlines.xlsx", {**NOV, "dealer": "GD-B02"}))
    assert rows[1] == ["审核服务单", 0, 1, 0, 0.0]


def test_unknown_figures_and_lists_are_404(client_for, manager) -> None:
    client = client_for(manager)
    assert client.get("/reports/dashboard/nope.xlsx").status_code == 404
    assert client.get("/reports/nope/deadlines.xlsx").status_code == 404
    assert client.get("/reports/lists/nope.xlsx").status_code == 404


def test_the_overdue_export_says_who_owes_the_next_move(november, client_for, manager) -> None:
    rows = _sheet(client_for(manager).get("/reports/lists/overdue.xlsx", NOV))
    assert rows[0][-2:] == ["待谁处理", "期限"]
    assert [(r[3], r[-2], r[-1]) for r in rows[1:]] == [("RPA3", "我方", "2025-11-06 18:30")]


def test_exports_write_formula_like_names_as_text(november, client_for, manager, dealer_b) -> None:
    dealer_b.name = '=HYPERLINK("http://evil.example","点我")'
    dealer_b.save(update_fields=["name"])
    rows = _sheet(client_for(manager).get("/reports/dealers/dealers.xlsx", NOV))
    names = [r[1] for r in rows[1:]]
    assert '=HYPERLINK("http://evil.example","点我")' in names
    wb_cell_types = load_workbook(io.BytesIO(b"".join(
        client_for(manager).get("/reports/dealers/dealers.xlsx", NOV).streaming_content))).active
    cell = next(c for c in wb_cell_types["B"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"


def test_dealer_figures_page_numbers(november, client_for, manager) -> None:
    rows = _sheet(client_for(manager).get("/reports/dealers/dealers.xlsx", NOV))
    a = next(r for r in rows[1:] if r[0] == "GX-A01")
    assert a[2:6] == [3, 3, 100.0, 18.0]


def test_managers_home_shows_figures_and_others_do_not(november, client_for, manager, service_center) -> None:
    assert "id=\"manager-figures\"" in client_for(manager).get("/").content.decode()
    assert "id=\"manager-figures\"" not in client_for(service_center).get("/").content.decode()


def test_the_dashboard_takes_a_fixed_number_of_queries(november, client_for, manager,
                                                       django_assert_num_queries) -> None:
    client = client_for(manager)
    client.get("/reports/", NOV)
    # Session, user, roles; 9 report aggregates (one per part of a figure, none per row); dealers
    # and models of the filter bar; and 4 calendar version checks, which a test's transaction
    # forces (outside one the calendar is cached).
    with django_assert_num_queries(18):
        client.get("/reports/", NOV)
