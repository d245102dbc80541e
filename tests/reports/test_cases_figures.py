"""Case figures on three hand-checked cases (Mon 2025-11-03 and Wed 11-05; business hours 10:15–18:30).

- C1 hotline fault, opened Mon 10:30 → first response due 11:30, resolution due Thu 11-06 18:30;
  accepted 11:00 (met), resolved Tue 11-04 by the FAQ (met), closed, rated 4.
- C2 QQ consultation, opened Mon 10:30; accepted 12:00 (missed); resolved Mon 11-10 (missed), rated 2.
- C3 web fault, opened Wed 11-05 10:30, never answered: both targets missed (open, past due).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shouhou.cases.models import Case
from shouhou.domain.reports import Period
from shouhou.reports import selectors
from shouhou.reports.selectors import Filters

SH = ZoneInfo("Asia/Shanghai")
NOV = Filters(Period(date(2025, 11, 1), date(2025, 11, 30)))
NOV_PARAMS = {"from": "2025-11-01", "to": "2025-11-30"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=SH)


@pytest.fixture
def three_cases(customer_service):
    from shouhou.cases.models import CaseRating
    from shouhou.cases.services import Reporter, case_apply, case_open

    def run(case, *steps):
        for event, when, fields in steps:
            case = case_apply(case=case, event=event, actor=customer_service, version=case.version, fields=fields,
                              now=when)
        return case

    reporter = Reporter(name="王老板", phone="13800000001")
    c1 = case_open(actor=customer_service, channel="hotline", case_type="fault", subject="无法开机", reporter=reporter,
                   opened_at=at(3, 10, 30), now=at(3, 10, 30))
    c1 = run(c1, ("accept", at(3, 11), {}),
             ("resolve", at(4, 15), {"resolution": "按常见问题重装驱动", "category": "resolved_by_faq"}),
             ("close", at(4, 16), {}))
    c2 = case_open(actor=customer_service, channel="qq", case_type="consultation", subject="如何配置",
                   reporter=reporter,
                   opened_at=at(3, 10, 30), now=at(3, 10, 30))
    c2 = run(c2, ("accept", at(3, 12), {}),
             ("resolve", at(10, 15), {"resolution": "远程协助", "category": "remote_fix"}), ("close", at(10, 16), {}))
    case_open(actor=customer_service, channel="web", case_type="fault", subject="掉线", reporter=reporter,
              opened_at=at(5, 10, 30), now=at(5, 10, 30))
    # The reporters' answers to the satisfaction links sent on closing (the link token is only in the mail).
    for case, score in ((c1, 4), (c2, 2)):
        CaseRating.objects.filter(case=case).update(score=score, rated_at=at(11, 9))


@pytest.fixture
def customer_service(make_user):
    return make_user("customer_service")


def test_case_figures_by_hand(three_cases, manager) -> None:
    c = selectors.cases(manager, NOV, now=timezone.now())
    assert {(r["channel"], r["type"]): r["count"] for r in c.by_channel_type} == {
        ("hotline", "fault"): 1, ("qq", "consultation"): 1, ("web", "fault"): 1}
    assert c.opened == 3
    assert (c.first_response_met, c.first_response_missed, c.first_response_rate) == (1, 2, 33.3)
    assert (c.resolution_met, c.resolution_missed, c.resolution_rate) == (1, 2, 33.3)
    assert (c.resolved, c.resolved_by_faq, c.faq_share) == (2, 1, 50.0)
    assert (c.rated, c.satisfaction) == (2, 3.0)


def test_case_figures_over_the_api(three_cases, manager, token_for, client) -> None:
    body = client.get("/api/v1/reports/cases", {"from": "2025-11-01", "to": "2025-11-30"},
                      headers={"Authorization": f"Bearer {token_for(manager)}"}).json()
    assert (body["opened"], body["faq_share"], body["satisfaction"]) == (3, 50.0, 3.0)


def test_a_dealer_sees_no_cases_of_others(three_cases, alice) -> None:
    assert selectors.cases(alice, NOV, now=timezone.now()).opened == 0


def test_a_case_bar_opens_the_case_list_of_its_channel_and_type(three_cases, client_for, manager) -> None:
    html = client_for(manager).get("/reports/", {"from": "2025-11-01", "to": "2025-11-30"}).content.decode()
    assert ("/cases/?from=2025-11-01\\u0026to=2025-11-30\\u0026channel=qq\\u0026type=consultation"
            "\\u0026status=all") in html
    listed = client_for(manager).get("/cases/", {"channel": "qq", "type": "consultation", "status": "all"})
    assert "如何配置" in listed.content.decode()


def _chart(html: str, key: str) -> dict:
    raw = re.search(rf'<script id="chart-{key}" type="application/json">(.*?)</script>', html, re.S)
    assert raw, key
    return json.loads(raw.group(1))


def _listed(client, url: str) -> list[str]:
    """The case numbers the opened list shows (all on one page here)."""
    html = client.get(url).content.decode()
    return re.findall(r'<a href="/cases/\d+/">([^<]+)</a>', html.split("<tbody>", 1)[1])


def _bars(client, params: dict[str, str], key: str) -> list[tuple[int, str]]:
    """Every bar of a chart with a link: (its figure, the list it opens)."""
    chart = _chart(client.get("/reports/", params).content.decode(), key)
    return [(value, link) for series, links in zip(chart["series"], chart["links"], strict=True)
            for value, link in zip(series["data"], links, strict=True) if link]


def test_each_case_bar_opens_a_list_of_as_many_cases(three_cases, client_for, manager) -> None:
    client = client_for(manager)
    for key in ("cases", "case_targets"):
        bars = _bars(client, NOV_PARAMS, key)
        assert bars and all("from=2025-11-01" in link and "to=2025-11-30" in link for _v, link in bars)
        for value, link in bars:
            assert len(_listed(client, link)) == value, (key, link)
    # Targets by hand (module docstring): first response met C1, missed C2 and C3.
    targets = {parse_qs(urlsplit(link).query)["target"][0]: value for value, link in _bars(client, NOV_PARAMS,
                                                                                          "case_targets")}
    assert targets == {"first_response_met": 1, "resolution_met": 1, "first_response_missed": 2,
                       "resolution_missed": 2}


def test_the_period_is_kept_and_narrows_the_list(three_cases, client_for, manager) -> None:
    client = client_for(manager)
    # From Nov 4 only C3 (opened Wed 11-05, web, fault) is in the period.
    bars = _bars(client, {"from": "2025-11-04", "to": "2025-11-30"}, "cases")
    [(value, link)] = bars
    assert value == 1 and parse_qs(urlsplit(link).query)["channel"] == ["web"]
    [number] = _listed(client, link)
    assert number == Case.objects.get(channel="web").number
    # The same channel over the whole month lists the same case; over a period before it, nothing.
    assert _listed(client, link.replace("from=2025-11-04", "from=2025-11-01")) == [number]
    assert _listed(client, link.replace("to=2025-11-30", "to=2025-11-04")) == []


def test_the_list_shows_the_report_filter_and_clears_it(three_cases, client_for, manager) -> None:
    client = client_for(manager)
    resp = client.get("/cases/", {"from": "2025-11-04", "to": "2025-11-30", "status": "all",
                                  "target": "first_response_missed"})
    html = resp.content.decode()
    assert 'id="report-filter"' in html and "2025-11-04 – 2025-11-30" in html and "首次响应超时" in html
    assert len(_listed(client, "/cases/?from=2025-11-04&to=2025-11-30&status=all&target=first_response_missed")) == 1
    clear = re.search(r'id="report-filter-clear" href="([^"]*)"', html).group(1)
    assert clear == "?status=all"
    assert len(_listed(client, "/cases/" + clear)) == 3
    # A bad date is dropped with a message; the rest still applies.
    html = client.get("/cases/", {"from": "2025-02-30", "status": "all"}).content.decode()
    assert "日期格式应为" in html and len(_listed(client, "/cases/?from=2025-02-30&status=all")) == 3


def test_the_dealer_and_region_of_the_report_go_with_the_bar(three_cases, client_for, manager, dealer_a) -> None:
    Case.objects.filter(channel="web").update(dealer=dealer_a, region_code="450103")
    client = client_for(manager)
    params = {**NOV_PARAMS, "dealer": "GX-A01", "region": "450000"}
    [(value, link)] = _bars(client, params, "cases")
    query = parse_qs(urlsplit(link).query)
    assert (value, query["dealer"], query["region"]) == (1, ["GX-A01"], ["450000"])
    assert len(_listed(client, link)) == 1
    assert _listed(client, link.replace("region=450000", "region=440000")) == []
