"""Demo people and dealers for `shouhou serve --demo`: one account per role, two dealers.

Idempotent: a second `--demo` start finds them and changes nothing. Every demo account uses the
password printed at start-up, so a newcomer can sign in as each role in the first minute.
"""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

DEMO_PASSWORD = "shouhou-demo-2026"  # noqa: S105  (published in the README: demo data only)

DEALERS = [
    ("GX-NN01", "南宁恒信电脑科技有限公司", "0771-5882301", "service@hengxin-nn.example.cn"),
    ("GD-GZ02", "广州天河网维电子有限公司", "020-38861299", "support@thwangwei.example.cn"),
    ("HN-CS03", "长沙湘联网络设备有限公司", "0731-84126677", "rma@xianglian.example.cn"),
]

PEOPLE = [
    ("kefu.li", "customer_service", "李晓燕", None),
    ("jishu.wang", "support_engineer", "王建国", None),
    ("shouhou.zhao", "service_center", "赵志强", None),
    ("jingli.chen", "manager", "陈静", None),
    ("dealer.nn", "dealer", "黄海（南宁恒信）", "GX-NN01"),
    ("dealer.gz", "dealer", "林伟（广州天河）", "GD-GZ02"),
]
# For the user administration pages: a former employee whose account was deactivated, and an
# API token of a dealer's system (its text is not printed: a real one is shown once, on creation).
FORMER = ("kefu.zhou", "customer_service", "周敏（已离职）")
DEMO_TOKEN = ("dealer.nn", "恒信 ERP 对接（演示）")


def load_demo(out: TextIO) -> None:
    from shouhou.core.models import ApiToken, User
    from shouhou.core.services import token_create, user_create, user_set_active
    from shouhou.registry.models import Dealer

    with transaction.atomic():
        for code, name, phone, email in DEALERS:
            Dealer.objects.get_or_create(code=code, defaults={"name": name, "phone": phone, "email": email})
        for username, role, name, dealer in PEOPLE:
            if not User.objects.filter(username=username).exists():
                user_create(username=username, role=role, name=name, dealer_code=dealer,
                            password=DEMO_PASSWORD, email=f"{username}@demo.example.cn")
        username, role, name = FORMER
        if not User.objects.filter(username=username).exists():
            former = user_create(username=username, role=role, name=name, email=f"{username}@demo.example.cn")
            user_set_active(user=former, actor=None, active=False)
        owner, label = DEMO_TOKEN
        if not ApiToken.objects.filter(user__username=owner, name=label).exists():
            token_create(username=owner, name=label)
    out.write(f"演示账号 / demo logins (密码 password: {DEMO_PASSWORD}):\n")
    for username, role, name, _dealer in PEOPLE:
        out.write(f"  {username:<14} {role:<17} {name}\n")
