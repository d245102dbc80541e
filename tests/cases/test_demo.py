"""The case demo: through the real services, once."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from shouhou.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from shouhou.core.bootstrap import ensure_admin, load_demo

    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        ensure_admin(out)
        load_demo(out)
        load_demo(out)  # a second start changes nothing
        yield out.getvalue()
        transaction.set_rollback(True)


def test_the_demo_has_every_channel_and_status_a_complaint_and_overdue_cases(demo):
    assert "Case demo: 15 cases and a complaint" in demo
    # The inbound-mail demo opens one more, by mail (tests/mail/test_demo.py).
    cases = list(Case.objects.exclude(created_by__username="mail-intake").filter(team__isnull=True))
    assert len(cases) == 16
    assert {c.channel for c in cases} == {"hotline", "qq", "email", "web", "portal", "api"}
    assert {c.status for c in cases} == {"new", "accepted", "waiting_customer", "waiting_dealer", "resolved",
                                         "closed"}
    complaint = next(c for c in cases if c.case_type == "complaint")
    assert complaint.dealer is None and complaint.about_dealer is not None and complaint.related_case is not None
    now = timezone.now()
    assert any(c.is_open and c.resolution_due < now for c in cases)


def test_the_demo_teams_have_members_and_unowned_cases_in_their_queues(demo):
    from shouhou.cases.models import Team

    assert "Case demo: teams with members and 4 team cases" in demo
    teams = {t.key: t for t in Team.objects.all()}
    assert {"kefu.li"} <= set(teams["service"].members.values_list("username", flat=True))
    assert {"jishu.wang"} <= set(teams["support"].members.values_list("username", flat=True))
    assert {"shouhou.zhao"} <= set(teams["centre"].members.values_list("username", flat=True))
    team_cases = list(Case.objects.filter(team__isnull=False))
    assert sorted(c.team.key for c in team_cases) == ["centre", "service", "support", "support"]
    assert all(c.owner is None and c.status == "new" for c in team_cases)
