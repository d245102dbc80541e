"""Routing by team (issue #16 part 3): a case opened for a team lands in its queue, takes the
team's targets, and its reminders reach the team's members (inbox, real SMTP on loopback) and the
team's group robot (a real HTTP receiver on loopback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse

from shouhou.cases import services
from shouhou.cases.models import Case, Team
from shouhou.cases.sweep import team_cases_sweep_run
from shouhou.core.models import AuditEvent
from shouhou.domain import cases as domain
from shouhou.domain.errors import Invalid
from shouhou.notify.models import Channel, Message
from shouhou.notify.sender import outbox_send_run
from tests.cases.conftest import at
from tests.notify.conftest import SmtpServer
from tests.notify.test_robots_sms import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot() -> Iterator[Receiver]:
    receiver = Receiver({"errcode": 0, "errmsg": "ok"})
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def mail_to(settings, tmp_path) -> Iterator[SmtpServer]:
    """aiosmtpd on loopback, and the outbox sending to it (as tests/notify/conftest.py)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield server
    server.stop()


@pytest.fixture
def support(engineer, make_user):
    team = Team.objects.get(key="support")
    other = make_user("support_engineer", username="jishu2")
    team.members.set([engineer, other])
    for user in (engineer, other):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return team


def test_default_teams_come_from_the_data_migration():
    assert list(Team.objects.order_by("id").values_list("key", "name")) == [
        ("service", "客户服务部"), ("support", "技术支持中心"), ("centre", "售后服务中心")]


def test_team_targets_override_the_case_types_in_the_domain():
    from shouhou.workdays.selectors import calendar

    cal = calendar()
    opened = at("2025-10-09 10:00")
    plain = domain.targets(cal, opened, "fault")
    faster = domain.targets(cal, opened, "fault", team=domain.TeamTargets(first_response_minutes=15))
    assert plain.first_response_due == plain.pickup_at + timedelta(minutes=60)
    assert faster.first_response_due == faster.pickup_at + timedelta(minutes=15)
    assert faster.resolution_due == plain.resolution_due  # not overridden
    with pytest.raises(Invalid):
        domain.TeamTargets(first_response_minutes=-1)


def test_hotline_url_opens_the_case_for_the_team_unowned_in_its_queue(client, cs, engineer, support):
    client.force_login(cs)
    page = client.get("/intake?phone=0771-5561234&team=support")
    html = page.content.decode()
    assert page.status_code == 200 and 'value="support" selected' in html
    response = client.post("/intake", {"phone": "0771-5561234", "channel": "hotline", "case_type": "fault",
                                       "subject": "服务器反复重启", "team": "support"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.team == support
    assert (case.status, case.owner, case.first_responder) == ("new", None, None)
    audit = AuditEvent.objects.get(verb="case.opened")
    assert audit.data["team"] == "support"

    client.force_login(engineer)
    queue = client.get(reverse("case_team_queue")).content.decode()
    assert case.number in queue and "技术支持中心" in queue
    assert case.number in client.get(reverse("case_list") + "?team=support").content.decode()
    assert case.number not in client.get(reverse("case_list") + "?team=service").content.decode()
    home = client.get("/").content.decode()
    assert 'data-stat="team-support">1<' in home
    # A member takes it: the existing ownership rules make them owner and first responder.
    services.case_apply(case=case, event="accept", actor=engineer, version=case.version)
    case.refresh_from_db()
    assert (case.owner, case.first_responder) == (engineer, engineer)
    assert case.number not in client.get(reverse("case_team_queue")).content.decode()


def test_an_unknown_team_is_refused_clearly_and_nothing_is_stored(client, cs, support):
    client.force_login(cs)
    page = client.get("/intake?team=nosuch")
    assert page.status_code == 200 and "团队 nosuch 不存在" in page.content.decode()
    response = client.post("/intake", {"phone": "0771-5561234", "channel": "hotline", "case_type": "fault",
                                       "subject": "x", "team": "nosuch"})
    assert response.status_code == 422 and not Case.objects.exists()


def test_api_takes_and_shows_the_team_and_filters_by_it(cs_api, support):
    response = cs_api.post("/cases", {"channel": "api", "type": "fault", "subject": "云管理平台告警",
                                      "reporter": {"phone": "0771-5561234"}, "team": "support"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["team"], body["owner"]) == ("support", None)
    assert [c["team"] for c in cs_api.get("/cases", team="support").json()["results"]] == ["support"]
    assert cs_api.get("/cases", team="service").json()["count"] == 0
    bad = cs_api.post("/cases", {"channel": "api", "type": "fault", "subject": "x",
                                 "reporter": {"phone": "0771-5561234"}, "team": "nosuch"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid" and bad.json()["field"] == "team"
    assert Case.objects.count() == 1


def test_a_team_case_takes_the_teams_targets(open_case, support):
    support.first_response_minutes = 20
    support.save()
    case = open_case(team="support", opened_at=at("2025-10-09 10:00"), now=at("2025-10-09 10:00"))
    assert case.first_response_due == case.pickup_at + timedelta(minutes=20)
    with pytest.raises(Invalid):
        open_case(team="support", accept=True)


def test_reminders_go_to_the_team_members_inbox_mail_and_robot(mail_to, robot, open_case, support, engineer,
                                                               make_user):
    smtp_server = mail_to
    support.robot = Channel.objects.create(name="技术支持群", kind="wecom", url=f"{robot.url}/send?key=SUP")
    support.save()
    outsider = make_user("customer_service", username="kefu9")  # not in the team
    case = open_case(team="support", opened_at=at("2025-10-09 10:00"), now=at("2025-10-09 10:00"))
    # Pickup and target as the test calendar gives them for a contact at 10:00 that day.
    assert (case.pickup_at, case.first_response_due, case.owner) == (
        at("2025-10-09 10:15"), at("2025-10-09 11:15"), None)

    assert team_cases_sweep_run(now=at("2025-10-09 10:40")).reminders == 0  # before halfway
    result = team_cases_sweep_run(now=at("2025-10-09 10:46"))
    assert (result.reminders, result.escalations) == (1, 0)
    assert team_cases_sweep_run(now=at("2025-10-09 10:50")).reminders == 0  # once only
    inbox = set(Message.objects.filter(transport="inbox", event__name="case.team_reminder")
                .values_list("user__username", flat=True))
    assert inbox == {"jishu", "jishu2"} and outsider.username not in inbox
    sent = outbox_send_run()
    assert sent.sent == 3  # two members' emails and the team robot
    assert sorted(r.rcpt[0] for r in smtp_server.received) == ["jishu2@example.cn", "jishu@example.cn"]
    assert "【技术支持中心】案例待领取" in smtp_server.received[0].message["Subject"]
    [post] = robot.posts
    assert post.query == {"key": "SUP"}
    assert case.number in json.dumps(post.json(), ensure_ascii=False)

    result = team_cases_sweep_run(now=at("2025-10-09 11:20"))
    assert result.escalations == 1
    assert set(Message.objects.filter(transport="inbox", event__name="case.team_overdue")
               .values_list("user__username", flat=True)) >= {"jishu", "jishu2"}
    outbox_send_run()
    assert len(robot.posts) == 2 and "超时未响应" in json.dumps(robot.posts[1].json(), ensure_ascii=False)


def test_an_accepted_team_case_is_not_reminded(open_case, support, engineer):
    case = open_case(team="support", opened_at=at("2025-10-09 10:00"), now=at("2025-10-09 10:00"))
    services.case_apply(case=case, event="accept", actor=engineer, version=case.version, now=at("2025-10-09 10:05"))
    assert team_cases_sweep_run(now=at("2025-10-09 12:00")).escalations == 0
    assert not Message.objects.filter(event__name__startswith="case.team_").exists()


def test_mail_to_a_team_address_opens_the_case_for_that_team(settings, support):
    from shouhou.mail.services import mail_ingest

    settings.TEAM_ADDRESSES = "support@vendor.cn=support, kefu@vendor.cn=service"
    raw = ("From: 王老板 <wang@cafe.example.cn>\r\nTo: Support <SUPPORT@vendor.cn>\r\n"
           "Subject: =?utf-8?b?" + __import__("base64").b64encode("服务器无法开机".encode()).decode() + "?=\r\n"
           "Message-ID: <t1@cafe.example.cn>\r\nDate: Thu, 09 Oct 2025 10:00:00 +0800\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n开机无显示。\r\n").encode()
    mail_ingest(raw=raw)
    case = Case.objects.get()
    assert (case.channel, case.team, case.owner) == ("email", support, None)


def test_managers_edit_teams_and_others_may_not(client, make_user, cs, engineer):
    manager = make_user("manager", username="jingli")
    client.force_login(cs)
    assert client.get(reverse("team_list")).status_code == 404
    client.force_login(manager)
    assert "技术支持中心" in client.get(reverse("team_list")).content.decode()
    team = Team.objects.get(key="support")
    response = client.post(reverse("team_edit", args=[team.pk]), {
        "key": "support", "name": "技术支持中心", "members": [engineer.pk], "first_response_minutes": "30",
        "resolution_working_days": "", "active": "on"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert (list(team.members.all()), team.first_response_minutes, team.resolution_working_days) == (
        [engineer], 30, None)
    assert AuditEvent.objects.filter(verb="team.changed").exists()
    bad = client.post(reverse("team_edit", args=[team.pk]), {"key": "service", "name": "x", "active": "on"})
    assert bad.status_code == 422 and "已被使用" in bad.content.decode()
    bad = client.post(reverse("team_new"), {"key": "qa", "name": "质检", "first_response_minutes": "-5"})
    assert bad.status_code == 422 and not Team.objects.filter(key="qa").exists()
