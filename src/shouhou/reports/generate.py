"""`shouhou demo generate`: years of realistic service data, fast, for demos, tests and benchmarks.

What it builds (all text in Chinese, all codes prefixed `G<seed>` so runs never collide):

- 8 product models, one of them discontinued (its units stop shipping when it is retired); 12–300
  dealers in ten cities of eight provinces; N units shipped to them over `years` years (more each
  year), each dealer with its own share and its own punctuality;
- M service orders (1–3 lines each) submitted on working days over those years; every line walks
  the real RMA state machine (`shouhou.domain.rma.apply`) on the product's working-day calendar
  (official holidays and make-up days), so paths, clocks and due times are exactly what the
  services would have computed: rejected, info requested then resubmitted, cancelled, free and
  paid replacement, advance replacement (with and without a back charge), free and paid repair,
  quotes confirmed and declined (returned or scrapped), no fault found, best-effort repair of the
  discontinued model. Most steps are on time; some vendor steps and more dealer steps are late
  (per dealer, improving over the years); lines still under way at the end are left open, some
  past due; one unit in ~40 comes back within 90 days;
- K service cases of every channel and type, with first-response and resolution targets from the
  case policy, most met, resolved by category (the FAQ among them), closed and rated 1–5.

How it stays fast: no per-row services. Rows are built as tuples in memory and written in
batches (PostgreSQL `COPY`, SQLite `executemany` with Django's own value preparation), with
explicit ids, inside one transaction. Invariants it therefore builds directly, rather than through
the services, and which `tests/reports/test_generate.py` checks on a generated set:

- each line's state, path, clocks and versions come from the domain machine, event by event;
- deadline records open and close exactly as `rma.services._deadlines_follow` does;
- one open line per unit; a replaced unit is never reported again; a replacement unit is a new
  unit that `replaces` the old one (status `replaced`), a scrapped unit `scrapped`, a unit at the
  centre `in_repair`;
- RMA and case numbers are gap-free per year and the number counters are moved past them;
- shipments, quotes (one open at most), repair records and charges match the events;
- case statuses, owners, resolutions and rating links satisfy the case constraints.

Not written: audit events, the outbox (no mail), documents (PDFs), attachments, unit snapshots.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, models, transaction
from django.db.models import Max

from shouhou.domain import cases as case_domain
from shouhou.domain import coverage as cov
from shouhou.domain import rma
from shouhou.domain.calendar import WorkCalendar
from shouhou.domain.errors import Invalid

BATCH = 20_000

MODELS = [  # code, name, category, replacement days, warranty months, weight, components
    ("S200", "S200 无盘服务器", "服务器", 90, 36, 24, ["主板", "内存", "电源", "RAID 卡"]),
    ("S300", "S300 存储服务器", "服务器", 90, 36, 16, ["硬盘", "RAID 卡", "背板", "电源"]),
    ("S100", "S100 入门服务器", "服务器", 90, 24, 10, ["主板", "电源", "风扇"]),
    ("G500", "G500 网关", "网络", 180, 36, 18, ["万兆网卡", "主板", "电源"]),
    ("G300", "G300 网关", "网络", 180, 24, 12, ["网口", "主板", "电源"]),
    ("W100", "W100 云终端", "终端", 90, 24, 12, ["主板", "显卡", "电源适配器"]),
    ("W200", "W200 云终端", "终端", 90, 36, 8, ["主板", "内存", "电源适配器"]),
    ("S150", "S150 服务器（已停产）", "服务器", 90, 24, 10, ["主板", "内存", "电源"]),  # discontinued
]
DISCONTINUED = "S150"
CITIES = [  # region code, city
    ("450100", "南宁"), ("450200", "柳州"), ("440100", "广州"), ("440300", "深圳"), ("430100", "长沙"),
    ("510100", "成都"), ("420100", "武汉"), ("330100", "杭州"), ("320100", "南京"), ("350200", "厦门"),
]
SHOPS = ["网络科技", "电脑城", "信息技术", "数码", "网吧设备", "系统集成"]
FAULTS = ["开机后无盘客户端频繁掉线", "RAID 卡报错，两块硬盘离线", "运行半小时后自动重启", "万兆网口无链接",
          "开机无显示，诊断灯 C1", "风扇异响，温度过高", "电源无输出", "系统频繁蓝屏"]
CARRIERS = ["顺丰速运", "京东物流", "德邦快递"]
SUBJECTS = {"consultation": ["如何配置无盘启动", "驱动下载地址", "网关策略设置"],
            "fault": ["服务器无法开机", "网关掉线", "终端黑屏"],
            "repair": ["申请返修", "保修期内维修咨询", "包换期内换货"],
            "complaint": ["代理商响应太慢", "代理商未按时上门", "代理商收费不合理"]}
RESOLUTIONS = [  # category, weight, text
    ("resolved_by_faq", 30, "按常见问题文章处理后恢复"), ("remote_fix", 28, "远程协助处理完成"),
    ("configuration", 14, "配置调整后恢复正常"), ("third_party", 5, "非本公司产品原因，已告知客户"),
    ("dealer_handled", 8, "已交代理商上门处理"), ("service_order", 10, "已转售后服务单"),
    ("no_response", 3, "客户多次未回应"), ("other", 2, "其他方式解决"),
]
CHANNELS = [("hotline", 35), ("qq", 20), ("email", 10), ("web", 14), ("portal", 16), ("api", 5)]
CASE_TYPES = [("consultation", 34), ("fault", 34), ("repair", 22), ("complaint", 10)]
SOURCES = [("web", 58), ("xlsx", 15), ("api", 12), ("email", 10), ("staff", 5)]
SCORES = [(1, 4), (2, 6), (3, 15), (4, 35), (5, 40)]


@dataclass(frozen=True)
class Spec:
    units: int
    orders: int
    cases: int
    seed: int = 1
    years: int = 3
    until: date | None = None  # the last day of data (default: today); same seed + until → same data

    def check(self) -> None:
        if self.units < 1 or self.orders < 0 or self.cases < 0:
            raise Invalid("units must be at least 1, orders and cases 0 or more", code="bad_size")
        if self.orders and self.units < 2 * self.orders ** 0.5:
            raise Invalid("too few units for that many orders", code="bad_size")
        if not 1 <= self.years <= 10:
            raise Invalid("years must be 1–10", code="bad_years", field="years")
        if not 0 <= self.seed < 10**6:
            raise Invalid("seed must be 0–999999", code="bad_seed", field="seed")

    @property
    def prefix(self) -> str:
        return f"G{self.seed}"


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    paths: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    late: int = 0
    on_time: int = 0
    seconds: float = 0.0


def _sqlite_value(f: models.Field) -> Callable[[Any], Any]:
    """What SQLite stores for F's values, as Django's own preparation would give, minus its per-value
    overhead (aware datetimes as naive UTC text, JSON as text, decimals as text)."""
    if isinstance(f, models.DateTimeField):
        return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(f, models.JSONField):
        return lambda v: json.dumps(v, ensure_ascii=False)
    if isinstance(f, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else int(v)
    if isinstance(f, models.IntegerField | models.CharField | models.TextField | models.ForeignKey):
        return lambda v: v
    return lambda v: f.get_db_prep_save(v, connection)


def _fields(line: rma.Line) -> dict[str, Any]:
    return {f: getattr(line, f) for f in line.__dataclass_fields__}


def _weighted(rnd: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rnd.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


# --- batched writer -------------------------------------------------------------------------------


class Table:
    """Rows of one model as tuples of COLUMNS (attnames) with explicit ids, written in batches."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        self.columns = ["id", *columns]
        self.fields = [by_attname[c] for c in self.columns]
        rest = [f for f in meta.concrete_fields if f.attname not in self.columns]
        self.rest_columns = [f.attname for f in rest]
        self.rest_fields = rest
        self.rest_values = tuple(f.get_default() for f in rest)
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.first_id = self.next_id
        self.written = 0

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = [*self.columns, *self.rest_columns]
        fields = [*self.fields, *self.rest_fields]
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        if connection.vendor == "postgresql":
            json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in self.rows:
                    full = [*row, *self.rest_values]
                    for i in json_at:
                        full[i] = json.dumps(full[i], ensure_ascii=False)
                    copy.write_row(full)
        else:
            marks = ", ".join(["%s"] * len(names))
            convert = [_sqlite_value(f) for f in fields]
            prepared = [[c(v) for c, v in zip(convert, (*row, *self.rest_values), strict=True)] for row in self.rows]
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", prepared)
        self.written += len(self.rows)
        self.rows = []

    def finish(self) -> None:
        self.flush()
        if connection.vendor == "postgresql" and self.written:
            table = self.model._meta.db_table
            with connection.cursor() as cur:
                cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
                            [table])


# --- the walk of one line through the machine -----------------------------------------------------


@dataclass
class LineRun:
    """A line's scripted choices, decided up front from the random stream."""

    reject: bool
    info: bool
    cancel: bool
    advance: bool
    nff: bool
    damage: tuple[str, ...]
    decline: bool
    scrap: bool
    ship_back: bool  # best effort: send back unrepaired rather than quote
    vendor_late: float
    dealer_late: float
    components: list[str]


class Generator:
    def __init__(self, spec: Spec, *, out: TextIO | None = None) -> None:
        from shouhou.rma.policy import rma_policy, work_calendar

        spec.check()
        self.spec = spec
        self.out = out
        self.rnd = random.Random(spec.seed)
        self.cal: WorkCalendar = work_calendar()
        self.policy = rma_policy()
        self.tz = self.cal.tz
        self.until = spec.until or self.cal.local(datetime.now(self.tz)).date()
        self.end = datetime.combine(self.until, time(20, 0), self.tz)  # the generated "now"
        self.first_day = self.until - timedelta(days=365 * spec.years)
        self.summary = Summary()

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text + "\n")
            self.out.flush()

    # ------------------------------------------------------------------ reference data
    def reference(self) -> None:
        from shouhou.core.models import User
        from shouhou.core.services import user_create
        from shouhou.registry.models import Dealer, ProductModel

        p = self.spec.prefix
        if ProductModel.objects.filter(code__startswith=f"{p}-").exists():
            raise Invalid(f"data of seed {self.spec.seed} is already here (codes {p}-…); use another --seed",
                          code="already_generated", field="seed")
        self.models: list[ProductModel] = []
        retired = self.until - timedelta(days=int(365 * self.spec.years * 0.55))
        for code, name, category, days, months, _w, _c in MODELS:
            gone = code == DISCONTINUED
            self.models.append(ProductModel(
                code=f"{p}-{code}", name=name, category=category, replacement_days=days, warranty_months=months,
                discontinued_on=retired if gone else None, active=not gone,
                replacement_terms="包换期内外观完好、配件齐全", free_repair_scope="保修期内非人为损坏"))
        ProductModel.objects.bulk_create(self.models)
        self.models = list(ProductModel.objects.filter(code__startswith=f"{p}-").order_by("id"))
        order = {f"{p}-{m[0]}": i for i, m in enumerate(MODELS)}
        self.models.sort(key=lambda m: order[m.code])
        self.terms = [cov.Terms(replacement_days=m.replacement_days, warranty_months=m.warranty_months,
                                discontinued_on=m.discontinued_on) for m in self.models]
        self.retired = retired

        n = max(12, min(300, self.spec.units // 3000))
        dealers = []
        for i in range(n):
            region, city = CITIES[i % len(CITIES)]
            dealers.append(Dealer(code=f"{p}-D{i + 1:03d}", name=f"{city}{SHOPS[i % len(SHOPS)]}{i + 1}号店",
                                  region_code=region, contact_name="张经理", phone=f"0771-{5000000 + i}",
                                  email=f"d{i + 1}@dealer.example"))
        Dealer.objects.bulk_create(dealers)
        self.dealers = list(Dealer.objects.filter(code__startswith=f"{p}-").order_by("code"))
        # Each dealer's share of the units and its punctuality (some dealers need help).
        self.dealer_weight = [self.rnd.paretovariate(1.6) for _ in self.dealers]
        self.dealer_late = [0.05 + 0.35 * self.rnd.random() ** 3 for _ in self.dealers]

        self.staff = []
        for i in range(1, 5):
            username = f"{p.lower()}.cs{i}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create(username=username, role="customer_service", name=f"客服{i}号")
            self.staff.append(user.pk)

    # ------------------------------------------------------------------ units
    def units(self) -> None:
        """N units with ascending ship dates (more each year); kept as arrays for the orders."""
        from shouhou.registry.models import Unit

        spec, rnd = self.spec, self.rnd
        start = self.first_day - timedelta(days=400)
        span = (self.until - timedelta(days=3) - start).days
        # Growth: ship dates drawn with density rising linearly over the span.
        days = sorted(int(span * rnd.random() ** 0.7) for _ in range(spec.units))
        model_weights = [m[5] for m in MODELS]
        retired_ord = self.retired.toordinal()
        self.unit_day: list[int] = []
        self.unit_model: list[int] = []
        self.unit_dealer: list[int] = []
        self.unit_id: list[int] = []
        self.unit_serial: list[str] = []
        table = Table(Unit, ["serial", "product_model_id", "shipped_on", "dealer_id", "region_code", "status",
                             "created_at", "updated_at"])
        self.units_table = table
        dealer_idx = range(len(self.dealers))
        dealer_cum = list(self._cumulative(self.dealer_weight))
        model_cum = list(self._cumulative(model_weights))
        live_cum = list(self._cumulative(model_weights[:-1]))
        base = start.toordinal()
        for i, d in enumerate(days):
            day = base + d
            if day < retired_ord:
                m = bisect.bisect(model_cum, rnd.random() * model_cum[-1])
            else:
                m = bisect.bisect(live_cum, rnd.random() * live_cum[-1])
            k = dealer_idx[bisect.bisect(dealer_cum, rnd.random() * dealer_cum[-1])]
            shipped = date.fromordinal(day)
            serial = f"{spec.prefix}{'SGWWWWS'[m] if m < 7 else 'T'}{i + 1:08d}"
            dealer = self.dealers[k]
            at = datetime.combine(shipped, time(9), self.tz)
            pk = table.add(serial, self.models[m].pk, shipped, dealer.pk, dealer.region_code, "in_service", at, at)
            self.unit_day.append(day)
            self.unit_model.append(m)
            self.unit_dealer.append(k)
            self.unit_id.append(pk)
            self.unit_serial.append(serial)
        table.flush()
        self.say(f"  设备 {spec.units}")

    @staticmethod
    def _cumulative(weights: Iterable[float]) -> Iterable[float]:
        total = 0.0
        for w in weights:
            total += w
            yield total

    # ------------------------------------------------------------------ orders and lines
    def _order_times(self) -> list[datetime]:
        rnd, cal = self.rnd, self.cal
        span = (self.until - self.first_day).days
        out = []
        for _ in range(self.spec.orders):
            day = self.first_day + timedelta(days=int(span * rnd.random() ** 0.75))
            if not cal.is_working_day(day) and rnd.random() < 0.85:
                day = cal.add_working_days(day, 1)
                if day > self.until:
                    day = self.until
            minute = rnd.randrange(8 * 60 + 30, 19 * 60 + 30)
            out.append(datetime.combine(day, time(minute // 60, minute % 60), self.tz))
        out.sort()
        return out

    def _pick_unit(self, reported: datetime) -> int | None:
        hi = bisect.bisect(self.unit_day, reported.date().toordinal() - 3)
        if hi <= 0:
            return None
        for _ in range(8):
            # Newer units fail more often (early failures); old ones still come back.
            i = self.rnd.randrange(hi) if self.rnd.random() < 0.2 else hi - 1 - int(hi * self.rnd.random() ** 2.5)
            if i not in self.busy and i not in self.gone:
                return i
        return None

    def _pick_near(self, first: int, reported: datetime, picked: list[int]) -> int | None:
        hi = bisect.bisect(self.unit_day, reported.date().toordinal() - 3)
        dealer = self.unit_dealer[first]
        for i in range(min(first + 400, hi - 1), max(-1, first - 400), -1):
            if self.unit_dealer[i] == dealer and i not in picked and i not in self.busy and i not in self.gone:
                return i
        return None

    def _run(self, coverage: str, dealer: int, year_frac: float) -> LineRun:
        rnd = self.rnd
        damaged = rnd.random() < 0.09
        m_components = MODELS[0][6]
        return LineRun(
            reject=rnd.random() < 0.025, info=rnd.random() < 0.07, cancel=rnd.random() < 0.01,
            advance=coverage == "replacement" and rnd.random() < 0.3, nff=rnd.random() < 0.1,
            damage=(rnd.choice(["physical", "liquid", "burn", "tampered", "cosmetic"]),) if damaged else (),
            decline=rnd.random() < 0.3, scrap=rnd.random() < 0.35, ship_back=rnd.random() < 0.5,
            # Vendor punctuality improves over the years; each dealer keeps its own.
            vendor_late=0.16 - 0.1 * year_frac, dealer_late=self.dealer_late[dealer], components=m_components,
        )

    def _next_at(self, line: rma.Line, last: datetime, late_p: float) -> datetime:
        rnd = self.rnd
        due = line.due_at or line.dealer_due_at
        if due is None:  # nobody's clock (in transit, shipped, approved): 1–4 days
            return last + timedelta(hours=rnd.uniform(18, 96))
        if due <= last or rnd.random() < late_p:
            self.summary.late += 1
            return max(last, due) + timedelta(hours=rnd.uniform(1, 80))
        self.summary.on_time += 1
        return last + (due - last) * rnd.uniform(0.05, 0.95)

    def _choose(self, line: rma.Line, run: LineRun, history: set[str]) -> tuple[str, dict[str, Any], bool]:
        """The next event, its fields, and whether the dealer makes the move."""
        S, E = rma.State, rma.Event
        s = line.state
        if s is S.SUBMITTED:
            if run.reject and "reject" not in history:
                return E.REJECT, {"reason": "非本公司产品"}, False
            if run.info and E.REQUEST_INFO not in history:
                return E.REQUEST_INFO, {"message": "请补充故障照片和配置拓扑图"}, False
            if run.advance:
                return E.APPROVE_ADVANCE, {"reason": "网吧营业急用"}, False
            return E.APPROVE, {}, False
        if s is S.INFO_REQUESTED:
            return (E.CANCEL, {"reason": "代理商撤回"}, True) if run.cancel else (E.RESUBMIT, {}, True)
        if s in (S.APPROVED, S.AWAITING_RETURN):
            return E.SHIP_TO_CENTRE, self._ship(), True
        if s is S.ADVANCE_APPROVED or s is S.REPLACING:
            return E.SHIP_REPLACEMENT, {**self._ship(), "replacement_serial": "X"}, False
        if s is S.REPLACEMENT_SHIPPED or (s is S.SHIPPED and self.rnd.random() < 0.75):
            return E.CONFIRM_DELIVERY, {}, True
        if s is S.SHIPPED:
            return E.CLOSE, {}, False
        if s is S.IN_TRANSIT:
            return E.RECEIVE, {"condition": "外包装完好"}, False
        if s is S.RECEIVED:
            return E.INSPECT, {"fault_confirmed": not run.nff, "damage": list(run.damage),
                               "components": [] if run.nff else run.components}, False
        if s is S.INSPECTED:
            if E.CHARGE in rma.allowed(line) and E.CLOSE not in rma.allowed(line):
                return E.CHARGE, {"amount": "350.00", "reason": "故障件外壳损坏，按条款追收维修费"}, False
            return E.CLOSE, {}, False
        if s is S.QUOTING:
            if line.path is rma.Path.BEST_EFFORT and run.ship_back:
                return E.SHIP_BACK, self._ship(), False
            options = [str(o) for o in rma.quote_choices(line)]
            items = [{"text": "更换主板", "amount": "680.00", "option": "paid_repair"},
                     {"text": "检测费", "amount": "50.00"}]
            if "paid_replacement" in options:
                items.append({"text": "换新机差价", "amount": "1200.00", "option": "paid_replacement"})
            return E.SEND_QUOTE, {"items": items, "options": options}, False
        if s is S.QUOTED:
            if run.decline:
                return E.DECLINE_QUOTE, {"scrap": run.scrap}, True
            return E.CONFIRM_QUOTE, {"choice": str(line.quote_options[0])}, True
        if s is S.REPAIRING:
            return E.COMPLETE_REPAIR, {"parts": run.components[:1] or ["主板"], "result": "更换部件后烤机正常"}, False
        if s is S.REPAIRED:
            return E.SHIP_REPAIRED, self._ship(), False
        if s is S.RETURNING:
            return E.SHIP_BACK, self._ship(), False
        if s is S.SCRAPPING:
            return E.CLOSE, {}, False
        raise AssertionError(f"no script for {s}")

    def _ship(self) -> dict[str, str]:
        self.tracking += 1
        return {"carrier": CARRIERS[self.tracking % 3], "tracking": f"SF{self.spec.seed:03d}{self.tracking:09d}"}

    def orders(self) -> None:
        from shouhou.registry.models import Unit
        from shouhou.rma.models import (
            Charge,
            DeadlineRecord,
            OrderLine,
            Quote,
            RepairRecord,
            RmaNumber,
            ServiceOrder,
            Shipment,
        )
        from shouhou.rma.services import _DEADLINE_KINDS

        rnd, cal, policy = self.rnd, self.cal, self.policy
        self.busy: set[int] = set()  # units with an open line
        self.gone: set[int] = set()  # units replaced or scrapped
        self.tracking = 0
        status: dict[int, str] = {}  # unit index → final status when not in service
        orders = Table(ServiceOrder, ["number", "dealer_id", "contact_name", "contact_phone", "return_address",
                                      "reported_at", "submitted_at", "source", "created_at"])
        lines = Table(OrderLine, ["order_id", "position", "unit_id", "serial", "fault", "advance_requested",
                                  "advance_reason", "coverage", "state", "path", "due_at", "dealer_due_at",
                                  "clock_started_at", "last_event_at", "received_at", "delivered_at",
                                  "fault_confirmed", "damage", "components", "quote_options", "charge_required",
                                  "charge_amount", "scrap", "version", "replacement_unit_id"])
        deadlines = Table(DeadlineRecord, ["line_id", "kind", "party", "started_at", "due_at", "met_at", "late"])
        shipments = Table(Shipment, ["line_id", "direction", "kind", "carrier", "tracking", "shipped_at",
                                     "replacement_serial"])
        quotes = Table(Quote, ["line_id", "items", "total", "options", "totals", "valid_days", "valid_until",
                               "sent_at", "status", "choice", "scrap", "answered_at"])
        repairs = Table(RepairRecord, ["line_id", "parts", "result", "completed_at"])
        charges = Table(Charge, ["line_id", "amount", "reason", "created_at", "billed"])
        self.tables = [orders, lines, deadlines, shipments, quotes, repairs, charges]
        numbers = dict(RmaNumber.objects.values_list("year", "last"))
        recent: list[tuple[int, int]] = []  # (report ordinal, unit index) of closed lines, for repeats
        E = rma.Event
        span = max(1, (self.until - self.first_day).days)
        replacement_no = 0
        for o, reported in enumerate(self._order_times()):
            n_lines = 1 if rnd.random() < 0.85 else (2 if rnd.random() < 0.75 else 3)
            picked: list[int] = []
            for _ in range(n_lines):
                if picked:  # more units of the same dealer on one form
                    i = self._pick_near(picked[0], reported, picked)
                    if i is not None:
                        picked.append(i)
                    continue
                if recent and rnd.random() < 0.025:  # a unit back within 90 days
                    day, i = recent[rnd.randrange(len(recent))]
                    if 5 <= reported.date().toordinal() - day <= 85 and i not in self.busy and i not in self.gone \
                            and i not in picked:
                        picked.append(i)
                        continue
                i = self._pick_unit(reported)
                if i is not None and i not in picked:
                    picked.append(i)
            if not picked:
                continue
            dealer = self.unit_dealer[picked[0]]
            picked = [i for i in picked if self.unit_dealer[i] == dealer] or picked[:1]
            d = self.dealers[dealer]
            order_number: str | None = None
            order_rows: list[Callable[[int], None]] = []
            year_frac = (reported.date() - self.first_day).days / span
            for position, i in enumerate(picked, start=1):
                m = self.unit_model[i]
                day = reported.date()
                coverage = str(cov.coverage_on(dates=cov.UnitDates(date.fromordinal(self.unit_day[i]), None),
                                               terms=self.terms[m], day=day).status)
                run = self._run(coverage, dealer, year_frac)
                comps = MODELS[m][6]
                run.components = [comps[min(len(comps) - 1, int(rnd.expovariate(1.2)))]]
                if rnd.random() < 0.15:
                    run.components.append(comps[-1])
                step = rma.submit(coverage=coverage, at=reported, calendar=cal, policy=policy, advance=run.advance)
                line = step.line
                recs: list[list[Any]] = []  # [kind, party, started, due, met, late]
                if line.due_at is not None:
                    recs.append([_DEADLINE_KINDS[line.state], "vendor", reported, line.due_at, None, None])
                history: set[str] = set()
                events: list[tuple[str, datetime, dict[str, Any], rma.Line]] = []
                last = reported
                while line.state not in rma.FINAL_STATES:
                    event, fields, by_dealer = self._choose(line, run, history)
                    at = self._next_at(line, last, run.dealer_late if by_dealer else run.vendor_late)
                    if at > self.end:
                        break
                    if event in (E.CONFIRM_QUOTE, E.DECLINE_QUOTE) and line.dealer_due_at and at > line.dealer_due_at:
                        # Answered after the quote expired: the service centre sends a revised one.
                        event, fields = self._choose(line.__class__(**{**_fields(line), "state": rma.State.QUOTING}),
                                                     run, history)[:2]
                    step = rma.apply(line, event, at=at, calendar=cal, policy=policy, fields=fields)
                    history.add(event)
                    line, last = step.line, at
                    events.append((event, at, step.data, line))
                    # Deadline records, as rma.services._deadlines_follow.
                    due, party = (line.due_at, "vendor") if line.due_at else (line.dealer_due_at, "dealer")
                    started = min(line.clock_started_at or at, due) if due is not None else None
                    cur = recs[-1] if recs and recs[-1][4] is None else None
                    if not (cur is not None and cur[3] == due and cur[1] == party and cur[2] == started):
                        if cur is not None:
                            cur[4], cur[5] = at, at > cur[3]
                        if due is not None:
                            recs.append([_DEADLINE_KINDS.get(line.state, "ship"), party, started, due, None, None])
                    if event in (E.APPROVE, E.APPROVE_ADVANCE) and order_number is None:
                        year = at.astimezone(self.tz).year
                        numbers[year] = numbers.get(year, 0) + 1
                        order_number = f"RMA{year}-{numbers[year]:06d}"
                state = str(line.state)
                path = str(line.path) if line.path else None
                self.summary.states[state] = self.summary.states.get(state, 0) + 1
                self.summary.paths[path or "-"] = self.summary.paths.get(path or "-", 0) + 1
                unit_pk = self.unit_id[i]
                replacement_pk = None
                quote_open: list[Any] | None = None
                line_rows: list[tuple[Table, tuple[Any, ...]]] = []
                for event, at, data, after in events:
                    if event in (E.SHIP_TO_CENTRE, E.SHIP_REPLACEMENT, E.SHIP_REPAIRED, E.SHIP_BACK):
                        kind = {E.SHIP_TO_CENTRE: "faulty", E.SHIP_REPLACEMENT: "replacement",
                                E.SHIP_REPAIRED: "repaired", E.SHIP_BACK: "back"}[event]
                        serial = ""
                        if event == E.SHIP_REPLACEMENT:
                            replacement_no += 1
                            serial = f"{self.spec.prefix}R{replacement_no:08d}"
                            local = at.astimezone(self.tz)
                            replacement_pk = self.units_table.add(
                                serial, self.models[m].pk, local.date(), d.pk, d.region_code, "in_service", at, at)
                            self.replaces.append((replacement_pk, unit_pk))
                            self.gone.add(i)
                            status[i] = "replaced"
                        line_rows.append((shipments, ("to_centre" if kind == "faulty" else "to_dealer", kind,
                                                      data["carrier"], data["tracking"], at, serial)))
                    elif event == E.SEND_QUOTE:
                        if quote_open is not None:
                            quote_open[7] = "superseded"
                            line_rows.append((quotes, tuple(quote_open)))
                        totals = rma.quote_totals(data["items"], [str(x) for x in after.quote_options])
                        quote_open = [json.loads(json.dumps(data["items"], default=str)),
                                      max(totals.values()), [str(x) for x in after.quote_options],
                                      {k: str(v) for k, v in totals.items()}, policy.quote_valid_days,
                                      after.dealer_due_at, at, "sent", "", False, None]
                    elif event in (E.CONFIRM_QUOTE, E.DECLINE_QUOTE) and quote_open is not None:
                        confirmed = event == E.CONFIRM_QUOTE
                        quote_open[7] = "confirmed" if confirmed else "declined"
                        quote_open[8] = str(data["choice"]) if confirmed else ""
                        quote_open[9] = bool(data.get("scrap", False))
                        quote_open[10] = at
                        if confirmed and quote_open[8] in quote_open[3]:
                            quote_open[1] = Decimal(quote_open[3][quote_open[8]])
                    elif event == E.COMPLETE_REPAIR:
                        line_rows.append((repairs, (list(data["parts"]), data["result"], at)))
                    elif event == E.CHARGE:
                        line_rows.append((charges, (data["amount"], data["reason"], at, at < self.end - timedelta(
                            days=30))))
                    elif event == E.RECEIVE and i not in self.gone:
                        status[i] = "in_repair"
                    elif event in (E.SHIP_REPAIRED, E.SHIP_BACK) and i not in self.gone:
                        status.pop(i, None)
                if quote_open is not None:
                    line_rows.append((quotes, tuple(quote_open)))
                if state == "closed" and line.scrap and i not in self.gone:
                    status[i] = "scrapped"
                    self.gone.add(i)
                if state in rma.FINAL_STATES:
                    if i not in self.gone:
                        recent.append((day.toordinal(), i))
                        if len(recent) > 4000:
                            del recent[:1000]
                else:
                    self.busy.add(i)
                components = [] if not line.fault_confirmed else run.components
                if line.fault_confirmed is None:
                    components = []
                values = (unit_pk, self.unit_serial[i], FAULTS[rnd.randrange(len(FAULTS))], line.advance,
                          "网吧营业急用" if line.advance else "", coverage, state, path, line.due_at,
                          line.dealer_due_at, line.clock_started_at, line.last_event_at, line.received_at,
                          line.delivered_at, line.fault_confirmed, [str(x) for x in line.damage], components,
                          [str(x) for x in line.quote_options], line.charge_required, line.charge_amount,
                          line.scrap, line.version, replacement_pk)

                def write(order_pk: int, position: int = position, values: tuple[Any, ...] = values,
                          recs: list[list[Any]] = recs, line_rows: list[tuple[Table, tuple[Any, ...]]] = line_rows
                          ) -> None:
                    line_pk = lines.add(order_pk, position, *values)
                    for rec in recs:
                        deadlines.add(line_pk, *rec)
                    for table, row in line_rows:
                        table.add(line_pk, *row)

                order_rows.append(write)
            order_pk = orders.add(order_number, d.pk, "王先生", f"1380771{o % 10000:04d}", f"{d.name}（{d.code}）",
                                  reported, reported, _weighted(rnd, SOURCES), reported)
            for write in order_rows:
                write(order_pk)
            if (o + 1) % 50_000 == 0:
                self.say(f"  服务单 {o + 1}")
        for table in self.tables:
            table.flush()
        # Final unit statuses and replacement links: a few set-based updates.
        by_status: dict[str, list[int]] = {}
        for i, s in status.items():
            by_status.setdefault(s, []).append(self.unit_id[i])
        self.units_table.flush()
        for s, ids in by_status.items():
            for k in range(0, len(ids), 5000):
                Unit.objects.filter(pk__in=ids[k:k + 5000]).update(status=s)
        for k in range(0, len(self.replaces), 2000):
            chunk = self.replaces[k:k + 2000]
            Unit.objects.bulk_update([Unit(pk=new, replaces_id=old) for new, old in chunk], ["replaces"])
        for year, last in numbers.items():
            RmaNumber.objects.update_or_create(year=year, defaults={"last": last})
        self.say(f"  服务单 {orders.written}，设备行 {lines.written}，期限记录 {deadlines.written}")

    # ------------------------------------------------------------------ cases
    def cases(self) -> None:
        from shouhou.cases.models import Case, CaseNumber, CaseRating

        rnd, cal = self.rnd, self.cal
        span = (self.until - self.first_day).days
        times = []
        for _ in range(self.spec.cases):
            day = self.first_day + timedelta(days=int(span * rnd.random() ** 0.75))
            minute = rnd.randrange(8 * 60, 21 * 60)
            times.append(datetime.combine(day, time(minute // 60, minute % 60), self.tz))
        times.sort()
        table = Table(Case, ["number", "channel", "case_type", "status", "subject", "description", "reporter_name",
                             "reporter_phone", "reporter_phone_key", "serial", "product_model_id", "dealer_id",
                             "about_dealer_id", "region_code", "resolution", "resolution_category", "version",
                             "opened_at", "pickup_at", "first_response_due", "resolution_due",
                             "first_responded_at", "resolved_at", "closed_at", "owner_id", "first_responder_id",
                             "unit_id"])
        ratings = Table(CaseRating, ["case_id", "digest", "created_at", "expires_at", "rated_at", "score"])
        numbers = dict(CaseNumber.objects.values_list("year", "last"))
        n_units = len(self.unit_id)
        for c, opened in enumerate(times):
            channel = _weighted(rnd, CHANNELS)
            kind = _weighted(rnd, CASE_TYPES)
            year = opened.year
            numbers[year] = numbers.get(year, 0) + 1
            number = f"C{year}-{numbers[year]:06d}"
            targets = case_domain.targets(cal, opened, kind)
            k = rnd.randrange(len(self.dealers))
            dealer = about = None
            if kind == "complaint":
                about = self.dealers[k]
            elif channel in ("portal", "api") or rnd.random() < 0.5:
                dealer = self.dealers[k]
            unit_i = rnd.randrange(n_units) if kind in ("fault", "repair") and rnd.random() < 0.7 else None
            owner = self.staff[rnd.randrange(len(self.staff))]
            # First response: most within the hour after pickup, some late, a few never (open ones).
            responded = targets.pickup_at + (timedelta(minutes=rnd.uniform(2, 55)) if rnd.random() < 0.86
                                             else timedelta(minutes=rnd.uniform(65, 600)))
            resolved = (opened + (targets.resolution_due - opened) * rnd.uniform(0.05, 0.95)
                        if rnd.random() < 0.82 else targets.resolution_due + timedelta(hours=rnd.uniform(2, 120)))
            resolved = max(resolved, responded + timedelta(minutes=5))
            closed = resolved + timedelta(hours=rnd.uniform(1, 72))
            status, resolution, category = "closed", "", ""
            if responded > self.end:
                status, owner_id, responded_at, resolved_at, closed_at = "new", None, None, None, None
            elif resolved > self.end:
                status = rnd.choice(["accepted", "accepted", "waiting_customer", "waiting_dealer"])
                owner_id, responded_at, resolved_at, closed_at = owner, responded, None, None
            else:
                owner_id, responded_at, resolved_at = owner, responded, resolved
                category, _w, resolution = _weighted(rnd, [((cat, w, t), w) for cat, w, t in RESOLUTIONS])
                if closed > self.end:
                    status, closed_at = "resolved", None
                else:
                    closed_at = closed
            region = (dealer or about).region_code if (dealer or about) else CITIES[c % len(CITIES)][0]
            case_pk = table.add(
                number, channel, kind, status, rnd.choice(SUBJECTS[kind]), "", "李先生", "13907710000",
                "13907710000", self.unit_serial[unit_i] if unit_i is not None else "",
                self.models[self.unit_model[unit_i]].pk if unit_i is not None else None,
                dealer.pk if dealer else None, about.pk if about else None, region, resolution, category,
                1 + (status != "new") + (resolved_at is not None) + (closed_at is not None), opened,
                targets.pickup_at, targets.first_response_due, targets.resolution_due, responded_at, resolved_at,
                closed_at, owner_id, owner_id, self.unit_id[unit_i] if unit_i is not None else None)
            if closed_at is not None:
                digest = hashlib.sha256(f"{self.spec.prefix}-{case_pk}".encode()).hexdigest()
                rated = closed_at + timedelta(hours=rnd.uniform(2, 96))
                if rnd.random() < 0.55 and rated <= self.end:
                    ratings.add(case_pk, digest, closed_at, closed_at + timedelta(days=14), rated,
                                _weighted(rnd, SCORES))
                else:
                    ratings.add(case_pk, digest, closed_at, closed_at + timedelta(days=14), None, None)
        table.flush()
        ratings.flush()
        self.tables += [table, ratings]
        for year, last in numbers.items():
            CaseNumber.objects.update_or_create(year=year, defaults={"last": last})
        self.say(f"  服务案例 {table.written}，满意度回访 {ratings.written}")

    # ------------------------------------------------------------------ all
    def run(self) -> Summary:
        import time as wall

        started = wall.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL synchronous_commit = off")
            self.reference()
            self.replaces: list[tuple[int, int]] = []
            self.units()
            self.orders()
            self.cases()
            for table in [self.units_table, *self.tables]:
                table.finish()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        self.summary.counts = {t.model._meta.label: t.written for t in [self.units_table, *self.tables]}
        self.summary.seconds = wall.perf_counter() - started
        return self.summary


def generate(spec: Spec, *, out: TextIO | None = None) -> Summary:
    """Generate SPEC's data into the current database; raises Invalid for a bad spec or a seed
    already used here."""
    return Generator(spec, out=out).run()
