"""Every way a phone is written into the registry stores its match key, and old rows get theirs."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from shouhou.domain.errors import Invalid
from shouhou.registry import services
from shouhou.registry.models import Customer, Dealer, DealerContact
from tests.registry.import_helpers import DEALERS, cli, write_csv

pytestmark = pytest.mark.django_db


def test_services_store_the_key_on_create_and_update(dealer_a):
    dealer = services.dealer_create(actor=None, code="GX-N9", name="南宁九", phone="(0771)556 1234",
                                    mobile="+86 139 0000 1111")
    dealer.refresh_from_db()
    assert (dealer.phone_key, dealer.mobile_key) == ("07715561234", "13900001111")
    services.dealer_update(actor=None, dealer=dealer, phone="020-8888 7777")
    dealer.refresh_from_db()
    assert (dealer.phone_key, dealer.mobile_key) == ("02088887777", "13900001111")

    customer = services.customer_create(actor=None, name="网咖", phone="0771-5561234 转 8", dealer=dealer_a)
    services.customer_update(actor=None, customer=customer, name="新网咖")
    customer.refresh_from_db()
    assert customer.phone_key == "07715561234"
    services.customer_update(actor=None, customer=customer, phone="")
    customer.refresh_from_db()
    assert customer.phone_key == ""


def test_dealer_contacts_are_validated_and_keyed(dealer_a):
    contact = services.dealer_contact_create(actor=None, dealer=dealer_a, name="韦工", phone="+8613800138000",
                                             qq="10001")
    assert DealerContact.objects.get(pk=contact.pk).phone_key == "13800138000"
    services.dealer_contact_update(actor=None, contact=contact, phone="0771-5550000")
    assert DealerContact.objects.get(pk=contact.pk).phone_key == "07715550000"
    with pytest.raises(Invalid):
        services.dealer_contact_create(actor=None, dealer=dealer_a, name="坏QQ", qq="QQ12")
    with pytest.raises(Invalid):
        services.dealer_contact_create(actor=None, dealer=dealer_a, name=" ")
    assert list(DealerContact.objects.values_list("name", flat=True)) == ["韦工"]
    services.dealer_contact_remove(actor=None, contact=contact)
    assert not DealerContact.objects.exists()


def test_dealer_import_stores_the_key_on_insert_and_update(tmp_path, capsys):
    assert cli(capsys, "dealers", str(write_csv(tmp_path / "d.csv", DEALERS)))[0] == 0
    assert Dealer.objects.get(code="GX-A01").phone_key == "07711000001"
    changed = [DEALERS[0], ["GX-A01", "南宁甲电脑", "+86 771 100 0009", "a@dealer-a.cn", "广西"]]
    assert cli(capsys, "dealers", str(write_csv(tmp_path / "d2.csv", changed)))[0] == 0
    assert Dealer.objects.get(code="GX-A01").phone_key == "07711000009"


def test_admin_forms_store_the_key(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "Correct-Horse-42")
    client.force_login(admin)
    response = client.post("/admin/registry/customer/add/", {
        "name": "后台网咖", "contact_name": "", "phone": "0771 556 1234", "region_code": "", "dealer": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.get(name="后台网咖").phone_key == "07715561234"
    found = client.get("/admin/registry/customer/", {"q": "(0771)5561234"}).content.decode()
    assert "后台网咖" in found


def test_rows_written_without_the_service_get_the_key_too(db):
    dealer, _created = Dealer.objects.get_or_create(code="X1", defaults={"name": "X", "phone": "0771-5561234"})
    assert Dealer.objects.get(pk=dealer.pk).phone_key == "07715561234"


def test_the_data_migration_fills_keys_of_existing_rows(dealer_a, dealer_b):
    services.customer_create(actor=None, name="旧客户", phone="138 0013 8000")
    Dealer.objects.update(phone_key="", mobile_key="")
    Customer.objects.update(phone_key="")
    migration = importlib.import_module("shouhou.registry.migrations.0007_fill_phone_keys")
    migration.fill(apps, None)
    assert dict(Dealer.objects.values_list("code", "phone_key")) == {"GX-A01": "07711000001",
                                                                     "GD-B02": "0202000002"}
    assert Customer.objects.get(name="旧客户").phone_key == "13800138000"
