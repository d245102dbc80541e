"""Access rules of service orders' pages and API (see tests/gates/rules.py and docs/testing.md)."""

from shouhou.rma.models import LineAttachment, OrderLine, ReceiptPhoto, ServiceOrder
from tests.gates.rules import Kind, dealer, portal, public, staff
from tests.gates.seed import PNG

MISSING_ID = 987654321


def _attachment(dealer_):
    """The dealer's line with a topology diagram and a photo (tests/gates/seed.py adds one per dealer)."""
    return LineAttachment.objects.filter(line__order__dealer=dealer_).select_related("line").order_by("pk").first()


def _approved(dealer_):
    return ServiceOrder.objects.filter(dealer=dealer_, number__isnull=False).order_by("pk").first()


def _draft(dealer_):
    return ServiceOrder.objects.filter(dealer=dealer_, submitted_at__isnull=True).order_by("pk").first()


def _line(seed, dealer_):
    attachment = _attachment(dealer_)
    return {"pk": attachment.line.order_id, "line_id": attachment.line_id}


def _receipt(dealer_):
    """The dealer's unannounced parcel with its photo (the demo logs one per demo dealer)."""
    return ReceiptPhoto.objects.filter(receipt__dealer=dealer_).select_related("receipt").order_by("pk").first()


def _sheet(seed, dealer_):
    """A received line of the dealer (the demo receives units of both) and its tracking sheet."""
    from shouhou.rma.tracking_sheets import sheet_current

    line = (OrderLine.objects.filter(order__dealer=dealer_, received_at__isnull=False).exclude(state="draft")
            .order_by("pk").first())
    return {"pk": line.order_id, "line_id": line.pk, "version": sheet_current(line_id=line.pk).version}


KINDS = {
    "receipt": Kind(fill=lambda seed, d: {"pk": _receipt(d).receipt_id}, missing={"pk": MISSING_ID}),
    "receipt_photo": Kind(fill=lambda seed, d: {"pk": _receipt(d).receipt_id, "photo_id": _receipt(d).pk},
                          missing={"pk": MISSING_ID, "photo_id": MISSING_ID}),
    # Policy versions belong to no dealer: version 1 is loaded by the migrations.
    "policy_version": Kind(fill=lambda seed, d: {"version": 1}, missing={"version": MISSING_ID}),
    "order": Kind(fill=lambda seed, d: {"pk": _attachment(d).line.order_id}, missing={"pk": MISSING_ID}),
    "approved_order": Kind(fill=lambda seed, d: {"pk": _approved(d).pk}, missing={"pk": MISSING_ID}),
    "draft": Kind(fill=lambda seed, d: {"pk": _draft(d).pk}, missing={"pk": MISSING_ID}),
    "line": Kind(fill=_line, missing={"pk": MISSING_ID, "line_id": MISSING_ID}),
    "sheet": Kind(fill=_sheet, missing={"pk": MISSING_ID, "line_id": MISSING_ID, "version": 1}),
    "line_only": Kind(fill=lambda seed, d: {"line_id": _attachment(d).line_id}, missing={"line_id": MISSING_ID}),
    "attachment": Kind(fill=lambda seed, d: {**_line(seed, d), "attachment_id": _attachment(d).pk},
                       missing={"pk": MISSING_ID, "line_id": MISSING_ID, "attachment_id": MISSING_ID}),
    "api_order": Kind(fill=lambda seed, d: {"order_id": _attachment(d).line.order_id},
                      missing={"order_id": MISSING_ID}),
    "api_draft": Kind(fill=lambda seed, d: {"order_id": _draft(d).pk}, missing={"order_id": MISSING_ID}),
    "api_line": Kind(fill=lambda seed, d: {"order_id": _attachment(d).line.order_id,
                                           "line_id": _attachment(d).line_id},
                     missing={"order_id": MISSING_ID, "line_id": MISSING_ID}),
}

RULES = {
    "rma_status": public(),
    # Staff.
    "rma_queue": staff(),
    "rma_queue_export": staff(),
    "rma_order_new": staff(),
    "rma_order_line_row": staff(),
    "rma_order_template": staff(query={"dealer": "GX-NN01"}),
    "rma_order_upload": staff(query={"dealer": "GX-NN01"}),
    "rma_order": staff("order"),
    "rma_order_edit": staff("draft"),
    "rma_order_document": staff("approved_order", kind="return_authorisation"),
    "rma_line_sheet": staff("sheet"),
    "rma_line_topology": staff("line"),
    "rma_line_attachment": staff("attachment"),
    "rma_line_event": staff("line", event="request_info"),
    "rma_receive": staff(),
    "rma_receive_line": staff("line_only"),
    "rma_receipts": staff(),
    "rma_receipt_new": staff(),
    "rma_receipt": staff("receipt"),
    "rma_receipt_match": staff("receipt"),
    "rma_receipt_photo": staff("receipt_photo"),
    "policy_manage": staff(),
    "policy_edit": staff(),
    "policy_preview": staff(),
    "policy_version": staff("policy_version"),
    "policy_public": public(),
    "portal_policy": portal(),
    # The dealer portal: a dealer's user, on its own orders; staff do not use it.
    "portal_home": portal(),
    "portal_notifications": portal(),
    "portal_order_new": portal(),
    "portal_order_line_row": portal(),
    "portal_order_template": portal(),
    "portal_order_upload": portal(),
    "portal_order": portal("order"),
    "portal_order_edit": portal("draft"),
    "portal_order_document": portal("approved_order", kind="return_authorisation"),
    "portal_line_sheet": portal("sheet"),
    "portal_line_topology": portal("line"),
    "portal_line_event": portal("line", event="cancel", body={"reason": "门禁测试"}),
    # API.
    "GET /api/v1/policy": public(),
    "POST /api/v1/receipts": staff(body={"serial": "GATE-UNKNOWN-0001", "carrier": "顺丰速运"}),
    "GET /api/v1/service-orders": dealer(),
    "POST /api/v1/service-orders": dealer(),
    "GET /api/v1/service-orders/{order_id}": dealer("api_order"),
    "POST /api/v1/service-orders/{order_id}/submit": dealer("api_draft"),
    "POST /api/v1/service-orders/{order_id}/lines/{line_id}/topology": dealer("api_line", body={"file": PNG}),
    "POST /api/v1/service-orders/{order_id}/lines/{line_id}/{event}": dealer(
        "api_line", event="cancel", body={"version": 1, "reason": "门禁测试"}),
}
