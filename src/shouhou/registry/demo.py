"""Registry demo data for `shouhou serve --demo`: product models of a Shenzhen server maker selling
to internet cafes, dealers and the regions they serve, cafes, and ~300 units whose dates cover
every coverage status (including sales just before Spring Festival and National Day), a
replacement chain and vendor-stock spares.

Idempotent: runs after the core demo (which creates GX-NN01, GD-GZ02, HN-CS03) and skips whatever
exists already. Dates are fixed, except a few recent sales placed relative to today so that the
replacement period always occurs.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TextIO

from django.db import transaction

from shouhou.domain.regions import find_region
from shouhou.workdays import clock

# code, name, category, replacement days, warranty months, discontinued on
MODELS = [
    ("SN-D200", "无盘服务器 双路至强 128G", "无盘服务器", 90, 36, None),
    ("SN-D300", "高性能无盘服务器 256G NVMe", "无盘服务器", 90, 36, None),
    ("SN-S380", "游戏更新服务器 16 盘位", "游戏更新服务器", 90, 24, None),
    ("SN-R720", "机架式存储服务器 2U 12 盘位", "存储服务器", 90, 36, None),
    ("SN-C110", "网吧收银服务器", "收银服务器", 30, 12, None),
    ("SN-G200", "网吧网关服务器 万兆", "网关", 60, 24, None),
    ("SN-E500", "电竞主机 i7 RTX", "电竞主机", 0, 12, None),
    ("SN-D100", "无盘服务器（旧款）", "无盘服务器", 90, 12, date(2024, 6, 30)),
]
TERMS = ("1. 包换期内非人为损坏的硬件故障免费换新；\n2. 外观完好、配件齐全、序列号标签未损坏；\n"
         "3. 进液、烧毁、私自拆修不在包换范围。")
SCOPE = "主板、CPU、内存、硬盘、电源等原厂配件的非人为故障；不含耗材、外观件与软件问题。"

# code -> served region names; new dealers: (code, name, contact, phone, mobile, email, address, home)
REGIONS = {
    "GX-NN01": ["南宁", "桂林", "柳州", "北海"],
    "GD-GZ02": ["广州", "深圳"],
    "HN-CS03": ["长沙", "株洲"],
    "YN-KM04": ["昆明", "曲靖"],
    "GD-FS05": ["佛山", "东莞"],
    "JX-NC06": ["江西"],
}
NEW_DEALERS = [
    ("YN-KM04", "昆明云联网络科技有限公司", "杨丽", "0871-63350021", "13908710021",
     "service@yunlian-km.example.cn", "昆明市五华区东风西路 118 号", "昆明"),
    ("GD-FS05", "佛山禅城智网电脑有限公司", "何志明", "0757-82270315", "13802970315",
     "rma@zhiwang-fs.example.cn", "佛山市禅城区季华五路 22 号", "佛山"),
    ("JX-NC06", "南昌赣江数码科技有限公司", "刘洋", "0791-86661208", "13607911208",
     "support@ganjiang-nc.example.cn", "南昌市东湖区八一大道 356 号", "南昌"),
]
CUSTOMERS = [
    ("南宁星际网咖", "韦强", "0771-5561234", "南宁", "GX-NN01"),
    ("桂林极速电竞馆", "莫小兵", "0773-2823456", "桂林", "GX-NN01"),
    ("柳州风云网吧", "覃海", "0772-3127788", "柳州", "GX-NN01"),
    ("广州天河网鱼网咖", "陈伟", "020-38770011", "广州", "GD-GZ02"),
    ("深圳南山极光网咖", "张敏", "0755-26601122", "深圳", "GD-GZ02"),
    ("长沙五一电竞馆", "李湘", "0731-84451200", "长沙", "HN-CS03"),
    ("昆明翠湖网咖", "杨帆", "0871-65128899", "昆明", "YN-KM04"),
]
# Contact people the hotline recognises: dealer code -> (name, role, phone, email, QQ).
CONTACTS = {
    "GX-NN01": [("黄海", "技术主管", "138 7710 5566", "huanghai@hengxin-nn.example.cn", "285566123"),
                ("蒙丽", "售后专员", "0771-5882302 转 8001", "mengli@hengxin-nn.example.cn", "")],
    "GD-GZ02": [("林伟", "技术支持", "+86 139 2220 3344", "linwei@thwangwei.example.cn", "39223344")],
    "HN-CS03": [("周杰", "售后经理", "0731-84126678", "zhoujie@xianglian.example.cn", "")],
}
# The main contact and mobile of the dealers the core demo creates without them.
MAIN_CONTACTS = {"GX-NN01": ("黄海", "13877105566"), "GD-GZ02": ("林伟", "13922203344"),
                 "HN-CS03": ("谭志刚", "13707316677")}
# Two pushes from the cloud-management platform for the first unit: memory added, a disk swapped.
SNAPSHOTS = [
    {"cpu": {"model": "Xeon Gold 6226R", "sockets": 2}, "memory_gb": 128, "bios": "3.2.1",
     "disks": [{"slot": 0, "model": "Samsung PM883 960G"}, {"slot": 1, "model": "Samsung PM883 960G"}],
     "nics": ["Intel X550-T2"], "diskless": {"software": "易游", "version": "9.2"}},
    {"cpu": {"model": "Xeon Gold 6226R", "sockets": 2}, "memory_gb": 256, "bios": "3.2.1",
     "disks": [{"slot": 0, "model": "Samsung PM883 960G"}, {"slot": 1, "model": "Intel D3-S4510 960G"}],
     "nics": ["Intel X550-T2"], "diskless": {"software": "易游", "version": "9.3"}},
]
# Sales just before the holidays, when cafes refit: the peaks every after-sales team knows.
HOLIDAY_SALES = [date(2024, 2, 7), date(2024, 9, 28), date(2025, 1, 26), date(2025, 9, 29),
                 date(2026, 2, 13), date(2026, 9, 29)]
FIRST_SERIAL = "SND200-2301-0001"


def _code(name: str) -> str:
    found = find_region(name)
    assert found is not None, name  # noqa: S101  (an invariant, for the type checker)
    return found.code


def _serial(model_code: str, day: date, seq: int) -> str:
    return f"{model_code.replace('-', '')}-{day:%y%m}-{seq:04d}"


def load_demo(out: TextIO) -> None:
    from shouhou.registry import services
    from shouhou.registry.models import Customer, Dealer, ProductModel, Unit, UnitStatus

    with transaction.atomic():
        models = {}
        for code, name, category, days, months, discontinued in MODELS:
            existing = ProductModel.objects.filter(code=code).first()
            models[code] = existing or services.product_model_create(
                actor=None, code=code, name=name, category=category, replacement_days=days,
                warranty_months=months, discontinued_on=discontinued, replacement_terms=TERMS,
                free_repair_scope=SCOPE, active=discontinued is None,
            )
        for code, name, contact, phone, mobile, email, address, home in NEW_DEALERS:
            if not Dealer.objects.filter(code=code).exists():
                services.dealer_create(actor=None, code=code, name=name, contact_name=contact, phone=phone,
                                       mobile=mobile, email=email, address=address, region_code=_code(home))
        dealers = {d.code: d for d in Dealer.objects.filter(code__in=REGIONS)}
        for code, names in REGIONS.items():
            dealer = dealers.get(code)
            if dealer is not None and not dealer.regions.exists():
                services.dealer_update(actor=None, dealer=dealer, region_codes=[_code(n) for n in names])
        for code, (contact, mobile) in MAIN_CONTACTS.items():
            dealer = dealers.get(code)
            if dealer is not None and not dealer.contact_name and not dealer.mobile:
                services.dealer_update(actor=None, dealer=dealer, contact_name=contact, mobile=mobile)
        for code, people in CONTACTS.items():
            dealer = dealers.get(code)
            if dealer is not None and not dealer.contacts.exists():
                for name, role, phone, email, qq in people:
                    services.dealer_contact_create(actor=None, dealer=dealer, name=name, role=role, phone=phone,
                                                   email=email, qq=qq)
        customers: dict[str, list[Customer]] = {}
        for name, contact, phone, region, dealer_code in CUSTOMERS:
            customer = Customer.objects.filter(name=name).first() or services.customer_create(
                actor=None, name=name, contact_name=contact, phone=phone, region_code=_code(region),
                dealer=dealers.get(dealer_code),
            )
            customers.setdefault(dealer_code, []).append(customer)

        if Unit.objects.filter(serial=FIRST_SERIAL).exists():
            out.write("档案演示数据已存在 / registry demo data already loaded\n")
            return
        count = _units(models, dealers, customers, services, UnitStatus)
        _snapshots(services, Unit)
    out.write(f"档案演示数据：{len(MODELS)} 个型号，{len(dealers)} 个代理商，{count} 台设备 / registry demo loaded\n")


def _snapshots(services, Unit) -> None:
    unit = Unit.objects.filter(serial=FIRST_SERIAL).first()
    if unit is None or unit.snapshots.exists():
        return
    now = clock.now()
    for days_ago, config in zip((30, 2), SNAPSHOTS, strict=True):
        services.unit_snapshot_record(actor=None, unit=unit, config=config, taken_at=now - timedelta(days=days_ago),
                                      now=now)


def _units(models, dealers, customers, services, UnitStatus) -> int:
    rng = random.Random(2026)
    today = clock.today()
    dealer_codes = sorted(dealers)
    seq: dict[str, int] = {}
    count = 0

    def make(model_code: str, sold: date | None, *, dealer_code: str | None = None,
             status: str | None = None, lag: int | None = None):
        nonlocal count
        model = models[model_code]
        made = (sold or today) - timedelta(days=rng.randint(20, 60) + (lag or 0))
        made = made.replace(day=1 if made.day < 15 else 15)  # production batches twice a month
        seq[model_code] = seq.get(model_code, 0) + 1
        serial = FIRST_SERIAL if count == 0 else _serial(model_code, made, seq[model_code])
        fields: dict[str, object] = {"manufactured_on": made}
        if sold is not None:
            code = dealer_code or rng.choice(dealer_codes)
            dealer = dealers[code]
            shipped = sold - timedelta(days=lag if lag is not None else rng.randint(3, 30))
            with_customer = rng.random() < 0.35 and customers.get(code)
            fields.update(
                dealer=dealer, shipped_on=shipped,
                sold_on=sold if rng.random() < 0.8 else None,
                region_code=dealer.regions.first().region_code if dealer.regions.exists() else "",
                customer=rng.choice(customers[code]) if with_customer else None,
                status=status or (UnitStatus.IN_SERVICE if rng.random() < 0.85 else UnitStatus.WITH_DEALER),
            )
        else:
            fields["status"] = UnitStatus.IN_STOCK
        count += 1
        return services.unit_create(actor=None, serial=serial, product_model=model, **fields)

    # The first unit: SN-D200 sold two years ago, in warranty, at GX-NN01.
    make("SN-D200", date(2024, 11, 8), dealer_code="GX-NN01", status=UnitStatus.IN_SERVICE, lag=5)
    current = [code for code, *_rest in MODELS if code != "SN-D100"]
    start, span = date(2023, 1, 5), (today - date(2023, 1, 5)).days
    for _i in range(230):
        make(rng.choice(current), start + timedelta(days=rng.randint(0, span)))
    for _i in range(20):  # the discontinued model, sold 2023 to mid-2024
        make("SN-D100", date(2023, 1, 10) + timedelta(days=rng.randint(0, 520)))
    for day in HOLIDAY_SALES:
        for _i in range(4):
            make(rng.choice(current), day)
    for back in (3, 10, 25, 40, 60, 85):  # always something inside the replacement period
        make(rng.choice(["SN-D200", "SN-S380", "SN-R720"]), today - timedelta(days=back), dealer_code="GX-NN01")
    for _i in range(12):  # vendor-stock spares for replacements
        make(rng.choice(["SN-D200", "SN-D300", "SN-S380"]), None)
    _chain(make, services, today)
    for _i in range(8):  # restocked spares: the RMA demo's replacements use most of the first 12
        make(rng.choice(["SN-D200", "SN-D300", "SN-S380"]), None)
    return count


def _chain(make, services, today: date) -> None:
    """A unit replaced twice: each replacement keeps the first unit's warranty start."""
    from shouhou.core.services import audit_record
    from shouhou.registry.models import Unit, UnitStatus

    first = make("SN-S380", date(2025, 3, 18), dealer_code="GX-NN01", status=UnitStatus.REPLACED)
    second = make("SN-S380", date(2025, 8, 6), dealer_code="GX-NN01", status=UnitStatus.REPLACED)
    third = make("SN-S380", today - timedelta(days=45), dealer_code="GX-NN01", status=UnitStatus.IN_SERVICE)
    for old, new in ((first, second), (second, third)):
        # The RMA work owns the replacement service; the demo only records a finished one.
        Unit.objects.filter(pk=new.pk).update(replaces=old)
        audit_record(new, "unit.replacement_recorded", actor=None, data={"replaces": old.serial})
