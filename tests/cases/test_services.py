"""Opening cases, first-contact ownership, attachments, triage: services on the real database."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from shouhou.cases import services
from shouhou.cases.models import Case, CaseAttachment, TriageCheck
from shouhou.cases.services import Reporter
from shouhou.core.models import AuditEvent
from shouhou.domain.errors import Forbidden, IllegalEvent, Invalid, StaleVersion

from .conftest import at

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n" + b"0" * 64


def timeline(case: Case) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
                .order_by("id").values_list("verb", flat=True))


def test_opening_numbers_the_case_and_fills_unit_dealer_coverage_and_targets(open_case, unit_a, dealer_a):
    case = open_case(serial="sna0001", opened_at=at("2025-09-30 18:00"), now=at("2025-10-01 09:00"))
    assert case.number == "C2025-000001"
    assert (case.unit, case.dealer, case.product_model_id, case.region_code) == (
        unit_a, dealer_a, unit_a.product_model_id, "450100")
    assert case.coverage == "replacement"
    assert (case.pickup_at, case.first_response_due, case.resolution_due) == (
        at("2025-09-30 18:00"), at("2025-10-09 10:45"), at("2025-10-11 18:30"))
    assert case.status == "new" and case.owner is None
    assert case.reporter_phone_key == "07715561234"
    assert timeline(case) == ["case.opened"]
    assert open_case(opened_at=at("2025-12-31 23:00"), now=at("2026-01-02 09:00")).number == "C2025-000002"
    assert open_case(opened_at=at("2026-01-01 00:10"), now=at("2026-01-02 09:00")).number == "C2026-000001"


def test_reporter_is_linked_to_the_dealer_with_that_phone(open_case, dealer_a):
    case = open_case(reporter=Reporter(name="甲老板", phone="0771 100 0001"))
    assert case.reporter_dealer == dealer_a and case.dealer == dealer_a


@pytest.mark.parametrize(("kw", "field"), [
    ({"subject": "  "}, "subject"),
    ({"channel": "fax"}, "channel"),
    ({"case_type": "gossip"}, "type"),
    ({"reporter": Reporter(name="无联系方式")}, "reporter.phone"),
    ({"reporter": Reporter(email="not-an-email")}, "reporter.email"),
    ({"reporter": Reporter(qq="abc")}, "reporter.qq"),
    ({"serial": "NOPE-404"}, "serial"),
])
def test_bad_input_is_refused_and_nothing_is_stored(open_case, kw, field):
    with pytest.raises(Invalid) as exc:
        open_case(**kw)
    assert exc.value.extra["field"] == field
    assert not Case.objects.exists() and not AuditEvent.objects.filter(verb="case.opened").exists()


def test_opened_at_in_the_future_is_refused(open_case):
    with pytest.raises(Invalid):
        open_case(opened_at=at("2025-10-01 10:00"), now=at("2025-10-01 09:00"))


def test_a_dealer_opens_cases_for_itself_only(open_case, alice, unit_a, unit_b, dealer_a):
    case = open_case(actor=alice, channel="portal", serial="SNA0001")
    assert case.dealer == dealer_a
    with pytest.raises(Invalid):
        open_case(actor=alice, channel="portal", serial="SNB0001")  # another dealer's unit: unknown
    for kw in ({"opened_at": at("2025-01-01 10:00")}, {"accept": True}, {"case_type": "complaint"}):
        with pytest.raises(Forbidden):
            open_case(actor=alice, channel="portal", **kw)


def test_first_contact_ownership(open_case, cs, cs2, manager):
    case = open_case()
    case = services.case_apply(case=case, event="accept", actor=cs, version=1, now=at("2025-10-09 10:20"))
    assert (case.owner, case.first_responder, case.first_responded_at) == (cs, cs, at("2025-10-09 10:20"))
    with pytest.raises(Forbidden):
        services.case_apply(case=case, event="hand_over", actor=cs2, version=2, fields={"to": cs2.pk, "note": "我接"})
    with pytest.raises(Invalid):
        services.case_apply(case=case, event="hand_over", actor=cs, version=2, fields={"to": cs2.pk})
    case = services.case_apply(case=case, event="hand_over", actor=cs, version=2,
                               fields={"to": cs2.pk, "note": "转交处理无盘问题"})
    assert (case.owner, case.first_responder) == (cs2, cs)
    case = services.case_apply(case=case, event="hand_over", actor=manager, version=3,
                               fields={"to": cs.pk, "note": "经理调整"})
    assert case.owner == cs
    event = AuditEvent.objects.filter(verb="case.hand_over").order_by("id").first()
    assert event.data["note"] == "转交处理无盘问题" and event.data["to_name"] == str(cs2)


def test_hand_over_to_a_dealer_user_is_refused(open_case, cs, alice):
    case = services.case_apply(case=open_case(), event="accept", actor=cs, version=1)
    with pytest.raises(Invalid):
        services.case_apply(case=case, event="hand_over", actor=cs, version=2, fields={"to": alice.pk, "note": "x"})


def test_closing_needs_a_resolution_and_stale_versions_are_refused(open_case, cs):
    case = services.case_apply(case=open_case(), event="accept", actor=cs, version=1)
    with pytest.raises(IllegalEvent) as exc:
        services.case_apply(case=case, event="close", actor=cs, version=2)
    assert "resolve" in exc.value.allowed
    with pytest.raises(StaleVersion):
        services.case_apply(case=case, event="note", actor=cs, version=1, fields={"text": "x"})
    case = services.case_apply(case=case, event="resolve", actor=cs, version=2,
                               fields={"resolution": "按常见问题重装驱动", "category": "resolved_by_faq"})
    case = services.case_apply(case=case, event="close", actor=cs, version=3)
    assert case.status == "closed" and case.closed_at is not None and case.resolved_at is not None
    assert timeline(case) == ["case.opened", "case.accept", "case.resolve", "case.close"]


def test_the_database_refuses_a_resolved_case_without_resolution(open_case):
    case = open_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="resolved")


def test_the_database_refuses_a_complaint_visible_to_a_dealer(open_case, dealer_a):
    case = open_case(case_type="complaint")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(dealer=dealer_a)


def test_complaint_is_owned_by_staff_linked_and_hidden_from_the_dealer(open_case, cs, unit_a, dealer_a):
    original = open_case(serial="SNA0001")
    complaint = services.complaint_open(case=original, actor=cs, subject="代理商三天未上门",
                                        description="用户多次联系代理商无果")
    assert (complaint.case_type, complaint.dealer, complaint.about_dealer, complaint.related_case) == (
        "complaint", None, dealer_a, original)
    assert (complaint.owner, complaint.status) == (cs, "accepted")
    assert AuditEvent.objects.get(verb="case.opened", object_id=str(complaint.pk)).dealer_id is None


def test_attachments_are_checked_by_content(open_case, cs):
    case = open_case()
    png = services.case_attach(case=case, actor=cs, kind="topology",
                               upload=SimpleUploadedFile("topo.png", PNG, content_type="image/png"))
    pdf = services.case_attach(case=case, actor=cs, kind="document",
                               upload=SimpleUploadedFile("报告.pdf", PDF, content_type="application/pdf"))
    assert (png.content_type, pdf.content_type) == ("image/png", "application/pdf")
    bad = [SimpleUploadedFile("fake.png", b"MZ\x90\x00 not an image", content_type="image/png"),
           SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
           SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (services.MAX_ATTACHMENT_BYTES), content_type="x")]
    for upload in bad:
        with pytest.raises(Invalid):
            services.case_attach(case=case, actor=cs, kind="photo", upload=upload)
    assert CaseAttachment.objects.count() == 2
    assert timeline(case).count("case.attachment_added") == 2


def test_triage_writes_only_changes(open_case, engineer):
    case = open_case()
    services.case_triage(case=case, actor=engineer, results={"memory": ("fault", "内存报错"), "cpu": ("ok", "")})
    services.case_triage(case=case, actor=engineer, results={"memory": ("fault", "内存报错"), "cpu": ("ok", "")})
    assert dict(TriageCheck.objects.values_list("item", "result")) == {"memory": "fault", "cpu": "ok"}
    assert timeline(case).count("case.triaged") == 1
    with pytest.raises(Invalid):
        services.case_triage(case=case, actor=engineer, results={"toaster": ("ok", "")})
    with pytest.raises(Invalid):
        services.case_triage(case=case, actor=engineer, results={"cpu": ("melted", "")})


def test_diagnostics_are_recorded(open_case, engineer, alice):
    case = open_case()
    record = services.case_diagnostic(case=case, actor=engineer, kind="data_recovery",
                                      text="云管理平台执行恢复数据成功")
    assert record.kind == "data_recovery"
    with pytest.raises(Invalid):
        services.case_diagnostic(case=case, actor=engineer, kind="séance", text="x")
    with pytest.raises(Forbidden):
        services.case_diagnostic(case=case, actor=alice, kind="hardware_check", text="x")
