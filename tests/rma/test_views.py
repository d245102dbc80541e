"""The RMA pages: the service form, review, receiving, the order page's events, the portal,
the queue and the public status page; dealer isolation on every route."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shouhou.rma import services
from shouhou.rma.models import LineAttachment, OrderLine, ServiceOrder

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "topo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture
def recent(make_unit):
    """A unit of dealer A sold ten days ago: inside the replacement period today."""
    return make_unit("SN-WEB-0001", timezone.localdate() - timedelta(days=10))


@pytest.fixture
def spare(make_unit):
    return make_unit("SN-SPARE-0001", None, dealer=None, status="in_stock")


def form_data(*lines: dict, action: str = "submit", total: int | None = None, **header: str) -> dict:
    data = {"contact_name": "李工", "contact_phone": "13800000000", "contact_email": "li@a.cn",
            "return_address": "南宁市青秀区民族大道 1 号", "case_number": "", "action": action,
            "lines-TOTAL_FORMS": str(total or max(3, len(lines))), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "50", **header}
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    return data


def submitted(user, *units, advance: bool = False) -> ServiceOrder:
    return services.order_submit(
        dealer=units[0].dealer, actor=user, contact_name="李工", contact_phone="138", return_address="南宁",
        lines=[{"serial": u.serial, "fault": "无法开机", "advance_requested": advance,
                "advance_reason": "网吧营业" if advance else "", "topology": png()} for u in units])


def apply(line: OrderLine, event: str, user, **fields) -> OrderLine:
    line.refresh_from_db()
    return services.line_apply(line=line, event=event, actor=user, version=line.version, fields=fields)


def post_event(client, order, line, event, prefix="rma", **fields):
    line.refresh_from_db()
    data = {f"l{line.pk}-{event}-version": line.version}
    data.update({f"l{line.pk}-{event}-{k}": v for k, v in fields.items()})
    url = f"/{prefix}/orders/{order.pk}/lines/{line.pk}/{event}/"
    return client.post(url, data)


# --- the service form ----------------------------------------------------------------------------


def test_dealer_submits_a_complete_service_form(client_for, alice, recent):
    client = client_for(alice)
    resp = client.post("/portal/orders/new/", {
        **form_data({"serial": recent.serial.lower(), "fault": "无法开机", "advance_requested": "on",
                     "advance_reason": "网吧营业中"}),
        "lines-0-topology": png()})
    assert resp.status_code == 302, resp.content.decode()
    order = ServiceOrder.objects.get()
    assert resp["Location"] == f"/portal/orders/{order.pk}/"
    line = order.lines.get()
    assert (line.serial, line.state, line.coverage, line.advance_requested) == (
        recent.serial, "submitted", "replacement", True)
    assert line.topology.name.endswith(".png")
    page = client.get(resp["Location"]).content.decode()
    assert recent.serial in page and "待审核" in page


def test_blank_form_offers_three_lines_without_javascript(client_for, alice):
    page = client_for(alice).get("/portal/orders/new/").content.decode()
    assert page.count('class="card mb-2 line-row"') == 3
    assert 'hx-get="/portal/orders/new/line/"' in page
    assert 'value="南宁恒信' not in page  # the dealer's details prefill the contact, not a made-up value


def test_add_line_returns_one_more_row_and_the_new_total(client_for, alice):
    resp = client_for(alice).get("/portal/orders/new/line/", {"lines-TOTAL_FORMS": "3"})
    body = resp.content.decode()
    assert 'name="lines-3-serial"' in body
    assert re.search(r'name="lines-TOTAL_FORMS" value="4"[^>]*hx-swap-oob="true"', body)


def test_incomplete_form_is_refused_with_every_problem_per_line(client_for, alice, recent, make_unit, dealer_b):
    make_unit("SN-BOB-0001", dealer=dealer_b)
    resp = client_for(alice).post("/portal/orders/new/", {
        **form_data({"serial": "X123", "fault": "坏了"}, {"serial": recent.serial, "fault": ""},
                    {"serial": "SN-BOB-0001", "fault": "蓝屏"}, contact_phone=""),
        "lines-1-topology": png()})
    assert resp.status_code == 422
    body = resp.content.decode()
    for message in ("请填写联系电话", "第 1 行：序列号 X123 不存在或不属于本代理商", "第 2 行：缺少故障描述",
                    "第 3 行：序列号 SN-BOB-0001 不存在或不属于本代理商", "第 1 行：缺少配置拓扑图"):
        assert message in body
    assert not ServiceOrder.objects.exists()


def test_a_topology_diagram_is_checked_by_its_content(client_for, alice, recent):
    fake = SimpleUploadedFile("topo.png", b"MZ not an image", content_type="image/png")
    resp = client_for(alice).post("/portal/orders/new/", {
        **form_data({"serial": recent.serial, "fault": "无法开机"}), "lines-0-topology": fake})
    assert resp.status_code == 422
    assert "第 1 行：配置拓扑图须为 PNG、JPEG 图片或 PDF 文件" in resp.content.decode()


def test_a_draft_is_saved_then_completed_and_submitted(client_for, alice, recent):
    client = client_for(alice)
    resp = client.post("/portal/orders/new/", {**form_data({"serial": recent.serial, "fault": ""}, action="draft"),
                                               "lines-0-topology": png()})
    assert resp.status_code == 302
    draft = ServiceOrder.objects.get()
    assert draft.is_draft and draft.lines.get().state == "draft"
    edit = client.get(f"/portal/orders/{draft.pk}/edit/").content.decode()
    assert recent.serial in edit and "已上传" in edit
    resp = client.post(f"/portal/orders/{draft.pk}/edit/", form_data({"serial": recent.serial, "fault": "风扇异响"}))
    assert resp.status_code == 302, resp.content.decode()
    draft.refresh_from_db()
    line = draft.lines.get()
    assert not draft.is_draft and line.state == "submitted" and line.fault == "风扇异响" and line.topology


def test_staff_enter_a_form_on_a_dealers_behalf_with_a_case_number(client_for, service_center, recent):
    from shouhou.cases.services import Reporter, case_open

    case = case_open(actor=service_center, channel="hotline", case_type="fault", subject="无法开机",
                     reporter=Reporter(phone="13800138000"), serial=recent.serial)
    client = client_for(service_center)
    page = client.get(f"/rma/orders/new/?dealer=GX-A01&case={case.number}").content.decode()
    assert f'value="{case.number}"' in page
    resp = client.post("/rma/orders/new/?dealer=GX-A01", {
        **form_data({"serial": recent.serial, "fault": "无法开机"}, dealer="GX-A01", case_number=case.number),
        "lines-0-topology": png()})
    assert resp.status_code == 302, resp.content.decode()
    order = ServiceOrder.objects.get()
    assert (order.dealer.code, order.case, order.source, order.submitted_by) == (
        "GX-A01", case, "staff", service_center)


# --- review and the order page ---------------------------------------------------------------------


def test_review_shows_coverage_history_and_only_allowed_events(client_for, service_center, alice, recent):
    old = submitted(alice, recent)
    apply(old.lines.get(), "reject", service_center, reason="资料不全")
    order = submitted(alice, recent, advance=True)
    page = client_for(service_center).get(f"/rma/orders/{order.pk}/").content.decode()
    assert "包换期内" in page
    assert f'href="/rma/orders/{old.pk}/"' in page  # the unit's other order
    events = re.findall(r'data-event="(\w+)" class="event-form"|class="event-form" data-event="(\w+)"', page)
    assert {a or b for a, b in events} == {"approve", "approve_advance", "request_info", "reject", "cancel"}
    assert "同意返厂检测" in page and "同意提前换货" in page


def test_approving_from_the_review_page_issues_the_rma_number(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    resp = post_event(client_for(service_center), order, line, "approve")
    assert resp.status_code == 302
    order.refresh_from_db()
    line.refresh_from_db()
    assert order.number and line.state == "approved"


def test_a_stale_form_gets_the_409_page(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    client = client_for(service_center)
    version = line.version
    apply(line, "request_info", service_center, message="请补充拓扑图")
    apply(line, "resubmit", alice)
    resp = client.post(f"/rma/orders/{order.pk}/lines/{line.pk}/approve/", {f"l{line.pk}-approve-version": version})
    assert resp.status_code == 409
    assert "该记录已被他人修改，请刷新后重试" in resp.content.decode()


def test_an_event_the_state_does_not_allow_gets_409_listing_the_allowed_ones(client_for, service_center, alice,
                                                                             recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    resp = post_event(client_for(service_center), order, line, "receive", condition="ok")
    assert resp.status_code == 409
    body = resp.content.decode()
    assert "不能执行“签收”" in body
    for label in ("同意返厂检测", "要求补充资料", "拒绝", "取消"):
        assert f"<li>{label}</li>" in body


def test_bad_fields_reshow_the_page_with_the_forms_errors(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    resp = post_event(client_for(service_center), order, line, "reject", reason="")
    assert resp.status_code == 422
    assert "请填写原因" in resp.content.decode()
    line.refresh_from_db()
    assert line.state == "submitted"


def test_inspection_replacement_and_the_tracking_sheet(client_for, service_center, alice, recent, spare):
    order = submitted(alice, recent)
    line = order.lines.get()
    staff = client_for(service_center)
    assert post_event(staff, order, line, "approve").status_code == 302
    assert post_event(staff, order, line, "receive", condition="完好").status_code == 302
    page = staff.get(f"/rma/orders/{order.pk}/").content.decode()
    # The checklist of the policy pack, each check with its clause.
    assert "物理损坏（包换服务条款 第 2 条）" in page and "焦痕（包换服务条款 第 4 条）" in page
    assert "剩 3 个工作日" in page
    assert post_event(staff, order, line, "inspect", fault_confirmed="yes", components="电源").status_code == 302
    line.refresh_from_db()
    assert (line.state, line.path) == ("replacing", "free_replacement")
    resp = post_event(staff, order, line, "ship_replacement", carrier="顺丰", tracking="SF1",
                      replacement_serial="SN-WEB-0001")
    assert resp.status_code == 422 and "不在库存中" in resp.content.decode()
    resp = post_event(staff, order, line, "ship_replacement", carrier="顺丰", tracking="SF1",
                      replacement_serial=spare.serial.lower())
    assert resp.status_code == 302
    line.refresh_from_db()
    assert line.state == "shipped" and line.replacement_unit == spare
    portal = client_for(alice)
    page = portal.get(f"/portal/orders/{order.pk}/").content.decode()
    assert "下载返修跟踪单" in page and "确认收货" in page
    pdf = portal.get(f"/portal/orders/{order.pk}/documents/repair_tracking_sheet.pdf?line={line.pk}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    table = page.split("deadline-table", 1)[1]
    assert "按时" in table


def test_deadline_badge_is_red_when_overdue(client_for, service_center, alice, recent):
    order = services.order_submit(
        dealer=recent.dealer, actor=service_center, contact_name="李工", contact_phone="138", return_address="南宁",
        lines=[{"serial": recent.serial, "fault": "x"}], topology_required=False,
        submitted_at=timezone.now() - timedelta(days=9))
    page = client_for(service_center).get(f"/rma/orders/{order.pk}/").content.decode()
    assert re.search(r'class="due overdue[^"]*"[^>]*>已超期 \d+ 个工作日', page)


def test_send_quote_offers_what_the_path_allows_and_totals_it(client_for, service_center, alice, make_unit):
    unit = make_unit("SN-Q-0001", timezone.localdate() - timedelta(days=10))
    order = submitted(alice, unit)
    line = order.lines.get()
    apply(line, "approve", service_center)
    apply(line, "receive", service_center, condition="")
    apply(line, "inspect", service_center, fault_confirmed=True, damage=["liquid"], components=[])
    client = client_for(service_center)
    page = client.get(f"/rma/orders/{order.pk}/").content.decode()
    assert "收费换货" in page and "有偿维修" in page
    resp = post_event(client, order, line, "send_quote", item_text_1="主板", item_amount_1="800.00",
                      item_text_2="人工", item_amount_2="150.5", options=["paid_repair"], valid_days="15")
    assert resp.status_code == 302, resp.content.decode()
    quote = line.quotes.get()
    assert str(quote.total) == "950.50" and quote.options == ["paid_repair"]
    portal = client_for(alice)
    page = portal.get(f"/portal/orders/{order.pk}/").content.decode()
    assert "¥950.50" in page and "确认报价" in page and "拒绝报价" in page
    assert post_event(portal, order, line, "confirm_quote", prefix="portal", choice="paid_repair").status_code == 302
    line.refresh_from_db()
    assert (line.state, line.path) == ("repairing", "paid_repair")
    assert post_event(client, order, line, "complete_repair", parts="主板", result="更换主板后正常").status_code == 302
    assert line.repairs.get().technician == service_center


# --- receiving ------------------------------------------------------------------------------------


def test_receiving_refuses_a_serial_without_an_authorised_line(client_for, service_center, alice, recent):
    submitted(alice, recent)  # submitted, not approved
    client = client_for(service_center)
    for serial in ("NOPE-123", recent.serial):
        resp = client.get("/rma/receive/", {"serial": serial})
        assert resp.status_code == 404
        assert f"序列号 {serial} 没有待签收的已授权服务单" in resp.content.decode()


def test_scanning_receives_the_unit_and_the_list_grows(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    apply(line, "approve", service_center)
    client = client_for(service_center)
    resp = client.get("/rma/receive/", {"serial": recent.serial.lower()}, headers={"HX-Request": "true"})
    body = resp.content.decode()
    assert resp.status_code == 200 and "确认签收" in body and "<html" not in body
    line.refresh_from_db()
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, content_type="image/jpeg")
    resp = client.post(f"/rma/receive/{line.pk}/", {f"l{line.pk}-receive-version": line.version,
                                                    f"l{line.pk}-receive-condition": "外箱破损",
                                                    f"l{line.pk}-receive-photo": photo},
                       headers={"HX-Request": "true"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "已签收 SN-WEB-0001" in body and "autofocus" in body and "今日已签收 1 台" in body
    line.refresh_from_db()
    assert line.state == "received"
    assert LineAttachment.objects.get(line=line).kind == "receipt_photo"


# --- the portal ------------------------------------------------------------------------------------


def test_portal_lists_what_the_dealer_must_do_next(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    apply(order.lines.get(), "approve", service_center)
    page = client_for(alice).get("/portal/").content.decode()
    assert "请将设备寄往售后服务中心" in page
    notes = client_for(alice).get("/portal/notifications/").content.decode()
    assert "同意返厂检测" in notes


def test_dealer_is_not_offered_staff_events_and_is_refused_when_posting_one(client_for, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    portal = client_for(alice)
    page = portal.get(f"/portal/orders/{order.pk}/").content.decode()
    assert 'data-event="approve"' not in page and 'data-event="cancel"' in page
    resp = post_event(portal, order, line, "approve", prefix="portal")
    assert resp.status_code == 403
    line.refresh_from_db()
    assert line.state == "submitted"


def test_dealer_ships_the_unit_to_the_centre(client_for, service_center, alice, recent):
    order = submitted(alice, recent)
    line = order.lines.get()
    apply(line, "approve", service_center)
    resp = post_event(client_for(alice), order, line, "ship_to_centre", prefix="portal", carrier="顺丰",
                      tracking="SF9")
    assert resp.status_code == 302
    line.refresh_from_db()
    assert line.state == "in_transit"


STAFF_PAGES = ["/rma/", "/rma/orders/new/", "/rma/receive/", "/rma/orders/template.xlsx?dealer=GX-A01",
               "/rma/orders/upload/?dealer=GX-A01"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_dealer_cannot_open_staff_pages(client_for, alice, url):
    assert client_for(alice).get(url).status_code == 404


STAFF_ORDER_GETS = ["/rma/orders/{o}/", "/rma/orders/{d}/edit/", "/rma/orders/{o}/lines/{l}/topology",
                    "/rma/orders/{o}/documents/return_authorisation.pdf",
                    "/rma/orders/{o}/lines/{l}/attachments/1"]
STAFF_ORDER_POSTS = ["/rma/orders/{o}/lines/{l}/approve/", "/rma/orders/{o}/lines/{l}/cancel/",
                     "/rma/receive/{l}/", "/rma/orders/new/?dealer=GX-A01", "/rma/orders/upload/?dealer=GX-A01"]


@pytest.mark.parametrize("url", STAFF_ORDER_GETS + STAFF_ORDER_POSTS)
def test_dealer_cannot_reach_staff_routes_even_for_its_own_orders(client_for, alice, alices_order, url):
    order, draft = alices_order
    line = order.lines.get()
    path = url.format(o=order.pk, d=draft.pk, l=line.pk)
    client = client_for(alice)
    resp = client.post(path, {}) if url in STAFF_ORDER_POSTS else client.get(path)
    assert resp.status_code == 404
    line.refresh_from_db()
    assert line.state == "approved"


ISOLATION_GETS = ["/portal/orders/{o}/", "/portal/orders/{o}/edit/", "/portal/orders/{o}/lines/{l}/topology",
                  "/portal/orders/{o}/documents/return_authorisation.pdf",
                  "/portal/orders/{o}/documents/repair_tracking_sheet.pdf?line={l}"]
ISOLATION_POSTS = ["/portal/orders/{o}/lines/{l}/cancel/", "/portal/orders/{o}/lines/{l}/ship_to_centre/",
                   "/portal/orders/{o}/edit/"]


@pytest.fixture
def alices_order(alice, service_center, recent):
    order = submitted(alice, recent)
    apply(order.lines.get(), "approve", service_center)
    draft = services.order_save_draft(dealer=recent.dealer, actor=alice, lines=[{"serial": recent.serial}])
    return order, draft


@pytest.mark.parametrize("url", ISOLATION_GETS + ISOLATION_POSTS)
def test_another_dealers_objects_are_not_found_on_every_portal_route(client_for, bob, alice, alices_order, url):
    order, draft = alices_order
    line = order.lines.get()
    target = draft if "/edit/" in url else order
    path = url.format(o=target.pk, l=line.pk)
    client = client_for(bob)
    resp = client.post(path, {f"l{line.pk}-cancel-version": line.version, f"l{line.pk}-cancel-reason": "x"}) \
        if url in ISOLATION_POSTS else client.get(path)
    assert resp.status_code == 404
    own = client_for(alice)
    if url in ISOLATION_GETS and "edit" not in url and "repair_tracking" not in url:  # not inspected yet
        assert own.get(path).status_code == 200


def test_notifications_of_another_dealer_are_not_listed(client_for, bob, alices_order):
    assert "同意返厂检测" not in client_for(bob).get("/portal/notifications/").content.decode()


def test_staff_cannot_use_the_portal(client_for, service_center):
    assert client_for(service_center).get("/portal/").status_code == 404


# --- the queue ------------------------------------------------------------------------------------


def test_queue_filters_and_pins_its_query_count(client_for, service_center, alice, make_unit,
                                                django_assert_max_num_queries):
    units = [make_unit(f"SN-QQ-{i:04d}", timezone.localdate() - timedelta(days=10)) for i in range(6)]
    for unit in units:
        submitted(alice, unit)
    client = client_for(service_center)
    client.get("/rma/")  # warm the calendar cache
    with django_assert_max_num_queries(12) as captured:
        resp = client.get("/rma/")
    few = len(captured)
    for unit in [make_unit(f"SN-QR-{i:04d}", timezone.localdate() - timedelta(days=10)) for i in range(10)]:
        submitted(alice, unit)
    client.get("/rma/")
    with django_assert_max_num_queries(few):
        resp = client.get("/rma/")
    body = resp.content.decode()
    assert body.count('monospace">SN-Q') == 16 and body.count("剩 1 个工作日") == 16
    assert client.get("/rma/", {"q": "SN-QR-0003"}).content.decode().count('monospace">SN-QR-') == 1
    assert "SN-QQ" not in client.get("/rma/", {"state": "closed"}).content.decode()


# --- the public status page ----------------------------------------------------------------------


def test_public_status_shows_state_and_dates_and_nothing_personal(client, service_center, alice, recent):
    order = submitted(alice, recent)
    apply(order.lines.get(), "approve", service_center)
    order.refresh_from_db()
    resp = client.get("/rma/status/", {"number": order.number, "serial": recent.serial})
    body = resp.content.decode()
    assert resp.status_code == 200 and "同意返厂检测，等待寄回" in body
    assert "李工" not in body and "南宁市" not in body
    wrong = client.get("/rma/status/", {"number": order.number, "serial": "SN-OTHER"})
    none = client.get("/rma/status/", {"number": "RMA1999-000001", "serial": recent.serial})
    assert wrong.status_code == none.status_code == 404
    assert "没有找到该 RMA 单号与序列号对应的记录" in wrong.content.decode()


def test_public_status_is_rate_limited(client, settings):
    settings.PUBLIC_RATE = "2/m"
    codes = [client.get("/rma/status/", {"number": "RMA", "serial": "X"}, REMOTE_ADDR="10.9.9.9").status_code
             for _ in range(4)]
    assert codes[-1] == 429
