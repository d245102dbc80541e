"""A dealer (page session or API token) reading another dealer's records gets 404 on every route of
the registry, exactly like a missing record; dealers may not write (403)."""

import json

import pytest

from shouhou.registry import services
from tests.registry.registry_factories import make_model, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dealer_a, dealer_b):
    model = make_model()
    own = make_unit("SNA-0001", model, dealer=dealer_a)
    other = make_unit("SNB-0001", model, dealer=dealer_b)
    cust_a = services.customer_create(actor=None, name="南宁星际网咖", dealer=dealer_a)
    cust_b = services.customer_create(actor=None, name="广州网鱼网咖", dealer=dealer_b)
    return {"own": own, "other": other, "cust_a": cust_a, "cust_b": cust_b, "model": model}


# (method, path template, body) for every registry route that names another dealer's record.
OTHER_DEALER_ROUTES = [
    ("get", "/units/{other}/", None),
    ("get", "/units/{other}/edit/", None),
    ("post", "/units/{other}/edit/", {"serial": "X"}),
    ("get", "/dealers/{dealer_b}/", None),
    ("get", "/dealers/{dealer_b}/edit/", None),
    ("get", "/customers/{cust_b}/edit/", None),
    ("get", "/api/v1/units/{other}", None),
    ("patch", "/api/v1/units/{other}", {"status": "in_repair"}),
    ("get", "/api/v1/dealers/{dealer_b}", None),
    ("patch", "/api/v1/dealers/{dealer_b}", {"name": "x"}),
    ("get", "/api/v1/customers/{cust_b}", None),
    ("patch", "/api/v1/customers/{cust_b}", {"name": "x"}),
]


def _path(template, world, dealer_b):
    return template.format(other=world["other"].serial, dealer_b=dealer_b.code, cust_b=world["cust_b"].pk)


def _send(client, method, path, body, headers=None):
    kwargs = {"headers": headers or {}}
    if body is not None:
        if path.startswith("/api/"):
            kwargs.update(data=json.dumps(body), content_type="application/json")
        else:
            kwargs.update(data=body)
    return getattr(client, method)(path, **kwargs)


@pytest.mark.parametrize(("method", "template", "body"), OTHER_DEALER_ROUTES)
def test_dealer_user_gets_404_for_another_dealers_record(client_for, alice, world, dealer_b, method,
                                                         template, body):
    response = _send(client_for(alice), method, _path(template, world, dealer_b), body)
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "template", "body"),
                         [r for r in OTHER_DEALER_ROUTES if r[1].startswith("/api/")])
def test_dealer_token_gets_404_for_another_dealers_record(client, token_for, alice, world, dealer_b, method,
                                                          template, body):
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    response = _send(client, method, _path(template, world, dealer_b), body, auth)
    assert response.status_code == 404


def test_missing_and_foreign_units_answer_the_same(client, token_for, alice, world):
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    foreign = client.get(f"/api/v1/units/{world['other'].serial}", headers=auth)
    missing = client.get("/api/v1/units/NO-SUCH-UNIT", headers=auth)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_dealer_sees_its_own_unit_page_and_api(client_for, client, token_for, alice, world):
    assert client_for(alice).get(f"/units/{world['own'].serial}/").status_code == 200
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    assert client.get(f"/api/v1/units/{world['own'].serial}", headers=auth).json()["dealer"] == "GX-A01"
    assert client.get(f"/api/v1/customers/{world['cust_a'].pk}", headers=auth).status_code == 200


def test_dealer_lists_show_only_its_own(client_for, client, token_for, alice, world):
    page = client_for(alice).get("/units/").content.decode()
    assert "SNA-0001" in page and "SNB-0001" not in page
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    units = client.get("/api/v1/units", headers=auth).json()
    assert [u["serial"] for u in units["results"]] == ["SNA-0001"]
    assert [c["name"] for c in client.get("/api/v1/customers", headers=auth).json()] == ["南宁星际网咖"]
    assert [d["code"] for d in client.get("/api/v1/dealers", headers=auth).json()] == ["GX-A01"]
    # Filtering by the other dealer's code finds nothing rather than leaking.
    assert client.get("/api/v1/units?dealer=GD-B02", headers=auth).json()["count"] == 0


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/units", {"serial": "SNA-0002", "model": "SN-D200", "dealer": "GX-A01"}),
    ("patch", "/api/v1/units/SNA-0001", {"status": "in_repair"}),
    ("post", "/api/v1/models", {"code": "SN-X", "name": "x", "replacement_days": 1, "warranty_months": 1}),
    ("patch", "/api/v1/models/SN-D200", {"name": "x"}),
    ("post", "/api/v1/dealers", {"code": "GX-X09", "name": "x"}),
    ("patch", "/api/v1/dealers/GX-A01", {"name": "x"}),
    ("post", "/api/v1/customers", {"name": "x", "dealer": "GX-A01"}),
    ("patch", "/api/v1/customers/{cust_a}", {"name": "x"}),
])
def test_dealer_token_may_not_write(client, token_for, alice, world, method, path, body):
    auth = {"Authorization": f"Bearer {token_for(alice)}"}
    response = _send(client, method, path.format(cust_a=world["cust_a"].pk), body, auth)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("path", ["/dealers/", "/dealers/GX-A01/", "/dealers/GX-A01/edit/", "/models/",
                                  "/models/SN-D200/", "/models/SN-D200/edit/", "/units/new/",
                                  "/units/SNA-0001/edit/", "/customers/", "/units/labels.pdf",
                                  "/api/v1/models", "/api/v1/models/SN-D200"])
def test_dealer_user_gets_404_on_staff_only_pages(client_for, alice, world, path):
    assert client_for(alice).get(path).status_code == 404


def test_dealer_can_not_see_the_unit_page_edit_button(client_for, alice, world):
    page = client_for(alice).get(f"/units/{world['own'].serial}/").content.decode()
    assert "/edit/" not in page
    assert "暂无服务记录" in page
