"""Access rules of the registry's pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.registry.models import Customer, DealerContact, ProductModel, Unit
from shouhou.registry.models_import import ImportJob
from tests.gates.rules import Kind, dealer, public, staff

MISSING_ID = 987654321


def _unit(seed, dealer_):
    return {"serial": Unit.objects.filter(dealer=dealer_).order_by("pk").first().serial}


def _customer(seed, dealer_):
    return {"pk": Customer.objects.filter(dealer=dealer_).order_by("pk").first().pk}


KINDS = {
    "unit": Kind(fill=_unit, missing={"serial": "ZZ-NO-SUCH-SERIAL"}),
    "dealer": Kind(fill=lambda seed, dealer_: {"code": dealer_.code}, missing={"code": "ZZ-NONE"}),
    "customer": Kind(fill=_customer, missing={"pk": MISSING_ID}),
    "dealer_contact": Kind(fill=lambda seed, dealer_: {
        "code": dealer_.code, "pk": DealerContact.objects.filter(dealer=dealer_).order_by("pk").first().pk},
        missing={"code": "ZZ-NONE", "pk": MISSING_ID}),
    # Not dealer data: staff only, filled the same for either dealer.
    "product_model": Kind(fill=lambda seed, dealer_: {"code": ProductModel.objects.order_by("pk").first().code},
                          missing={"code": "ZZ-NONE"}),
    "import_job": Kind(fill=lambda seed, dealer_: {"pk": ImportJob.objects.order_by("pk").first().pk},
                       missing={"pk": MISSING_ID}),
}

RULES = {
    # Public pages and the public coverage API.
    "warranty_check": public(),
    "dealer_find": public(),
    "unit_public": public("unit"),
    "GET /api/v1/units/{serial}/coverage": public("unit"),
    # Units: dealers see their own.
    "unit_list": dealer(),
    "unit_detail": dealer("unit"),
    "unit_export_xlsx": dealer(),
    "unit_create": staff(),
    "unit_edit": staff("unit"),
    "unit_labels": staff(),
    "GET /api/v1/units": dealer(),
    "GET /api/v1/units/{serial}": dealer("unit"),
    "POST /api/v1/units": staff(body={"serial": "GATE-0001", "model": "SN-D200"}),
    "PATCH /api/v1/units/{serial}": staff("unit", body={"note": "门禁测试"}),
    # Hardware snapshots from the cloud-management platform (integration tokens push them).
    "GET /api/v1/units/{serial}/snapshots": dealer("unit"),
    "POST /api/v1/units/{serial}/snapshots": staff("unit", body={"taken_at": None, "config": {"cpu": "Xeon"}}),
    # Dealers.
    "dealer_list": staff(),
    "dealer_create": staff(),
    "dealer_detail": staff("dealer"),
    "dealer_edit": staff("dealer"),
    "dealer_contact_create": staff("dealer"),
    "dealer_contact_edit": staff("dealer_contact"),
    "dealer_contact_remove": staff("dealer_contact"),
    "GET /api/v1/dealers": dealer(),
    "GET /api/v1/dealers/{code}": dealer("dealer"),
    "POST /api/v1/dealers": staff(body={"code": "GATE-01", "name": "门禁测试代理商"}),
    "PATCH /api/v1/dealers/{code}": staff("dealer", body={"phone": "0771-0000000"}),
    # Product models: staff only, reads included.
    "model_list": staff(),
    "model_create": staff(),
    "model_detail": staff("product_model"),
    "model_edit": staff("product_model"),
    "GET /api/v1/models": staff(),
    "GET /api/v1/models/{code}": staff("product_model"),
    "POST /api/v1/models": staff(body={"code": "SN-GATE", "name": "门禁", "replacement_days": 90,
                                      "warranty_months": 36}),
    "PATCH /api/v1/models/{code}": staff("product_model", body={"name": "门禁"}),
    # Customers.
    "customer_list": staff(),
    "customer_create": staff(),
    "customer_edit": staff("customer"),
    "GET /api/v1/customers": dealer(),
    "GET /api/v1/customers/{pk}": dealer("customer"),
    "POST /api/v1/customers": staff(body={"name": "门禁网咖", "dealer": "GX-NN01"}),
    "PATCH /api/v1/customers/{pk}": staff("customer", body={"phone": "0771-0000000"}),
    # Who is calling (hotline screen).
    "caller_panel": staff(query={"phone": "0771-5882301"}),
    "GET /api/v1/callers": staff(query={"phone": "0771-5882301"}),
    # Imports.
    "import_upload": staff(),
    "import_detail": staff("import_job"),
    "import_errors": staff("import_job"),
}
