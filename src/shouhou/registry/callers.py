"""Who is calling (来电弹屏): the dealers, dealer contacts, end customers and units behind a phone
number or a serial, for the hotline screen, the caller panel and ``GET /api/v1/callers``.

``callers_for(user, phone=..., serial=...)`` is for vendor staff only (anyone else: NotFound, as the
staff pages answer). It runs a fixed number of indexed queries whatever matches: one per kind of
match (dealers by their phone or mobile, dealer contacts, customers, the unit by serial, the
customers' units), one per replacement-chain level of the units shown (usually none), and one per
provider. Phones match by their key (``shouhou.domain.phones.phone_key``): ``0771-556 1234``,
``(0771)5561234`` and ``+86 771 5561234`` are one number.

Providers
---------
Apps that keep work about callers (service orders, cases) add it without the registry importing
them: from their ``AppConfig.ready()``::

    register_caller_provider("open_orders", open_orders)

A provider is called as ``fn(user, keys)`` with the staff ``user`` and a ``CallerKeys`` holding
the ids of the matched dealers (those matched by their own phone or a contact's, i.e. the dealer
is the caller; not the dealer of a unit), customers and units (the unit by serial and the
matched customers' units). It returns a list of ``CallerItem(key, label, url)``, newest first,
at most ``PROVIDER_LIMIT`` of them, in one query, scoped by the app's own selectors. ``key`` is
what the API lists (an order id, a case number), ``label`` and ``url`` are what the caller panel
shows and links to. Registered today: ``open_orders`` (rma: ids of service orders with an open
line for the units or dealers). The cases app registers ``open_cases`` (case numbers). The API
always lists both keys, empty when no provider is registered under that name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from shouhou.core.scoping import scoped
from shouhou.domain import coverage as cov
from shouhou.domain.errors import Invalid, NotFound
from shouhou.domain.phones import phone_key
from shouhou.registry.models import Customer, Dealer, DealerContact, Unit, normalize_serial
from shouhou.registry.selectors import coverage_today_map

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


def _dealer_phone(dealer: Dealer) -> str:
    return dealer.phone or dealer.mobile


def _unit_match(unit: Unit, coverage: cov.Coverage | None) -> UnitMatch:
    return UnitMatch(unit.pk, unit.serial, unit.product_model.code,
                     unit.dealer.code if unit.dealer_id else None, unit.customer_id, coverage)


def callers_for(user: Any, *, phone: str = "", serial: str = "", today: date | None = None) -> CallerMatch:
    """Dealers, customers and units matching PHONE (any written form) and/or SERIAL, with the
    providers' results. Raises NotFound for anyone but vendor staff, CallerQueryMissing when both
    are empty and PhoneInvalid for a phone without digits."""
    from django.utils import timezone

    if not getattr(user, "is_vendor_staff", False):
        raise NotFound(_("没有找到该记录。"))
    key = phone_key(phone)
    serial = normalize_serial(serial)
    if phone.strip() and not key:
        raise PhoneInvalid(_("电话号码里没有数字：%(phone)s") % {"phone": phone[:50]}, field="phone")
    if not key and not serial:
        raise CallerQueryMissing(_("请输入来电号码或序列号。"))
    today = today or timezone.localdate()

    dealers: dict[tuple[int, str], DealerMatch] = {}
    caller_dealer_ids: list[int] = []
    customers: list[Customer] = []
    if key:
        for dealer in scoped(user, Dealer).filter(Q(phone_key=key) | Q(mobile_key=key)).order_by("code")[
                :DEALER_LIMIT]:
            dealers[(dealer.pk, "")] = DealerMatch(dealer.code, dealer.name, dealer.contact_name,
                                                   dealer.phone if dealer.phone_key == key else dealer.mobile,
                                                   "phone")
            caller_dealer_ids.append(dealer.pk)
        for contact in scoped(user, DealerContact).filter(phone_key=key).select_related("dealer").order_by(
                "dealer__code", "name")[:DEALER_LIMIT]:
            dealers[(contact.dealer_id, contact.name)] = DealerMatch(
                contact.dealer.code, contact.dealer.name, contact.name, contact.phone, "contact")
            if contact.dealer_id not in caller_dealer_ids:
                caller_dealer_ids.append(contact.dealer_id)
        customers = list(scoped(user, Customer).filter(phone_key=key).select_related("dealer")
                         .order_by("name", "pk")[:CUSTOMER_LIMIT])

    serial_unit: Unit | None = None
    if serial:
        serial_unit = (scoped(user, Unit).select_related("product_model", "dealer", "customer__dealer")
                       .filter(serial=serial).first())
        if serial_unit is not None:
            if serial_unit.dealer_id and not any(k[0] == serial_unit.dealer_id for k in dealers):
                dealer = serial_unit.dealer
                dealers[(dealer.pk, "")] = DealerMatch(dealer.code, dealer.name, dealer.contact_name,
                                                       _dealer_phone(dealer), "unit")
            if serial_unit.customer_id and all(c.pk != serial_unit.customer_id for c in customers):
                customers.append(serial_unit.customer)  # type: ignore[arg-type]

    units: list[Unit] = []
    if customers:
        units = list(scoped(user, Unit).select_related("product_model", "dealer")
                     .filter(customer_id__in=[c.pk for c in customers]).order_by("serial")[:UNIT_LIMIT])
    if serial_unit is not None and all(u.pk != serial_unit.pk for u in units):
        units.insert(0, serial_unit)
    coverage = coverage_today_map(units, today)
    unit_matches = [_unit_match(u, coverage[u.pk]) for u in units]

    customer_matches = tuple(
        CustomerMatch(
            c.pk, c.name, c.contact_name, c.phone,
            c.dealer.code if c.dealer_id else None, c.dealer.name if c.dealer_id else None,
            _dealer_phone(c.dealer) if c.dealer_id else None,
            tuple(m for m in unit_matches if m.customer_id == c.pk),
        )
        for c in customers
    )
    keys = CallerKeys(tuple(caller_dealer_ids), tuple(c.pk for c in customers), tuple(u.pk for u in units))
    provided = {name: tuple(fn(user, keys)[:PROVIDER_LIMIT]) for name, fn in sorted(_PROVIDERS.items())}
    return CallerMatch(key, serial, tuple(dealers.values()), customer_matches, tuple(unit_matches),
                       MappingProxyType(provided))
