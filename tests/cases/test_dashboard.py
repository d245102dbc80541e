"""The dashboard panel of owned cases."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shouhou.cases import services
from shouhou.cases.dashboard import panel

pytestmark = pytest.mark.django_db


def test_the_panel_counts_owned_and_late_cases(cs, cs2, open_case, django_assert_num_queries):
    mine = services.case_apply(case=open_case(), event="accept", actor=cs, version=1)
    open_case()
    services.case_apply(case=open_case(), event="accept", actor=cs2, version=1)
    now = mine.resolution_due + (mine.resolution_due - mine.opened_at)
    with django_assert_num_queries(4):  # figures, urgent rows, the calendar's stored settings, team counts
        p = panel(cs, now)
    assert p is not None
    assert p.context["figures"] == {"mine": 1, "mine_late": 1, "unaccepted": 1}
    assert [r["case"] for r in p.context["rows"]] == [mine]
    assert "overdue" in p.context["rows"][0]["resolution"].css


def test_dealers_get_no_case_panel(alice):
    assert panel(alice, timezone.now()) is None
