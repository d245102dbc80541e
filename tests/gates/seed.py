"""The seeded database the gates run against: the product's own demo data (every app adds its demo
step to `bootstrap.DEMO_STEPS`, so new apps bring their objects along), built through the
services, plus a staff user and one user and token per dealer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

DEALER_A = "GX-NN01"
DEALER_B = "GD-GZ02"


@dataclass
class Seed:
    dealer_a: Any
    dealer_b: Any
    staff: Any  # an administrator: every staff role
    user_a: Any  # a user of dealer A
    staff_token: str
    token_a: str


# The smallest valid PNG: a 1x1 transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


def _order_with_files(dealer: Any, staff: Any) -> None:
    """A submitted order of DEALER whose line has a topology diagram and a photo: the demo has no files."""
    from django.core.files.base import ContentFile

    from shouhou.registry.models import Unit
    from shouhou.rma.services import order_submit
    from shouhou.rma.services_forms import line_attach

    unit = Unit.objects.filter(dealer=dealer, status="in_service", service_lines__isnull=True).order_by("pk").first()
    order = order_submit(dealer=dealer, actor=staff, contact_name="李工", contact_phone="13800000000",
                         contact_email="li@example.cn", return_address="广西南宁市民族大道 1 号", source="staff",
                         lines=[{"serial": unit.serial, "fault": "无法开机",
                                 "topology": ContentFile(PNG, name="topology.png")}])
    line_attach(line=order.lines.get(), kind="receipt_photo", upload=ContentFile(PNG, name="photo.png"), actor=staff)


def _import_job(staff: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shouhou.registry.imports.jobs import import_job_create

    csv = "code,name,replacement_days,warranty_months\nSN-GATE,门禁测试机型,90,36\n".encode()
    import_job_create(kind="models", upload=SimpleUploadedFile("models.csv", csv), all_or_nothing=False, actor=staff)


def _drafts_and_years(dealer_b: Any, staff: Any) -> None:
    """The demo has drafts for one dealer only, and ships official years as data, not rows."""
    from datetime import date

    from shouhou.registry.models import Unit
    from shouhou.rma.services import order_save_draft
    from shouhou.workdays.services import official_year_save

    unit = Unit.objects.filter(dealer=dealer_b).order_by("pk").first()
    order_save_draft(dealer=dealer_b, actor=staff, contact_name="林工", lines=[{"serial": unit.serial, "fault": ""}])
    official_year_save(actor=staff, year=2027, holidays={date(2027, 1, 1): "元旦"}, makeup={})


def _cases_and_mail() -> None:
    """A case opened by each dealer's user in the portal, and one inbound email (no demo has them)."""
    from django.core.files.base import ContentFile

    from shouhou.cases.services import Reporter, case_attach, case_open
    from shouhou.core.models import User
    from shouhou.mail.services import mail_ingest

    for user in User.objects.filter(dealer__code__in=(DEALER_A, DEALER_B)).order_by("pk"):
        case = case_open(actor=user, channel="portal", case_type="fault", subject="无盘服务器无法启动",
                         description="开机后黑屏", reporter=Reporter("韦强", "0771-5561234", "", ""))
        case_attach(case=case, actor=user, upload=ContentFile(PNG, name="topology.png"), kind="topology")
    mail_ingest(raw=("From: 韦强 <wei@example.cn>\r\nTo: service@example.cn\r\nSubject: 咨询\r\n"
                     "Message-ID: <gate-1@example.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                     "请问保修期多长？\r\n").encode())


def _dealer_contacts(staff: Any) -> None:
    from shouhou.registry.models import Dealer
    from shouhou.registry.services import dealer_contact_create

    for code in (DEALER_A, DEALER_B):
        dealer_contact_create(actor=staff, dealer=Dealer.objects.get(code=code), name="门禁联系人")


def build_seed() -> Seed:
    from shouhou.core import bootstrap
    from shouhou.core.services import token_create, user_create
    from shouhou.registry.models import Dealer

    bootstrap.load_policy_pack()
    out = io.StringIO()
    for step in bootstrap.DEMO_STEPS:
        step(out)
    staff = user_create(username="gate-staff", role="admin", password="Correct-Horse-42")
    user_a = user_create(username="gate-dealer-a", role="dealer", dealer_code=DEALER_A, password="Correct-Horse-42")
    for code in (DEALER_A, DEALER_B):
        _order_with_files(Dealer.objects.get(code=code), staff)
    _import_job(staff)
    _drafts_and_years(Dealer.objects.get(code=DEALER_B), staff)
    _cases_and_mail()
    _dealer_contacts(staff)
    return Seed(
        dealer_a=Dealer.objects.get(code=DEALER_A),
        dealer_b=Dealer.objects.get(code=DEALER_B),
        staff=staff,
        user_a=user_a,
        staff_token=token_create(username=staff.username, name="gates")[1],
        token_a=token_create(username=user_a.username, name="gates")[1],
    )
