"""Every list with figures exports to xlsx, streamed, with the list's filters, formula-safe: the
service-order queue (what a bar opens) beside the report exports of test_views."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from shouhou.registry.models import Dealer

EVIL = '=HYPERLINK("http://evil.example","点我")'


def _book(resp):
    assert resp.status_code == 200, resp.content[:300]
    assert resp.streaming  # a FileResponse over the temp file, not a page built in memory
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active


def test_the_queue_exports_its_lines_with_its_filters(november, client_for, manager) -> None:
    client = client_for(manager)
    ws = _book(client.get("/rma/export.xlsx", {"state": "all"}))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][:4] == ["RMA 单号", "代理商代码", "代理商", "序列号"]
    assert sorted(r[3] for r in rows[1:]) == ["RPA1", "RPA2", "RPA3", "RPB1"]
    # What a turnaround bar opens: free repairs shipped in November (A2 only), and the same page.
    query = {"state": "all", "path": "free_repair", "from": "2025-11-01", "to": "2025-11-30", "by": "shipped"}
    rows = [list(r) for r in _book(client.get("/rma/export.xlsx", query)).iter_rows(values_only=True)]
    assert [(r[1], r[3], r[5], r[6]) for r in rows[1:]] == [("GX-A01", "RPA2", "已发货", "免费维修")]
    assert "RPA2" in client.get("/rma/", query).content.decode()
    # Open lines past due: A3's review, ours, due Thu Nov 6 18:30.
    rows = [list(r) for r in _book(client.get("/rma/export.xlsx", {"overdue": "vendor"})).iter_rows(values_only=True)]
    assert [(r[3], r[-2], r[-1]) for r in rows[1:]] == [("RPA3", "我方", "2025-11-06 18:30")]


def test_a_formula_typed_as_a_dealer_name_comes_out_as_text(november, client_for, manager) -> None:
    Dealer.objects.filter(code="GD-B02").update(name=EVIL)
    ws = _book(client_for(manager).get("/rma/export.xlsx", {"dealer": "GD-B02", "state": "all"}))
    cell = ws.cell(row=2, column=3)
    assert cell.value == EVIL and cell.data_type == "s"
    # The same for the report lists.
    ws = _book(client_for(manager).get("/reports/lists/overdue.xlsx", {"from": "2025-11-01", "to": "2025-11-30"}))
    assert all(c.data_type in ("s", "n") for row in ws.iter_rows() for c in row if c.value is not None)


def test_dealers_and_other_roles_cannot_export_the_queue(client_for, alice, make_user) -> None:
    assert client_for(alice).get("/rma/export.xlsx").status_code in (403, 404)
    assert client_for(make_user("service_center")).get("/rma/export.xlsx").status_code == 200
