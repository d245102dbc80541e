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


# --- the base URL the QR codes carry --------------------------------------------------------
LOOPBACK = "http://127.0.0.1:8101"


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8000", True), ("http://127.8.0.2", True), ("http://localhost:8101", True),
    ("http://[::1]:8101", True), ("http://shouhou.localhost", True), ("http://10.1.2.3:8000", False),
    ("https://service.example.cn", False), ("http://192.168.1.20:8101", False),
])
def test_loopback_addresses_are_recognised(url, loopback):
    from shouhou.core.env import is_loopback_url

    assert is_loopback_url(url) is loopback


@pytest.mark.parametrize("path", ["/units/", "/units/SND200-2501-0007/", "/models/SN-D200/"])
def test_pages_that_print_labels_warn_when_qr_codes_would_point_at_this_machine(staff, dealer_a, settings,
                                                                                path):
    make_unit("SND200-2501-0007", make_model("SN-D200"), dealer=dealer_a)
    settings.BASE_URL = LOOPBACK
    page = staff.get(path).content.decode()
    assert "labels-warning" in page
    assert f"标签二维码将指向 {LOOPBACK}" in page and "SHOUHOU_BASE_URL" in page
    settings.BASE_URL = "https://service.example.cn"
    assert "labels-warning" not in staff.get(path).content.decode()


def test_a_dealer_sees_no_label_warning(client_for, alice, dealer_a, settings):
    make_unit("SND200-2501-0007", make_model("SN-D200"), dealer=dealer_a)
    settings.BASE_URL = LOOPBACK
    page = client_for(alice).get("/units/").content.decode()
    assert "labels-warning" not in page


def test_base_url_follows_the_port_being_served():
    from shouhou.core.env import served_base_url

    assert served_base_url("127.0.0.1", 8101) == "http://127.0.0.1:8101"
    assert served_base_url("::1", 8101) == "http://[::1]:8101"
    assert served_base_url("service.lan", 80) == "http://service.lan:80"
    everywhere = served_base_url("0.0.0.0", 8101)
    assert everywhere.endswith(":8101") and "0.0.0.0" not in everywhere
