"""The policy texts of the policy pack: the default texts, versions, the editor, the checklist,
quotes under the version they were made under, and GET /api/v1/policy."""

from __future__ import annotations

import pytest
from django.test import Client

from shouhou.domain.errors import Forbidden, Invalid
from shouhou.domain.policy import format_checklist
from shouhou.rma.forms import InspectForm
from shouhou.rma.models import OrderLine, PolicyVersion, Quote
from shouhou.rma.policy import checklist, policy_current
from shouhou.rma.services_policy import policy_edit
from tests.rma.test_api_paths import submit, to_inspection

pytestmark = pytest.mark.django_db


def _texts(version: PolicyVersion, **changes: str) -> dict[str, str]:
    texts = {k: getattr(version, k) for k in ("service_policy", "replacement_terms", "free_repair_scope")}
    return {**texts, **changes}


def _edit(manager, *, note: str = "修订", checklist_text: str | None = None, **changes: str) -> PolicyVersion:
    current = policy_current()
    return policy_edit(actor=manager, texts=_texts(current, **changes), note=note,
                       checklist=checklist_text if checklist_text is not None else format_checklist(checklist(current)))


def test_migrations_load_the_seed_vendors_texts_as_version_one():
    version = PolicyVersion.objects.get()
    assert version.version == 1
    assert "无盘服务器" in version.service_policy and "400-099-7500" in version.service_policy
    assert "擅自将返修件直接发到我司" in version.service_policy
    assert "无进液" in version.replacement_terms and "无烧毁" in version.replacement_terms
    assert "未经拆修" in version.replacement_terms and "10 个工作日" in version.free_repair_scope
    assert [i["damage"] for i in version.checklist] == ["physical", "liquid", "burn", "tampered", "missing_parts",
                                                        "cosmetic"]


def test_the_api_returns_the_texts_in_force_to_anybody():
    resp = Client().get("/api/v1/policy")
    assert resp.status_code == 200
    body = resp.json()
    assert body["version"] == 1
    assert [(s["key"], s["title"]) for s in body["sections"]] == [
        ("service_policy", "售后服务政策"), ("replacement_terms", "包换服务条款"),
        ("free_repair_scope", "免费维修范围")]
    assert body["sections"][1]["body"].startswith("包换期内的产品")


def test_an_edit_makes_a_new_version_and_keeps_the_old_one(manager):
    old = policy_current()
    new = _edit(manager, note="包换期说明更清楚", replacement_terms=old.replacement_terms + "\n8. 新增条款。")
    assert (new.version, new.author, new.note) == (2, manager, "包换期说明更清楚")
    old.refresh_from_db()
    assert "8. 新增条款" not in old.replacement_terms  # never edited in place
    assert Client().get("/api/v1/policy").json()["version"] == 2
    from shouhou.core.models import AuditEvent

    audit = AuditEvent.objects.get(verb="policy.edited")
    assert audit.data["changed"] == ["replacement_terms"] and audit.data["version"] == 2


def test_older_quotes_still_show_the_version_they_were_made_under(staff_api, alice_api, make_unit, manager,
                                                                    client_for, service_center, alice):
    quotes = []
    for serial in ("SN-POL-0001", "SN-POL-0002"):
        make_unit(serial)
        run = submit(staff_api, alice_api, serial)
        to_inspection(run, approve_at="2025-09-26T15:00:00+08:00", receive_at="2025-09-30T10:00:00+08:00",
                      receive_due="2025-10-11T18:30:00+08:00")
        run("staff", "inspect", "2025-10-09T10:00:00+08:00", state="quoting", path="quote",
            due="2025-10-11T18:30:00+08:00", fault_confirmed=True, damage=["liquid"])
        quotes.append(run)
        if serial == "SN-POL-0001":
            quotes[0]("staff", "send_quote", "2025-10-10T10:00:00+08:00", state="quoted", path="quote",
                      dealer_due="2025-10-25T23:59:59+08:00", items=[{"text": "更换主板", "amount": "680.00"}],
                      options=["paid_repair"], valid_days=15)
            _edit(manager, free_repair_scope=policy_current().free_repair_scope + "\n6. 新增。")
    quotes[1]("staff", "send_quote", "2025-10-10T11:00:00+08:00", state="quoted", path="quote",
              dealer_due="2025-10-25T23:59:59+08:00", items=[{"text": "更换主板", "amount": "680.00"}],
              options=["paid_repair"], valid_days=15)
    first, second = (Quote.objects.get(line__serial=s) for s in ("SN-POL-0001", "SN-POL-0002"))
    assert (first.policy_version.version, second.policy_version.version) == (1, 2)
    page = client_for(service_center).get(f"/rma/orders/{first.line.order_id}/").content.decode()
    assert "依据政策第 1 版" in page and "/policy/?v=1" in page
    portal = client_for(alice).get(f"/portal/orders/{second.line.order_id}/").content.decode()
    assert "依据政策第 2 版" in portal and "/portal/policy/?v=2" in portal
    old = Client().get("/policy/", {"v": 1}).content.decode()
    assert "此为历史版本" in old and "6. 新增" not in old


def test_the_inspection_checklist_follows_the_pack(manager, make_unit, staff_api, alice_api):
    make_unit("SN-POL-0003")
    submit(staff_api, alice_api, "SN-POL-0003")
    line = OrderLine.objects.get()
    choices = dict(InspectForm(line=line).fields["damage"].choices)
    assert choices["liquid"] == "设备内部无进水、受潮、腐蚀痕迹（包换服务条款 第 3 条）"
    assert set(choices) == {"physical", "liquid", "burn", "tampered", "missing_parts", "cosmetic"}
    current = format_checklist(checklist(policy_current()))
    kept = "\n".join(row for row in current.splitlines() if not row.startswith("cosmetic"))
    edited = kept.replace("liquid | replacement_terms 3 | 设备内部无进水、受潮、腐蚀痕迹",
                          "liquid | replacement_terms 3.1 | 主板无进液、盐雾腐蚀")
    _edit(manager, checklist_text=edited)
    form = InspectForm(line=line)
    choices = dict(form.fields["damage"].choices)
    assert choices["liquid"] == "主板无进液、盐雾腐蚀（包换服务条款 第 3.1 条）"
    assert "cosmetic" not in choices  # no longer a check of the pack
    bound = InspectForm({"version": line.version, "fault_confirmed": "yes", "damage": ["cosmetic"]}, line=line)
    assert not bound.is_valid() and "damage" in bound.errors


@pytest.mark.parametrize(("checklist_text", "message"), [
    ("liquid | replacement_terms 3", "检测条款清单第 1 行：每行应为"),
    ("liquid | replacement_terms 3 | a\nwet | replacement_terms 4 | b", "检测条款清单第 2 行：未知的损坏类别“wet”"),
    ("liquid | terms 3 | a", "检测条款清单第 1 行：未知的章节“terms”"),
])
def test_a_bad_checklist_is_refused_and_no_version_is_made(manager, checklist_text, message):
    with pytest.raises(Invalid) as caught:
        _edit(manager, checklist_text=checklist_text, service_policy="改动")
    assert str(caught.value).startswith(message)
    assert PolicyVersion.objects.count() == 1


def test_an_edit_without_a_change_or_a_note_is_refused(manager):
    with pytest.raises(Invalid, match="内容没有变化"):
        _edit(manager)
    with pytest.raises(Invalid, match="请填写修改说明"):
        _edit(manager, note=" ", service_policy="改动")
    with pytest.raises(Invalid, match="请填写“免费维修范围”"):
        _edit(manager, free_repair_scope="  ")
    assert PolicyVersion.objects.count() == 1


def test_only_managers_edit_the_texts(service_center, client_for):
    with pytest.raises(Forbidden):
        _edit(service_center, service_policy="改动")
    assert client_for(service_center).get("/policy/manage/edit/").status_code == 404


def test_the_editor_saves_a_version_and_shows_the_change(manager, client_for):
    client = client_for(manager)
    page = client.get("/policy/manage/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    # As a browser sends textareas: CRLF line ends.
    data = {name: (form[name].value() or "").replace("\n", "\r\n") for name in form.fields}
    data["replacement_terms"] = data["replacement_terms"].replace("无进液", "无进液（含冷凝水）")
    data["note"] = "明确冷凝水"
    resp = client.post("/policy/manage/edit/", data)
    assert resp.status_code == 302 and resp["Location"] == "/policy/manage/2/"
    version = PolicyVersion.objects.get(version=2)
    assert "\r" not in version.replacement_terms
    from shouhou.core.models import AuditEvent

    assert AuditEvent.objects.get(verb="policy.edited").data["changed"] == ["replacement_terms"]
    diff = client.get("/policy/manage/2/").content.decode()
    assert '<span class="diff-add">+ 3. **无进液（含冷凝水）**' in diff
    assert '<span class="diff-del">- 3. **无进液**' in diff
    assert "明确冷凝水" in client.get("/policy/manage/").content.decode()


def test_the_editor_refuses_a_bad_checklist_in_chinese(manager, client_for):
    client = client_for(manager)
    form = client.get("/policy/manage/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    resp = client.post("/policy/manage/edit/", {**data, "checklist": "rust | replacement_terms 9 | 无锈", "note": "x"})
    assert resp.status_code == 422
    assert "检测条款清单第 1 行：未知的损坏类别“rust”" in resp.content.decode()
    assert PolicyVersion.objects.count() == 1


def test_the_preview_renders_markdown_without_raw_html(manager, client_for):
    body = {"section": "replacement_terms", "replacement_terms": "**粗体** <script>x()</script>"}
    resp = client_for(manager).post("/policy/manage/preview", body)
    html = resp.content.decode()
    assert "<strong>粗体</strong>" in html and "<script>" not in html


def test_the_public_page_and_the_portal_show_the_texts(client_for, alice):
    public = Client().get("/policy/")
    assert public.status_code == 200
    html = public.content.decode()
    assert "包换服务条款" in html and "<strong>无进液</strong>" in html and "包换服务条款 第 3 条" in html
    portal = client_for(alice).get("/portal/policy/")
    assert portal.status_code == 200 and "免费维修范围" in portal.content.decode()
    assert Client().get("/policy/", {"v": "99"}).status_code == 404


def test_the_service_form_links_the_policy(client_for, alice, service_center):
    assert 'href="/portal/policy/"' in client_for(alice).get("/portal/orders/new/").content.decode()
    assert 'href="/policy/"' in client_for(service_center).get("/rma/orders/new/").content.decode()
