"""Case figures on three hand-checked cases (Mon 2025-11-03 and Wed 11-05; business hours 10:15–18:30).

- C1 hotline fault, opened Mon 10:30 → first response due 11:30, resolution due Thu 11-06 18:30;
  accepted 11:00 (met), resolved Tue 11-04 by the FAQ (met), closed, rated 4.
- C2 QQ consultation, opened Mon 10:30; accepted 12:00 (missed); resolved Mon 11-10 (missed), rated 2.
- C3 web fault, opened Wed 11-05 10:30, never answered: both targets missed (open, past due).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shouhou.domain.reports import Period
from shouhou.reports import selectors
from shouhou.reports.selectors import Filters

SH = ZoneInfo("Asia/Shanghai")
NOV = Filters(Period(date(2025, 11, 1), date(2025, 11, 30)))


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
    assert "/cases/?channel=qq\\u0026type=consultation\\u0026status=all" in html
    listed = client_for(manager).get("/cases/", {"channel": "qq", "type": "consultation", "status": "all"})
    assert "如何配置" in listed.content.decode()
