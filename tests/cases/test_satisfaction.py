"""满意度回访: closing a case sends a one-time rating link through the outbox; the public page
takes a score once, before the link expires; the case shows the rating."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from shouhou.cases import services
from shouhou.cases.models import CaseRating
from shouhou.cases.services import Reporter
from shouhou.notify.models import Message
from shouhou.notify.render import render_message


@pytest.fixture
def closed(cs, open_case):
    case = open_case(reporter=Reporter(name="王老板", phone="0771-5561234", email="wang@wangba.cn"))
    case = services.case_apply(case=case, event="accept", actor=cs, version=1)
    case = services.case_apply(case=case, event="resolve", actor=cs, version=2,
                               fields={"resolution": "重装驱动", "category": "remote_fix"})
    return services.case_apply(case=case, event="close", actor=cs, version=3)


def _link(case) -> str:
    message = Message.objects.get(event__name="case.satisfaction", event__thread=case.number)
    assert message.address == "wang@wangba.cn"
    rendered = render_message(message)
    assert case.number in rendered.subject and "满意度" in rendered.subject
    url = next(line for line in rendered.text.splitlines() if "/rate/" in line).strip()
    return url[url.index("/rate/"):]


def test_closing_mails_a_one_time_link_stored_hashed(closed):
    path = _link(closed)
    token = path.split("/")[2]
    rating = CaseRating.objects.get(case=closed)
    assert rating.digest != token and len(rating.digest) == 64 and rating.score is None


def test_the_reporter_rates_once(closed, cs, client_for):
    path = _link(closed)
    public = Client()
    page = public.get(path)
    assert page.status_code == 200 and closed.number in page.content.decode()
    assert public.post(path, {"score": "6"}).status_code == 422
    assert public.post(path, {"score": ""}).status_code == 422
    assert CaseRating.objects.get().score is None
    thanks = public.post(path, {"score": "4", "comment": "响应很快"})
    assert thanks.status_code == 200 and "感谢" in thanks.content.decode()
    rating = CaseRating.objects.get()
    assert (rating.score, rating.comment) == (4, "响应很快")
    assert public.post(path, {"score": "1"}).status_code == 404  # once only
    assert public.get(path).status_code == 404
    assert 'data-rating="4"' in client_for(cs).get(f"/cases/{closed.pk}/").content.decode()


def test_expired_and_unknown_links_are_refused(closed):
    path = _link(closed)
    rating = CaseRating.objects.get()
    with pytest.raises(services.NotFound):
        services.case_rate(token=path.split("/")[2], score=5, now=rating.expires_at + timedelta(seconds=1))
    assert Client().get("/rate/not-a-token/").status_code == 404
    assert CaseRating.objects.get().score is None


def test_closing_again_after_a_reopen_replaces_the_unused_link(closed, cs):
    first = _link(closed)
    case = services.case_apply(case=closed, event="reopen", actor=cs, version=4, fields={"reason": "再次蓝屏"})
    case = services.case_apply(case=case, event="resolve", actor=cs, version=5,
                               fields={"resolution": "更换内存", "category": "other"})
    services.case_apply(case=case, event="close", actor=cs, version=6)
    assert CaseRating.objects.count() == 1
    assert Client().get(first).status_code == 404
