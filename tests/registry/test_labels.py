"""Unit labels: render the PDF page to an image and decode the QR and Code 128 back."""

import subprocess

import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


def decoded(pdf: bytes, tmp_path) -> set[tuple[str, str]]:
    (tmp_path / "labels.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(tmp_path / "labels.pdf"),
                    str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    return {(symbol.type, symbol.data.decode()) for symbol in decode(Image.open(image))}


@pytest.fixture
def staff(client_for, service_center):
    return client_for(service_center)


@pytest.mark.parametrize("fmt", ["60x40", "a4"])
def test_label_qr_and_barcode_decode_to_the_url_and_serial(staff, dealer_a, settings, tmp_path, fmt):
    settings.BASE_URL = "https://shouhou.example.cn"
    model = make_model("SN-D200")
    make_unit("SND200-2501-0007", model, dealer=dealer_a, manufactured_on="2025-01-01")
    response = staff.get(f"/units/labels.pdf?format={fmt}&q=SND200-2501-0007")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert decoded(response.content, tmp_path) == {
        ("QRCODE", "https://shouhou.example.cn/u/SND200-2501-0007"),
        ("CODE128", "SND200-2501-0007"),
    }


def test_a4_sheet_carries_24_labels_per_page(staff, dealer_a, tmp_path):
    model = make_model("SN-D200")
    for i in range(30):
        make_unit(f"SND200-2501-{i:04d}", model, dealer=dealer_a, manufactured_on="2025-01-01")
    response = staff.get("/units/labels.pdf?format=a4&model=SN-D200&made=2025-01-01")
    symbols = decoded(response.content, tmp_path)
    assert len([s for s in symbols if s[0] == "QRCODE"]) == 24
    assert len([s for s in symbols if s[0] == "CODE128"]) == 24
    import io

    from pypdf import PdfReader
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2


def test_too_many_labels_get_a_clear_message(staff, dealer_a, monkeypatch):
    monkeypatch.setattr("shouhou.registry.views.MAX_LABELS", 2)
    model = make_model("SN-D200")
    for i in range(3):
        make_unit(f"SND200-2501-{i:04d}", model, dealer=dealer_a)
    response = staff.get("/units/labels.pdf?format=a4")
    assert response.status_code == 400
    assert "一次最多打印 2 张标签" in response.content.decode()


def test_unknown_label_format_is_400(staff):
    assert staff.get("/units/labels.pdf?format=a5").status_code == 400
