"""A bar opens the list behind it: the same period (counted by the figure's own date), dealer,
model and region as the report; the queue shows exactly those lines."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

NOV = {"from": "2025-11-01", "to": "2025-11-30"}


def _links(html: str, key: str) -> list[list[str | None]]:
    raw = re.search(rf'<script id="chart-{key}" type="application/json">(.*?)</script>', html, re.S)
    assert raw, key
    return json.loads(raw.group(1))["links"]


def _serials(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    return sorted(set(re.findall(r"\b(RP[AB]\d)\b", html.split("<tbody>", 1)[1])))


def test_turnaround_bars_open_the_lines_shipped_in_the_period(november, client_for, manager) -> None:
    client = client_for(manager)
    html = client.get("/reports/", NOV).content.decode()
    links = _links(html, "turnaround")
    # Paths in order: free repair (A2), free replacement (A1).
    repair = links[0][0]
    assert parse_qs(urlsplit(repair).query) == {"from": ["2025-11-01"], "to": ["2025-11-30"], "by": ["shipped"],
                                                "path": ["free_repair"], "state": ["all"]}
    assert _serials(client, repair) == ["RPA2"]
    assert _serials(client, links[1][0]) == ["RPA1"]
    # The same list over a period after that shipment (A2 left on Nov 12) is empty.
    assert _serials(client, repair.replace("from=2025-11-01", "from=2025-11-13")) == []


def test_dealer_bars_keep_the_period_and_region(november, client_for, manager) -> None:
    from shouhou.registry.models import Dealer

    Dealer.objects.filter(code="GX-A01").update(region_code="450100")  # Nanning, Guangxi
    client = client_for(manager)
    html = client.get("/reports/dealers/", {**NOV, "region": "450000"}).content.decode()
    [[link]] = _links(html, "dealers")  # only dealer A is in Guangxi
    query = parse_qs(urlsplit(link).query)
    assert query["region"] == ["450000"] and query["from"] == ["2025-11-01"] and query["dealer"] == ["GX-A01"]
    assert _serials(client, link) == ["RPA1", "RPA2", "RPA3"]
    html = client.get("/reports/dealers/", {"from": "2025-11-04", "to": "2025-11-30"}).content.decode()
    a = next(lk for lk in _links(html, "dealers")[0] if "GX-A01" in lk)
    assert _serials(client, a) == ["RPA2", "RPA3"]  # A1 was reported on Nov 3


def test_red_deadline_bars_open_overdue_lines_due_in_the_period(november, client_for, manager) -> None:
    client = client_for(manager)
    html = client.get("/reports/", NOV).content.decode()
    review_overdue = _links(html, "deadlines")[2][0]
    assert "by=due" in review_overdue and "overdue=vendor" in review_overdue
    assert _serials(client, review_overdue) == ["RPA3"]
    html = client.get("/reports/", {"from": "2025-10-01", "to": "2025-10-31"}).content.decode()
    assert "chart-deadlines" not in html or _serials(client, _links(html, "deadlines")[2][0]) == []


def test_backlog_bars_have_no_period(november, client_for, manager) -> None:
    html = client_for(manager).get("/reports/", NOV).content.decode()
    assert all("from=" not in lk for row in _links(html, "backlog") for lk in row)


def test_the_queue_refuses_a_bad_date_with_a_message(november, client_for, manager) -> None:
    resp = client_for(manager).get("/rma/", {"from": "2025-02-30", "state": "all", "by": "nope", "region": "x"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "日期格式应为" in html
    assert "RPA1" in html  # the bad filters are dropped, the rest applies
