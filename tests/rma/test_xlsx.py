"""The xlsx service form round trip: generated → filled with openpyxl → uploaded → a DRAFT order
identical to the typed form; malformed files refused naming row and column."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from shouhou.rma.models import ServiceOrder
from shouhou.rma.xlsx_form import CONTACT_SHEET, FORM_SHEET, HELP_SHEET
from tests.rma.test_views import form_data

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def units(make_unit, dealer_a):
    dealer_a.contact_name, dealer_a.phone, dealer_a.email, dealer_a.address = (
        "李工", "0771-1234567", "li@a.cn", "南宁市青秀区民族大道 1 号")
    dealer_a.save()
    day = timezone.localdate() - timedelta(days=10)
    return [make_unit("SN-XL-0001", day), make_unit("SN-XL-0002", day)]


LINES = [("SN-XL-0001", "无法开机，电源灯不亮", "否", ""), ("SN-XL-0002", "频繁蓝屏", "是", "网吧营业，急需")]


def template(client, url="/portal/orders/template.xlsx"):
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(resp.content))


def filled(wb, lines=LINES) -> SimpleUploadedFile:
    ws = wb[FORM_SHEET]
    for row, values in enumerate(lines, start=2):
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("form.xlsx", out.getvalue(), content_type=XLSX)


def line_fields(order):
    return [(ln.position, ln.serial, ln.fault, ln.advance_requested, ln.advance_reason, ln.state)
            for ln in order.lines.order_by("position")]


def test_template_has_instructions_prefilled_details_validation_and_a_frozen_header(client_for, alice, units):
    wb = template(client_for(alice))
    assert wb.sheetnames == [HELP_SHEET, FORM_SHEET, CONTACT_SHEET]
    assert "填写说明" in wb[HELP_SHEET]["A1"].value
    ws = wb[FORM_SHEET]
    assert [c.value for c in ws[1]] == ["序列号", "故障描述", "申请提前换货", "提前换货理由"]
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 60
    validation = ws.data_validations.dataValidation[0]
    assert validation.formula1 == '"是,否"' and "C2" in str(validation.sqref)
    contact = {r[0].value: r[1].value for r in wb[CONTACT_SHEET].iter_rows()}
    assert contact == {"代理商代码": "GX-A01", "代理商名称": contact["代理商名称"], "联系人": "李工",
                       "联系电话": "0771-1234567", "联系邮箱": "li@a.cn", "回寄地址": "南宁市青秀区民族大道 1 号"}


def test_uploaded_template_becomes_a_draft_identical_to_the_typed_form(client_for, alice, units):
    client = client_for(alice)
    resp = client.post("/portal/orders/upload/", {"file": filled(template(client))})
    assert resp.status_code == 302, resp.content.decode()
    uploaded = ServiceOrder.objects.get()
    assert resp["Location"] == f"/portal/orders/{uploaded.pk}/edit/"
    typed_lines = [{"serial": s, "fault": f, "advance_requested": "on" if a == "是" else "", "advance_reason": r}
                   for s, f, a, r in LINES]
    data = form_data(*typed_lines, action="draft", contact_phone="0771-1234567")
    assert client.post("/portal/orders/new/", data).status_code == 302
    typed = ServiceOrder.objects.exclude(pk=uploaded.pk).get()
    assert uploaded.is_draft and typed.is_draft and uploaded.source == "xlsx"
    assert line_fields(uploaded) == line_fields(typed)
    header = ("contact_name", "contact_phone", "contact_email", "return_address", "dealer_id")
    assert [getattr(uploaded, f) for f in header] == [getattr(typed, f) for f in header]


def test_staff_get_the_template_of_a_dealer_and_upload_for_it(client_for, service_center, units):
    client = client_for(service_center)
    wb = template(client, "/rma/orders/template.xlsx?dealer=GX-A01")
    resp = client.post("/rma/orders/upload/?dealer=GX-A01", {"file": filled(wb), "dealer": "GX-A01"})
    assert resp.status_code == 302
    assert ServiceOrder.objects.get().dealer.code == "GX-A01"


def test_rows_with_problems_are_refused_naming_row_and_column(client_for, alice, units, make_unit, dealer_b):
    make_unit("SN-XL-BOB", dealer=dealer_b)
    client = client_for(alice)
    wb = template(client)
    wb[CONTACT_SHEET]["B4"] = None  # 联系电话
    bad = [("SN-XL-0001", "无法开机", "否", ""), ("X123", "坏了", "", ""), ("SN-XL-0002", "", "", ""),
           ("SN-XL-BOB", "蓝屏", "可能", ""), ("SN-XL-0001", "重复", "是", "")]
    resp = client.post("/portal/orders/upload/", {"file": filled(wb, bad)})
    assert resp.status_code == 422
    body = resp.content.decode()
    # The same wording as the web form and the API (one check), rows numbered as in the sheet.
    for message in ("第 3 行：序列号 X123 不存在或不属于本代理商", "第 4 行：缺少故障描述",
                    "第 5 行：序列号 SN-XL-BOB 不存在或不属于本代理商", "第 5 行：是否提前换货须为是或否",
                    "第 6 行：序列号 SN-XL-0001 与第 2 行重复", "第 6 行：申请提前换货须填写理由", "缺少联系电话"):
        assert message in body
    assert not ServiceOrder.objects.exists()


def test_a_file_that_is_not_xlsx_by_content_is_refused(client_for, alice, units):
    client = client_for(alice)
    for payload in (b"%PDF-1.4 not a sheet", b"PK\x03\x04 broken zip", b"serial,fault\nX,Y\n"):
        resp = client.post("/portal/orders/upload/", {"file": SimpleUploadedFile("f.xlsx", payload)})
        assert resp.status_code == 422
        assert "Excel" in resp.content.decode() or "损坏" in resp.content.decode()


def test_a_zip_bomb_is_refused(client_for, alice, units):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    resp = client_for(alice).post("/portal/orders/upload/", {"file": SimpleUploadedFile("bomb.xlsx", out.getvalue())})
    assert resp.status_code == 422 and "解压后过大" in resp.content.decode()


def test_another_dealers_code_in_the_file_is_refused(client_for, bob, units):
    client = client_for(bob)
    wb = template(client)
    wb[CONTACT_SHEET]["B1"] = "GX-A01"
    resp = client.post("/portal/orders/upload/", {"file": filled(wb)})
    assert resp.status_code == 422
    assert "代理商代码：GX-A01 不是本代理商" in resp.content.decode()
    assert "第 2 行：序列号 SN-XL-0001 不存在或不属于本代理商" in resp.content.decode()
