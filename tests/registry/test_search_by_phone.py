"""Staff find dealers and customers by phone in any written form and by contact name."""

from __future__ import annotations

import pytest

from shouhou.registry import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(dealer_a, dealer_b):
    services.dealer_update(actor=None, dealer=dealer_a, contact_name="黄志强", mobile="13800138000")
    services.dealer_contact_create(actor=None, dealer=dealer_b, name="韦小宝", phone="0771-5550000")
    services.customer_create(actor=None, name="星际网咖", contact_name="陆老板", phone="0771-556 1234",
                             dealer=dealer_b)
    services.customer_create(actor=None, name="蓝天网吧", phone="020-3333 4444", dealer=dealer_a)


def _rows(client, url, q):
    body = client.get(url, {"q": q}).content.decode()
    return body


@pytest.mark.parametrize(("q", "found", "not_found"), [
    ("0771-5561234", "星际网咖", "蓝天网吧"),
    ("(0771)556 1234", "星际网咖", "蓝天网吧"),
    ("+86 771 5561234", "星际网咖", "蓝天网吧"),
    ("5561234", "星际网咖", "蓝天网吧"),  # the local number without the area code
    ("陆老板", "星际网咖", "蓝天网吧"),
    ("蓝天", "蓝天网吧", "星际网咖"),
])
def test_customer_list_finds_by_phone_and_contact(people, client_for, service_center, q, found, not_found):
    body = _rows(client_for(service_center), "/customers/", q)
    assert found in body and not_found not in body


@pytest.mark.parametrize(("q", "found", "not_found"), [
    ("+86 138 0013 8000", "GX-A01", "GD-B02"),
    ("138-0013-8000", "GX-A01", "GD-B02"),
    ("黄志强", "GX-A01", "GD-B02"),
    ("韦小宝", "GD-B02", "GX-A01"),  # a contact person
    ("0771 555 0000", "GD-B02", "GX-A01"),  # a contact person's phone
    ("020-200 0002", "GD-B02", "GX-A01"),  # the dealer's own phone
])
def test_dealer_list_finds_by_phone_and_contact(people, client_for, service_center, q, found, not_found):
    body = _rows(client_for(service_center), "/dealers/", q)
    assert f">{found}<" in body or f"/dealers/{found}/" in body
    assert f"/dealers/{not_found}/" not in body


def test_api_customer_search_by_phone_is_scoped(people, client, token_for, service_center, alice):
    staff = client.get("/api/v1/customers", {"q": "(0771)5561234"},
                       headers={"Authorization": f"Bearer {token_for(service_center)}"}).json()
    assert [c["name"] for c in staff] == ["星际网咖"]
    dealer = client.get("/api/v1/customers", {"q": "(0771)5561234"},
                        headers={"Authorization": f"Bearer {token_for(alice)}"}).json()
    assert dealer == []  # dealer B's customer


def test_dealer_page_lists_its_contacts(people, client_for, service_center, dealer_b):
    body = client_for(service_center).get(f"/dealers/{dealer_b.code}/").content.decode()
    assert "韦小宝" in body and "0771-5550000" in body


def test_staff_add_edit_and_remove_a_dealer_contact(people, client_for, service_center, dealer_a):
    from shouhou.registry.models import DealerContact

    client = client_for(service_center)
    response = client.post(f"/dealers/{dealer_a.code}/contacts/new/",
                           {"name": "覃工", "role": "技术", "phone": "(0771) 555-8888", "email": "", "qq": "80001"})
    assert response.status_code == 302 and response["Location"] == f"/dealers/{dealer_a.code}/"
    contact = DealerContact.objects.get(name="覃工")
    assert contact.phone_key == "07715558888"
    assert client.post(f"/dealers/{dealer_a.code}/contacts/{contact.pk}/edit/",
                       {"name": "覃工", "role": "技术", "phone": "139 0000 1234", "email": "", "qq": ""}
                       ).status_code == 302
    assert DealerContact.objects.get(pk=contact.pk).phone_key == "13900001234"
    assert client.post(f"/dealers/{dealer_a.code}/contacts/{contact.pk}/remove/").status_code == 302
    assert not DealerContact.objects.filter(pk=contact.pk).exists()


def test_a_bad_contact_is_refused_and_nothing_saved(people, client_for, service_center, dealer_a):
    from shouhou.registry.models import DealerContact

    before = DealerContact.objects.count()
    response = client_for(service_center).post(f"/dealers/{dealer_a.code}/contacts/new/",
                                               {"name": "", "phone": "123", "qq": "QQ1"})
    assert response.status_code == 400
    assert "QQ 号为 5–12 位数字" in response.content.decode()
    assert DealerContact.objects.count() == before


def test_contact_routes_answer_404_for_another_dealers_contact_or_a_dealer_user(people, client_for, service_center,
                                                                                 alice, dealer_a, dealer_b):
    from shouhou.registry.models import DealerContact

    contact = DealerContact.objects.get(dealer=dealer_b)
    staff = client_for(service_center)
    # the contact exists, but not under dealer A
    assert staff.get(f"/dealers/{dealer_a.code}/contacts/{contact.pk}/edit/").status_code == 404
    assert staff.post(f"/dealers/{dealer_a.code}/contacts/{contact.pk}/remove/").status_code == 404
    dealer_user = client_for(alice)
    assert dealer_user.get(f"/dealers/{dealer_a.code}/contacts/new/").status_code == 404
    assert dealer_user.get(f"/dealers/{dealer_b.code}/contacts/{contact.pk}/edit/").status_code == 404
    assert DealerContact.objects.filter(pk=contact.pk).exists()
