"""Who is calling (来电弹屏): the dealers, dealer contacts, end customers and units behind a phone
number or a serial, for the hotline screen, the caller panel and ``GET /api/v1/callers``.

``callers_for(user, phone=..., serial=...)`` is for vendor staff only (anyone else: NotFound, as the
staff pages answer). It runs a fixed number of indexed queries whatever matches: one per kind of
match (dealers by their phone or mobile, dealer contacts, customers, the unit by serial, the
customers' units), for units that replace others one more and one per level of their chains
(usually none), and one per provider. Phones match by their key
(``shouhou.domain.phones.phone_key``): ``0771-556 1234``, ``(0771)5561234`` and ``+86 771 5561234``
are one number.

Providers
---------
Apps that keep work about callers (service orders, cases) add it without the registry importing
them: from their ``AppConfig.ready()``::

    register_caller_provider("open_orders", open_orders)

A provider is called as ``fn(user, keys)`` with the staff ``user`` and a ``CallerKeys`` holding
the ids of the matched dealers (those matched by their own phone or a contact's, i.e. the dealer
is the caller; not the dealer of a unit), customers and units (the unit by serial and the
matched customers' units). It returns a list of ``CallerItem(key, label, url)``, newest first,
at most ``PROVIDER_LIMIT`` of them, in one query, scoped by the app's own selectors. It runs on
every ring, so its one query should be indexed (bench/callers.py times it with the rest). ``key`` is
what the API lists (an order id, a case number), ``label`` and ``url`` are what the caller panel
shows and links to. Registered today: ``open_orders`` (rma: ids of service orders with an open
line for the units or dealers). The cases app registers ``open_cases`` (case numbers). The API
always lists both keys, empty when no provider is registered under that name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from shouhou.domain import coverage as cov
from shouhou.domain.errors import Invalid, NotFound
from shouhou.domain.phones import phone_key
from shouhou.registry.models import Customer, Dealer, DealerContact, ProductModel, Unit, normalize_serial
from shouhou.registry.selectors import coverage_today_map
from shouhou.workdays import clock

# Enough for a screen; a number shared by more is a switchboard, and the panel says "more".
DEALER_LIMIT = 20
CUSTOMER_LIMIT = 20
UNIT_LIMIT = 50
PROVIDER_LIMIT = 20


class CallerQueryMissing(Invalid):
    code = "caller_query_missing"


class PhoneInvalid(Invalid):
    code = "phone_invalid"


@dataclass(frozen=True, slots=True)
class CallerItem:
    """One thing a provider found: its API key, a label for the panel and the page it links to."""

    key: str | int
    label: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class CallerKeys:
    """What providers look up: ids of the matched dealers, customers and units."""

    dealer_ids: tuple[int, ...]
    customer_ids: tuple[int, ...]
    unit_ids: tuple[int, ...]


CallerProvider = Callable[[Any, CallerKeys], list[CallerItem]]
_PROVIDERS: dict[str, CallerProvider] = {}


def register_caller_provider(name: str, fn: CallerProvider) -> None:
    """Add FN as the provider of NAME (e.g. "open_cases"). Registering the same pair again is a no-op;
    another function under a taken name raises ValueError (two apps claiming one key)."""
    current = _PROVIDERS.get(name)
    if current is not None and current is not fn:
        raise ValueError(f"caller provider {name!r} is already registered")
    _PROVIDERS[name] = fn


@dataclass(frozen=True, slots=True)
class DealerMatch:
    """A dealer on the line: CONTACT is the person whose number matched (or the dealer's main contact)."""

    code: str
    name: str
    contact: str
    phone: str
    matched_by: str  # "phone" (dealer's phone or mobile), "contact", "unit" (the serial's dealer)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    id: int
    serial: str
    model: str
    dealer_code: str | None
    customer_id: int | None
    coverage: cov.Coverage | None


@dataclass(frozen=True, slots=True)
class CustomerMatch:
    id: int
    name: str
    contact: str
    phone: str
    dealer_code: str | None
    dealer_name: str | None
    dealer_phone: str | None
    units: tuple[UnitMatch, ...]


@dataclass(frozen=True, slots=True)
class CallerMatch:
    phone_key: str
    serial: str
    dealers: tuple[DealerMatch, ...] = ()
    customers: tuple[CustomerMatch, ...] = ()
    units: tuple[UnitMatch, ...] = ()
    provided: MappingProxyType[str, tuple[CallerItem, ...]] = field(
        default_factory=lambda: MappingProxyType({}))

    @property
    def found(self) -> bool:
        return bool(self.dealers or self.customers or self.units)

    def items(self, name: str) -> tuple[CallerItem, ...]:
        return self.provided.get(name, ())

    @property
    def open_cases(self) -> tuple[CallerItem, ...]:
        return self.items("open_cases")

    @property
    def open_orders(self) -> tuple[CallerItem, ...]:
        return self.items("open_orders")


def _dealer_phone(phone: str | None, mobile: str | None) -> str:
    return phone or mobile or ""


@functools.cache
def _sql() -> dict[str, str]:
    """The lookups' fixed SQL text: built once, so a ring costs no ORM query compilation (about three
    quarters of an ORM lookup's time, bench/README.md "Caller lookups")."""
    d, c, cu = Dealer._meta.db_table, DealerContact._meta.db_table, Customer._meta.db_table
    u, m = Unit._meta.db_table, ProductModel._meta.db_table
    unit = ("SELECT u.id, u.serial, u.shipped_on, u.sold_on, u.replaces_id, u.replacement_days, u.warranty_months,"
            " u.customer_id, m.code, m.replacement_days, m.warranty_months, m.discontinued_on,"
            " d.id, d.code, d.name, d.contact_name, d.phone, d.mobile")
    joins = f" FROM {u} u JOIN {m} m ON m.id = u.product_model_id LEFT JOIN {d} d ON d.id = u.dealer_id"
    # S608: only table names from the models and constant limits go into the text; values are parameters.
    return {
        "dealers": f"SELECT id, code, name, contact_name, phone, mobile, phone_key FROM {d}"  # noqa: S608
                   f" WHERE phone_key = %s OR mobile_key = %s ORDER BY code LIMIT {DEALER_LIMIT}",
        "contacts": f"SELECT c.dealer_id, d.code, d.name, c.name, c.phone FROM {c} c JOIN {d} d ON d.id = c.dealer_id"  # noqa: S608
                    f" WHERE c.phone_key = %s ORDER BY d.code, c.name, c.id LIMIT {DEALER_LIMIT}",
        "customers": f"SELECT c.id, c.name, c.contact_name, c.phone, d.code, d.name, d.phone, d.mobile FROM {cu} c"  # noqa: S608
                     f" LEFT JOIN {d} d ON d.id = c.dealer_id WHERE c.phone_key = %s ORDER BY c.name, c.id"
                     f" LIMIT {CUSTOMER_LIMIT}",
        "unit": f"{unit}, c.id, c.name, c.contact_name, c.phone, cd.code, cd.name, cd.phone, cd.mobile{joins}"
                f" LEFT JOIN {cu} c ON c.id = u.customer_id LEFT JOIN {d} cd ON cd.id = c.dealer_id"
                " WHERE u.serial = %s",
        "units_of": f"{unit}{joins} WHERE u.customer_id IN ({{}}) ORDER BY u.serial LIMIT {UNIT_LIMIT}",
    }


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite hands raw dates back as text


def _coverage(row: tuple[Any, ...], today: date) -> cov.Coverage | None:
    """Coverage on TODAY of a unit row without a replacement chain (None before its warranty start)."""
    dates = cov.UnitDates(_as_date(row[2]), _as_date(row[3]))
    start = dates.sold_on or dates.shipped_on
    if start is None or today < start:
        return None
    terms = cov.Terms(row[9], row[10], _as_date(row[11])).with_overrides(replacement_days=row[5],
                                                                       warranty_months=row[6])
    return cov.coverage_on(dates=dates, terms=terms, day=today)


def callers_for(user: Any, *, phone: str = "", serial: str = "", today: date | None = None) -> CallerMatch:
    """Dealers, customers and units matching PHONE (any written form) and/or SERIAL, with the
    providers' results. Raises NotFound for anyone but vendor staff, CallerQueryMissing when both
    are empty and PhoneInvalid for a phone without digits.

    Vendor staff see every dealer's rows (shouhou.core.scoping), so once the caller is known to be
    staff the lookups need no dealer filter and run as fixed SQL on the phone-key and serial indexes.
    """

    if not getattr(user, "is_vendor_staff", False):
        raise NotFound(_("没有找到该记录。"))
    key = phone_key(phone)
    serial = normalize_serial(serial)
    if phone.strip() and not key:
        raise PhoneInvalid(_("电话号码里没有数字：%(phone)s") % {"phone": phone[:50]}, field="phone")
    if not key and not serial:
        raise CallerQueryMissing(_("请输入来电号码或序列号。"))
    today = today or clock.today()
    sql = _sql()

    dealers: dict[tuple[int, str], DealerMatch] = {}
    caller_dealer_ids: list[int] = []
    # id -> name, contact, phone, dealer code, dealer name, dealer phone
    # id -> name, contact, phone, dealer code, dealer name, dealer phone (the CustomerMatch fields)
    customers: dict[int, tuple[str, str, str, str | None, str | None, str | None]] = {}
    unit_rows: list[tuple[Any, ...]] = []
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        if key:
            cursor.execute(sql["dealers"], [key, key])
            for pk, code, name, contact, main, mobile, main_key in cursor.fetchall():
                # Keyed by person: the main contact who is also a contact person is listed once.
                dealers[(pk, contact)] = DealerMatch(code, name, contact, main if main_key == key else mobile,
                                                     "phone")
                caller_dealer_ids.append(pk)
            cursor.execute(sql["contacts"], [key])
            for dealer_id, code, name, contact, contact_phone in cursor.fetchall():
                dealers[(dealer_id, contact)] = DealerMatch(code, name, contact, contact_phone, "contact")
                if dealer_id not in caller_dealer_ids:
                    caller_dealer_ids.append(dealer_id)
            cursor.execute(sql["customers"], [key])
            for pk, name, contact, customer_phone, d_code, d_name, d_phone, d_mobile in cursor.fetchall():
                customers[pk] = (name, contact, customer_phone, d_code, d_name,
                                 _dealer_phone(d_phone, d_mobile) if d_code else None)
        serial_row: tuple[Any, ...] | None = None
        if serial:
            cursor.execute(sql["unit"], [serial])
            serial_row = cursor.fetchone()
        if serial_row is not None:
            dealer_id, d_code, d_name, d_contact, d_phone, d_mobile = serial_row[12:18]
            if dealer_id is not None and not any(k[0] == dealer_id for k in dealers):
                dealers[(dealer_id, d_contact)] = DealerMatch(d_code, d_name, d_contact,
                                                              _dealer_phone(d_phone, d_mobile), "unit")
            customer_id, *customer = serial_row[18:26]
            if customer_id is not None and customer_id not in customers:
                name, contact, customer_phone, c_code, c_name, c_phone, c_mobile = customer
                customers[customer_id] = (name, contact, customer_phone, c_code, c_name,
                                          _dealer_phone(c_phone, c_mobile) if c_code else None)
        if customers:
            cursor.execute(sql["units_of"].format(", ".join(["%s"] * len(customers))), list(customers))
            unit_rows = cursor.fetchall()
    if serial_row is not None and all(row[0] != serial_row[0] for row in unit_rows):
        unit_rows.insert(0, serial_row[:18])

    # A replacement unit keeps its original's warranty start: walk those chains (rare) through the ORM.
    chained = [row[0] for row in unit_rows if row[4] is not None]
    chain_coverage = coverage_today_map(
        list(Unit.objects.select_related("product_model").filter(pk__in=chained)), today) if chained else {}
    unit_matches = [
        UnitMatch(row[0], row[1], row[8], row[13], row[7],
                  chain_coverage.get(row[0]) if row[4] is not None else _coverage(row, today))
        for row in unit_rows
    ]
    customer_matches = tuple(
        CustomerMatch(pk, *fields, tuple(m for m in unit_matches if m.customer_id == pk))
        for pk, fields in customers.items()
    )
    keys = CallerKeys(tuple(caller_dealer_ids), tuple(customers), tuple(row[0] for row in unit_rows))
    provided = {name: tuple(fn(user, keys)[:PROVIDER_LIMIT]) for name, fn in sorted(_PROVIDERS.items())}
    return CallerMatch(key, serial, tuple(dealers.values()), customer_matches, tuple(unit_matches),
                       MappingProxyType(provided))
