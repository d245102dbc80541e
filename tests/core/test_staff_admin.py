"""Staff administration in the app (users, roles, dealer users, API tokens, login lockouts), the
readable audit log, the Django admin in Chinese, and the portal closed to staff (issue #13, 4)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.test import Client
from openpyxl import load_workbook

from shouhou.core.models import ApiToken, AuditEvent, User
from shouhou.core.services import token_authenticate
from shouhou.notify.models import Message

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-Horse-42"


def html(response) -> str:
    return response.content.decode()


# --- who may open the pages --------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/staff/users/", "/staff/users/new/", "/staff/roles/", "/staff/tokens/",
                                 "/staff/lockouts/"])
def test_only_admins_open_the_administration_pages(client_for, admin_user, manager, alice, url):
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(manager).get(url).status_code == 404
    assert client_for(alice).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_admin_navigation_lists_the_administration_pages_in_chinese(client_for, admin_user):
    nav = html(client_for(admin_user).get("/staff/users/"))
    for label in ("用户", "角色", "API 令牌", "登录锁定", "审计日志"):
        assert label in nav


# --- users ---------------------------------------------------------------------------------------
def test_user_list_searches_filters_and_pages(client_for, admin_user, make_user, alice, bob, dealer_a):
    for i in range(35):
        make_user("customer_service", username=f"kefu{i:02d}")
    client = client_for(admin_user)
    first = html(client.get("/staff/users/?role=customer_service"))
    assert "第 1 / 2 页，共 35 条" in first and 'data-username="kefu00"' in first
    assert 'data-username="alice"' not in first
    second = html(client.get("/staff/users/?role=customer_service&page=2"))
    assert 'data-username="kefu34"' in second and 'data-username="kefu00"' not in second
    found = html(client.get("/staff/users/?q=kefu07"))
    assert 'data-username="kefu07"' in found and 'data-username="kefu08"' not in found
    dealer_users = html(client.get(f"/staff/users/?dealer={dealer_a.code}"))
    assert 'data-username="alice"' in dealer_users and 'data-username="bob"' not in dealer_users
    assert "南宁甲电脑" in dealer_users and "代理商" in dealer_users


def test_admin_creates_a_staff_user_with_one_audit_event(client_for, admin_user):
    response = client_for(admin_user).post("/staff/users/new/", {
        "username": "zhangsan", "name": "张三", "email": "zs@example.cn", "phone": "13800000001",
        "role": "service_center"})
    user = User.objects.get(username="zhangsan")
    assert response.status_code == 302 and response["Location"] == f"/staff/users/{user.pk}/"
    assert user.roles == {"service_center"} and user.phone == "13800000001" and user.dealer is None
    assert not user.has_usable_password()  # a set-password link is sent, no password is typed
    event = AuditEvent.objects.get(verb="user.created", object_id=str(user.pk))
    assert event.actor == admin_user


def test_a_dealer_account_needs_a_dealer_and_nothing_is_stored_without(client_for, admin_user, dealer_a):
    client = client_for(admin_user)
    response = client.post("/staff/users/new/", {"username": "dl1", "role": "dealer"})
    assert response.status_code == 200 and "代理商账号必须指定所属代理商" in html(response)
    response = client.post("/staff/users/new/", {"username": "kf1", "role": "customer_service",
                                                 "dealer": dealer_a.pk})
    assert "只有代理商账号可以指定所属代理商" in html(response)
    assert not User.objects.filter(username__in=["dl1", "kf1"]).exists()
    assert not AuditEvent.objects.filter(verb="user.created").exclude(object_id=str(admin_user.pk)).exists()
    client.post("/staff/users/new/", {"username": "dl1", "role": "dealer", "dealer": dealer_a.pk})
    assert User.objects.get(username="dl1").dealer == dealer_a


def test_a_taken_username_is_refused_in_chinese(client_for, admin_user, alice):
    response = client_for(admin_user).post("/staff/users/new/", {"username": "ALICE", "role": "manager"})
    assert "用户名 ALICE 已存在" in html(response)


def test_editing_the_role_is_recorded_before_and_after(client_for, admin_user, make_user):
    target = make_user("customer_service", username="lisi")
    client = client_for(admin_user)
    response = client.post(f"/staff/users/{target.pk}/", {"name": "李四", "email": "", "phone": "",
                                                          "role": "admin"})
    assert response.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert target.roles == {"admin"} and target.is_superuser and target.is_staff
    event = AuditEvent.objects.get(verb="user.updated", object_id=str(target.pk))
    assert event.data == {"before": {"name": "", "role": "customer_service"},
                          "after": {"name": "李四", "role": "admin"}}
    # The audit log reads it in words.
    log = html(client.get("/audit/?verb=user.updated"))
    assert "修改用户" in log and "角色：" in log and "<del>客服</del> → <ins>管理员</ins>" in log
    assert "{&#x27;before&#x27;" not in log and "{'before'" not in log


def test_an_admin_cannot_demote_or_deactivate_themselves(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(f"/staff/users/{admin_user.pk}/", {"role": "manager"})
    assert response.status_code == 200 and "不能取消自己的管理员角色" in html(response)
    client.post(f"/staff/users/{admin_user.pk}/active/", {"active": "0"})
    assert User.objects.get(pk=admin_user.pk).is_active
    assert User.objects.get(pk=admin_user.pk).roles == {"admin"}


def test_deactivating_stops_sign_in_and_tokens(client_for, admin_user, alice, token_for):
    raw = token_for(alice)
    assert token_authenticate(raw) == alice
    response = client_for(admin_user).post(f"/staff/users/{alice.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    assert not User.objects.get(pk=alice.pk).is_active
    assert token_authenticate(raw) is None
    refused = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    event = AuditEvent.objects.get(verb="user.deactivated")
    assert event.object_id == str(alice.pk) and event.dealer_id == alice.dealer_id
    client_for(admin_user).post(f"/staff/users/{alice.pk}/active/", {"active": "1"})
    assert User.objects.get(pk=alice.pk).is_active and AuditEvent.objects.filter(verb="user.activated").count() == 1


def test_reset_link_goes_through_the_notify_outbox(client_for, admin_user, make_user):
    target = make_user("manager", username="wangwu")
    User.objects.filter(pk=target.pk).update(email="ww@example.cn")
    response = client_for(admin_user).post(f"/staff/users/{target.pk}/reset/")
    assert response.status_code == 302
    message = Message.objects.get(address="ww@example.cn")
    assert message.event.name == "account.password_reset"
    assert "/accounts/password/reset/" in message.event.data["reset_url"]
    assert AuditEvent.objects.filter(verb="user.password_reset_sent", object_id=str(target.pk)).count() == 1


def test_reset_link_without_an_email_says_why_and_sends_nothing(client_for, admin_user, make_user):
    target = make_user("manager", username="noemail")
    response = client_for(admin_user).post(f"/staff/users/{target.pk}/reset/", follow=True)
    assert "没有邮箱地址" in html(response)
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(verb="user.password_reset_sent").exists()


def test_roles_page_describes_each_role_with_its_count(client_for, admin_user, alice, bob):
    page = html(client_for(admin_user).get("/staff/roles/"))
    for label in ("客服", "技术支持", "售后服务中心", "经理", "管理员", "代理商"):
        assert label in page
    assert 'href="/staff/users/?role=dealer&amp;status=active">2</a>' in page


# --- API tokens ------------------------------------------------------------------------------
def test_a_new_token_is_shown_once_and_stored_hashed(client_for, admin_user, alice):
    client = client_for(admin_user)
    response = client.post("/staff/tokens/", {"user": alice.pk, "name": "ERP 对接"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = html(response)
    assert "只显示这一次" in page
    token = ApiToken.objects.get(user=alice)
    raw = page.split('<code class="d-block mt-2 fs-6 user-select-all">')[1].split("</code>")[0]
    assert raw.startswith(token.prefix) and len(raw) > 30
    assert raw not in {token.digest, token.prefix, token.name}
    assert token_authenticate(raw) == alice
    assert raw not in html(client.get("/staff/tokens/"))
    assert AuditEvent.objects.filter(verb="token.created", actor=admin_user).count() == 1
    listing = html(client.get("/staff/tokens/"))
    assert f'data-prefix="{token.prefix}"' in listing and "ERP 对接" in listing


def test_revoking_a_token_stops_it_and_is_audited(client_for, admin_user, alice, token_for):
    raw = token_for(alice)
    token = ApiToken.objects.get(user=alice)
    response = client_for(admin_user).post(f"/staff/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert token_authenticate(raw) is None
    assert AuditEvent.objects.get(verb="token.revoked").actor == admin_user
    assert "已吊销" in html(client_for(admin_user).get("/staff/tokens/?show=all"))


def test_token_list_shows_last_use_in_local_time(client_for, admin_user, alice, token_for):
    token_for(alice)
    ApiToken.objects.filter(user=alice).update(last_used_at=datetime(2025, 3, 1, 2, 5, tzinfo=UTC))
    assert "2025-03-01 10:05" in html(client_for(admin_user).get("/staff/tokens/"))


# --- login lockouts ----------------------------------------------------------------------------
def test_admin_sees_a_locked_login_and_unlocks_it(client_for, admin_user, alice, settings):
    limit = settings.AXES_FAILURE_LIMIT
    browser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(limit):
        browser.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="alice").exists()
    locked = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429

    client = client_for(admin_user)
    page = html(client.get("/staff/lockouts/"))
    assert 'data-username="alice"' in page and "203.0.113.9" in page and "已锁定" in page
    response = client.post("/staff/lockouts/clear/", {"username": "alice", "ip_address": "203.0.113.9"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    event = AuditEvent.objects.get(verb="login.unlocked")
    assert event.data["username"] == "alice" and event.actor == admin_user
    ok = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert ok.status_code == 302


def test_unlocking_nothing_writes_nothing(client_for, admin_user):
    response = client_for(admin_user).post("/staff/lockouts/clear/", {"username": "nobody"}, follow=True)
    assert "没有这条登录锁定记录" in html(response)
    assert not AuditEvent.objects.filter(verb="login.unlocked").exists()


# --- audit log ---------------------------------------------------------------------------------
def test_audit_log_shows_local_time_and_filters_by_actor_object_and_dates(client_for, admin_user, manager):
    AuditEvent.objects.create(at=datetime(2025, 1, 1, 17, 30, tzinfo=UTC), actor=manager, actor_label="经理甲",
                              object_type="core.user", object_id="41", verb="user.deactivated",
                              data={"before": {"is_active": True}, "after": {"is_active": False}})
    AuditEvent.objects.create(at=datetime(2025, 1, 3, 2, 0, tzinfo=UTC), actor=admin_user, actor_label="管理员乙",
                              object_type="core.user", object_id="42", verb="user.created",
                              data={"username": "x", "role": "manager"})
    client = client_for(manager)
    page = html(client.get("/audit/?type=core.user"))
    # 17:30 UTC on 1 January is 01:30 on 2 January in Shanghai.
    assert "2025-01-02 01:30:00" in page and "2025-01-01 17:30" not in page
    assert "用户 #41" in page  # the object type by its name
    assert "停用用户" in page and "<del>启用</del> → <ins>停用</ins>" in page
    assert "创建用户" in page and "角色：</span>经理" in page
    by_actor = html(client.get("/audit/?actor=经理甲"))
    assert 'data-verb="user.deactivated"' in by_actor and 'data-verb="user.created"' not in by_actor
    by_object = html(client.get("/audit/?type=core.user&object=42"))
    assert 'data-verb="user.created"' in by_object and 'data-verb="user.deactivated"' not in by_object
    # Dates are local dates: the event at 2025-01-02 01:30 local is in "since 2025-01-02".
    by_date = html(client.get("/audit/?since=2025-01-02&until=2025-01-02"))
    assert 'data-verb="user.deactivated"' in by_date and 'data-verb="user.created"' not in by_date
    bad = html(client.get("/audit/?since=2025-01-05&until=2025-01-01"))
    assert "截止日期不能早于起始日期" in bad and 'data-verb="user.created"' not in bad


def test_audit_log_pages(client_for, manager, admin_user):
    for i in range(60):
        AuditEvent.objects.create(actor=admin_user, actor_label="管理员", object_type="core.user",
                                  object_id=str(i), verb="user.updated", data={})
    client = client_for(manager)
    assert "第 1 / 2 页" in html(client.get("/audit/?verb=user.updated"))
    assert "第 2 / 2 页" in html(client.get("/audit/?verb=user.updated&page=2"))


def test_audit_export_is_a_formula_safe_workbook_in_words(client_for, manager, admin_user):
    AuditEvent.objects.create(at=datetime(2025, 1, 1, 17, 30, tzinfo=UTC), actor=admin_user,
                              actor_label="=HYPERLINK(\"x\")", object_type="core.user", object_id="7",
                              verb="user.updated", data={"before": {"role": "manager"}, "after": {"role": "admin"}})
    response = client_for(manager).get("/audit/export.xlsx?verb=user.updated")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "动作", "对象", "对象类型", "对象编号", "变更")
    assert rows[1][:6] == ("2025-01-02 01:30:00", "=HYPERLINK(\"x\")", "修改用户", "用户", "core.user", "7")
    assert rows[1][6] == "角色：经理 → 管理员"
    cell = ws.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"


# --- the portal and the Django admin -----------------------------------------------------------
def test_portal_is_not_for_staff_even_in_the_dealer_group(client_for, admin_user, make_user, alice):
    staff = make_user("service_center", username="mixed")
    staff.groups.add(Group.objects.get_or_create(name="dealer")[0])
    staff = User.objects.get(pk=staff.pk)
    assert client_for(staff).get("/portal/").status_code == 404
    assert client_for(admin_user).get("/portal/").status_code == 404
    assert client_for(alice).get("/portal/").status_code == 200


def test_django_admin_names_axes_in_chinese_and_keeps_names_on_one_line(client_for, admin_user):
    client = client_for(admin_user)
    index = html(client.get("/admin/"))
    assert "登录锁定" in index and "登录失败记录" in index
    assert "Access attempts" not in index and ">Axes<" not in index
    assert "shouhou/admin.css" in index
    AccessAttempt.objects.create(username="alice", ip_address="203.0.113.9", user_agent="test", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=3)
    changelist = html(client.get("/admin/axes/accessattempt/"))
    assert "失败次数" in changelist and "Failed Logins" not in changelist
