"""Page URLs with ids past the 64-bit range or pages past any list answer 404 / a page, never 500."""

from __future__ import annotations

import pytest

BIG = 2**63

URLS = [
    f"/rma/orders/{BIG}/", f"/rma/orders/{BIG}/edit/", f"/rma/orders/{BIG}/documents/quote.pdf",
    f"/rma/orders/1/lines/{BIG}/topology", f"/rma/orders/{BIG}/lines/1/topology",
    f"/rma/orders/{BIG}/lines/{BIG}/attachments/{BIG}",
    f"/portal/orders/{BIG}/", f"/portal/orders/{BIG}/edit/", f"/portal/orders/{BIG}/lines/1/topology",
    f"/rma/orders/{BIG}/lines/{BIG}/sheets/{BIG}.pdf", f"/rma/orders/1/lines/1/sheets/{BIG}.pdf",
    f"/portal/orders/{BIG}/lines/{BIG}/sheets/{BIG}.pdf", f"/portal/orders/1/lines/1/sheets/{BIG}.pdf",
]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["service_center", "alice"])
def test_overflowing_ids_in_page_urls_are_404(request, who, client_for):
    client = client_for(request.getfixturevalue(who))
    client.raise_request_exception = False
    for url in URLS:
        assert client.get(url).status_code in (403, 404), url
    for event in ("approve", "ship_to_centre"):
        for url in (f"/rma/orders/{BIG}/lines/1/{event}/", f"/portal/orders/{BIG}/lines/{BIG}/{event}/",
                    f"/rma/receive/{BIG}/"):
            assert client.post(url).status_code in (403, 404), url


@pytest.mark.django_db
def test_overflowing_pages_show_the_last_page(service_center, client_for):
    client = client_for(service_center)
    client.raise_request_exception = False
    for url in ("/rma/", "/units/", "/portal/"):
        assert client.get(url, {"page": str(2**62)}).status_code in (200, 302, 403, 404), url


@pytest.mark.django_db
def test_a_nul_character_in_a_query_is_refused_not_a_500(service_center, client_for, token_for):
    client = client_for(service_center)
    client.raise_request_exception = False
    assert client.get("/units/", {"q": "SN\x00"}).status_code == 400
    api = client.get("/api/v1/units", {"q": "SN\x00"}, headers={"Authorization": f"Bearer {token_for(service_center)}"})
    assert api.status_code == 422 and api.json()["code"] == "invalid"
