"""The same message delivered by several processes at once (an MTA retry racing a first delivery, a
pipe and an IMAP fetch) is taken once: the unique Message-ID decides, on real PostgreSQL threads."""

from __future__ import annotations

import pytest

from shouhou.mail.commands import ingest_stdin
from shouhou.mail.models import InboundMessage
from tests.mail.conftest import eml
from tests.rma.test_concurrency import in_threads, postgres_only


@pytest.fixture
def roles(db: None) -> None:
    from django.contrib.auth.models import Group

    from shouhou.core.roles import Role

    for role in Role.values:
        Group.objects.get_or_create(name=role)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_message_delivered_four_times_at_once_is_taken_and_answered_once(roles, dealer_a, make_unit):
    from shouhou.notify.models import Event

    make_unit("SN-MAIL-0001")
    raw = eml("18_xlsx_incomplete.eml")

    def work(i: int) -> int:
        return ingest_stdin(raw)

    assert in_threads(4, work) == [0, 0, 0, 0]
    assert InboundMessage.objects.filter(message_id="<form18@dealer-a.cn>").count() == 1
    assert Event.objects.filter(name="mail.reply").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_unknown_senders_at_once_get_one_case_each(roles):
    from shouhou.cases.models import Case

    names = ["01_gbk_subject_gb2312_body.eml", "02_raw_gbk_header.eml", "03_utf8_plain.eml", "04_html_only.eml"]

    def work(i: int) -> int:
        return ingest_stdin(eml(names[i]))

    assert in_threads(4, work) == [0, 0, 0, 0]
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 4 and len(set(numbers)) == 4
    assert InboundMessage.objects.filter(status="case_opened").count() == 4
