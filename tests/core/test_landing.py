"""`/`: the public landing for a visitor, one's home when signed in; the favicon."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_the_public_landing_not_the_login(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    for url in ('action="/warranty/"', 'href="/dealers/find/"', 'action="/rma/status/"', 'href="/cases/status/"',
                'href="/accounts/login/"', 'href="/faq/"'):
        assert url in page, url
    assert "服务时间" in page and "400-099-7500" in page
    assert 'rel="icon"' in page


def test_signed_in_users_still_get_their_home(client_for, alice, service_center):
    assert "landing-warranty" not in client_for(alice).get("/").content.decode()
    assert "landing-warranty" not in client_for(service_center).get("/").content.decode()
    assert 'class="app-nav-toggle"' in client_for(alice).get("/").content.decode()


def test_the_landing_takes_no_post(client):
    assert client.post("/").status_code == 405


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age" in response["Cache-Control"]


def test_report_from_the_landing_opens_the_units_report_form(client, dealer_a):
    from tests.registry.registry_factories import make_model, make_unit

    make_unit("SND200-2501-0007", make_model("SN-D200"), dealer=dealer_a)
    response = client.get("/warranty/?serial=snd200-2501-0007&report=1")
    assert response.status_code == 302
    assert response["Location"] == "/u/SND200-2501-0007#report-form"
    assert client.get("/warranty/?serial=NOPE-1&report=1").status_code == 404  # unknown: the usual answer
