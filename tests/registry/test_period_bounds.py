"""Replacement and warranty periods are bounded by the model's validation and a database CHECK.

A billion-day replacement period was answered 422 and stored anyway; every page of the unit,
the export, the public page and the coverage API then failed until someone repaired the row.
"""

import json

import pytest
from django.db import IntegrityError, transaction

from shouhou.domain.coverage import MAX_REPLACEMENT_DAYS, MAX_WARRANTY_MONTHS
from shouhou.registry.models import ProductModel, Unit
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, token_for, service_center):
    auth = {"Authorization": f"Bearer {token_for(service_center)}"}

    def call(method, path, body=None):
        if body is None:
            return getattr(client, method)(path, headers=auth)
        return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", headers=auth)

    return call


def test_patching_a_unit_with_a_billion_days_is_refused_and_nothing_changes(api, dealer_a):
    unit = make_unit("SN-BIG-0001", make_model("SN-D200"), dealer=dealer_a)
    response = api("patch", f"/api/v1/units/{unit.serial}", {"replacement_days": 1_000_000_000})
    assert response.status_code == 422
    unit.refresh_from_db()
    assert unit.replacement_days is None
    assert api("get", f"/api/v1/units/{unit.serial}").status_code == 200
    assert api("get", f"/api/v1/units/{unit.serial}/coverage").status_code == 200


def test_creating_a_model_with_a_billion_days_is_refused(api):
    body = {"code": "SN-BIG", "name": "x", "replacement_days": 1_000_000_000, "warranty_months": 36}
    assert api("post", "/api/v1/models", body).status_code == 422
    body = {"code": "SN-BIG", "name": "x", "replacement_days": 90, "warranty_months": MAX_WARRANTY_MONTHS + 1}
    assert api("post", "/api/v1/models", body).status_code == 422
    assert not ProductModel.objects.filter(code="SN-BIG").exists()
    body = {"code": "SN-BIG", "name": "x", "replacement_days": MAX_REPLACEMENT_DAYS,
            "warranty_months": MAX_WARRANTY_MONTHS}
    assert api("post", "/api/v1/models", body).status_code == 201


def test_the_model_edit_form_refuses_a_billion_days(client_for, service_center):
    model = make_model("SN-D300")
    client = client_for(service_center)
    response = client.post(f"/models/{model.code}/edit/", {
        "code": model.code, "name": model.name, "replacement_days": "1000000000", "warranty_months": "36"})
    assert response.status_code in (200, 400)
    model.refresh_from_db()
    assert model.replacement_days == 90


def test_the_database_refuses_unbounded_periods():
    model = make_model("SN-D400")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductModel.objects.filter(pk=model.pk).update(replacement_days=MAX_REPLACEMENT_DAYS + 1)
    unit = make_unit("SN-BIG-0002", model)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=unit.pk).update(warranty_months=MAX_WARRANTY_MONTHS + 1)
