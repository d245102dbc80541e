"""Reads for the registry. Every query for dealer-visible data goes through the scoping layer."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shouhou.core.scoping import get_for, scoped
from shouhou.domain import coverage as cov
from shouhou.domain.errors import Invalid, NotFound
from shouhou.domain.phones import phone_key
from shouhou.domain.regions import RegionLevel
from shouhou.domain.regions import cities as region_cities
from shouhou.domain.regions import region as region_lookup
from shouhou.domain.snapshots import ConfigDiff, config_diff
from shouhou.registry.models import (
    Customer,
    Dealer,
    DealerContact,
    DealerRegion,
    Unit,
    UnitSnapshot,
    UnitStatus,
    normalize_serial,
)

# The search filters of the unit list, the labels PDF, the xlsx export and the API list.
UNIT_FILTERS = ("q", "model", "dealer", "region", "status", "made")


def region_codes(code: str) -> list[str]:
    """CODE and, for a province, its cities: a province filter matches units sold in its cities."""
    try:
        item = region_lookup(code)
    except NotFound:
        return [code]
    if item.level is RegionLevel.PROVINCE:
        return [code, *(city.code for city in region_cities(code))]
    return [code]


def unit_search(user: Any, params: Mapping[str, str]) -> QuerySet[Unit]:
    """Units USER may see matching the search filters in PARAMS, ordered by serial.

    Filters: ``q`` serial prefix (normalized), ``model`` product model code, ``dealer`` dealer
    code, ``region`` region code (a province matches its cities too), ``status`` unit status,
    ``made`` production batch (manufactured_on, YYYY-MM-DD). Unknown values match nothing; empty
    values are ignored.
    """
    qs = scoped(user, Unit).select_related("product_model", "dealer", "customer")
    q = normalize_serial(params.get("q") or "")
    if q:
        qs = qs.filter(serial__startswith=q)
    model = (params.get("model") or "").strip()
    if model:
        qs = qs.filter(product_model__code=model)
    dealer = (params.get("dealer") or "").strip()
    if dealer:
        qs = qs.filter(dealer__code=dealer)
    region = (params.get("region") or "").strip()
    if region:
        qs = qs.filter(region_code__in=region_codes(region))
    status = (params.get("status") or "").strip()
    if status:
        qs = qs.filter(status=status if status in UnitStatus.values else "-")
    made = (params.get("made") or "").strip()
    if made:
        try:
            qs = qs.filter(manufactured_on=date.fromisoformat(made))
        except ValueError:
            qs = qs.none()
    return qs.order_by("serial")


# Fewer digits than this are part of a name or code, not a phone number.
PHONE_SEARCH_MIN_DIGITS = 4


def _phone_q(field: str, text: str) -> Q:
    """Rows whose phone key starts or ends with TEXT's key: a full number in any written form, its
    beginning, or the local number without the area code (5561234 finds 0771-5561234)."""
    key = phone_key(text)
    if len(key) < PHONE_SEARCH_MIN_DIGITS:
        return Q(pk__in=[])
    return Q(**{f"{field}__startswith": key}) | Q(**{f"{field}__endswith": key})


def dealer_search(user: Any, q: str) -> QuerySet[Dealer]:
    """Dealers USER may see whose code, name, contact name (main or any contact person) or phone
    (any written form, main, mobile or a contact's) matches Q; all of them for an empty Q."""
    qs = scoped(user, Dealer)
    q = q.strip()
    if not q:
        return qs
    contacts = DealerContact.objects.filter(Q(name__icontains=q) | _phone_q("phone_key", q))
    return qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(contact_name__icontains=q)
                     | _phone_q("phone_key", q) | _phone_q("mobile_key", q)
                     | Q(pk__in=contacts.values("dealer_id")))


def customer_search(user: Any, q: str) -> QuerySet[Customer]:
    """Customers USER may see whose name, contact name or phone (any written form) matches Q."""
    qs = scoped(user, Customer)
    q = q.strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(contact_name__icontains=q) | _phone_q("phone_key", q))


def unit_get(user: Any, serial: str) -> Unit:
    """The unit with SERIAL that USER may see; raises NotFound otherwise."""
    qs = scoped(user, Unit).select_related("product_model", "dealer", "customer", "replaces", "replaced_by")
    return get_for(user, qs, serial=normalize_serial(serial))


@dataclass(frozen=True, slots=True)
class SnapshotEntry:
    """A snapshot and what changed since the one before it (None for a unit's first)."""

    snapshot: UnitSnapshot
    previous_taken_at: Any
    changes: ConfigDiff | None


def unit_snapshot_history(unit: Unit, *, limit: int = 20) -> list[SnapshotEntry]:
    """The LIMIT newest snapshots of UNIT (a unit the caller may see), each with its changes: one query
    on the (unit, taken_at) index, one row more than shown, to diff the oldest one shown."""
    rows = list(UnitSnapshot.objects.filter(unit=unit).select_related("source")
                .order_by("-taken_at")[: limit + 1])
    return [
        SnapshotEntry(row, rows[i + 1].taken_at if i + 1 < len(rows) else None,
                      config_diff(rows[i + 1].config, row.config) if i + 1 < len(rows) else None)
        for i, row in enumerate(rows[:limit])
    ]


def snapshot_entry(snapshot: UnitSnapshot) -> SnapshotEntry:
    """SNAPSHOT with what changed since the unit's snapshot before it (one query)."""
    previous = (UnitSnapshot.objects.filter(unit_id=snapshot.unit_id, taken_at__lt=snapshot.taken_at)
                .order_by("-taken_at").only("taken_at", "config").first())
    if previous is None:
        return SnapshotEntry(snapshot, None, None)
    return SnapshotEntry(snapshot, previous.taken_at, config_diff(previous.config, snapshot.config))


def unit_snapshots(user: Any, serial: str, *, limit: int = 20) -> tuple[Unit, list[SnapshotEntry]]:
    """The unit with SERIAL that USER may see and its newest snapshots; raises NotFound otherwise
    (another dealer's unit like a missing one)."""
    unit = get_for(user, scoped(user, Unit), serial=normalize_serial(serial))
    return unit, unit_snapshot_history(unit, limit=limit)


def unit_public_find(serial: str) -> Unit | None:
    """A unit by serial for the public pages (no login), with its model and dealer; None if unknown.

    Exact match only: the public pages never hint at near matches.
    """
    serial = normalize_serial(serial)
    if not serial:
        return None
    return (
        Unit.objects.select_related("product_model", "dealer")
        .filter(serial=serial)
        .first()
    )


def coverage_or_none(unit: Unit, day: date) -> cov.Coverage | None:
    """The unit's coverage on DAY, or None when it has no warranty start yet (never shipped) or
    DAY is before it. For pages that show "no coverage yet" instead of an error."""
    dates = cov.original_dates(unit, replaced_unit=lambda u: u.replaces, dates_of=lambda u: u.dates)
    start = dates.sold_on or dates.shipped_on
    if start is None or day < start:
        return None
    return cov.coverage_on(dates=dates, terms=unit.terms, day=day)


def replacement_chain(unit: Unit) -> tuple[list[Unit], list[Unit]]:
    """The units UNIT replaced (oldest first) and the units that replaced it (in order)."""
    before: list[Unit] = []
    current = unit
    while current.replaces_id is not None and len(before) < 50:
        current = Unit.objects.select_related("product_model").get(pk=current.replaces_id)
        before.insert(0, current)
    after: list[Unit] = []
    current = unit
    while len(after) < 50:
        following = Unit.objects.select_related("product_model").filter(replaces_id=current.pk).first()
        if following is None:
            break
        after.append(following)
        current = following
    return before, after


def dealers_for_region(code: str) -> QuerySet[Dealer]:
    """Active dealers serving CODE: for a city, those serving the city or its province; for a
    province, those serving the province or any of its cities."""
    try:
        item = region_lookup(code)
    except NotFound:
        return Dealer.objects.none()
    codes = region_codes(code) if item.level is RegionLevel.PROVINCE else [code, item.province_code]
    dealer_ids = DealerRegion.objects.filter(region_code__in=codes).values("dealer_id")
    return Dealer.objects.filter(Q(pk__in=dealer_ids), active=True).order_by("code")


def coverage_today_map(units: list[Unit], day: date) -> dict[int, cov.Coverage | None]:
    """Coverage on DAY of each unit on a page, walking replacement chains level by level in batches
    (one query per chain depth, not per unit)."""
    origin: dict[int, int] = {u.pk: u.pk for u in units}  # unit -> current chain position
    dates: dict[int, cov.UnitDates] = {u.pk: u.dates for u in units}
    parent: dict[int, int | None] = {u.pk: u.replaces_id for u in units}
    pending = {pk for pk, prev in parent.items() if prev is not None}
    position = {pk: pk for pk in pending}
    for _depth in range(50):
        if not pending:
            break
        wanted = {parent[position[pk]] for pk in pending} - set(dates)
        for row in Unit.objects.filter(pk__in=wanted).only("pk", "replaces_id", "shipped_on", "sold_on"):
            dates[row.pk] = row.dates
            parent[row.pk] = row.replaces_id
        for pk in list(pending):
            position[pk] = parent[position[pk]]  # type: ignore[assignment]
            if parent.get(position[pk]) is None:
                origin[pk] = position[pk]
                pending.discard(pk)
    result: dict[int, cov.Coverage | None] = {}
    for unit in units:
        start_dates = dates[origin[unit.pk]]
        start = start_dates.sold_on or start_dates.shipped_on
        if start is None or day < start:
            result[unit.pk] = None
        else:
            result[unit.pk] = cov.coverage_on(dates=start_dates, terms=unit.terms, day=day)
    return result


@dataclass(frozen=True, slots=True)
class CoverageLookup:
    """What the public coverage API answers: the unit, its model code, its dealer's contact."""

    serial: str
    model: str
    coverage: cov.Coverage
    dealer: tuple[str, str, str] | None  # code, name, phone


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@functools.cache
def _coverage_sql() -> str:
    from shouhou.registry.models import ProductModel

    return (
        "SELECT u.serial, u.shipped_on, u.sold_on, u.replaces_id, u.replacement_days, u.warranty_months,"  # noqa: S608  (table names from the models)
        " m.code, m.replacement_days, m.warranty_months, m.discontinued_on, d.code, d.name, d.phone"
        f" FROM {Unit._meta.db_table} u JOIN {ProductModel._meta.db_table} m ON m.id = u.product_model_id"
        f" LEFT JOIN {Dealer._meta.db_table} d ON d.id = u.dealer_id WHERE u.serial = %s"
    )


def _coverage_row(connection: Any, serial: str) -> tuple[Any, ...] | None:
    """The coverage row of SERIAL. On PostgreSQL, a server-side prepared statement (planned once per
    connection, not per request), without Django's per-request connection health check (a `SELECT 1`
    round trip with CONN_HEALTH_CHECKS): the lookup is a read, so a connection found dead is closed and
    the lookup retried once on a fresh one instead."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_coverage_sql(), [serial])
            return cursor.fetchone()
    retry = connection.connection is not None and not connection.in_atomic_block
    if retry:
        connection.health_check_done = True
    try:
        return _prepared_fetchone(connection, serial)
    except (InterfaceError, OperationalError):
        if not retry:
            raise
        connection.close()
        return _prepared_fetchone(connection, serial)


def _prepared_fetchone(connection: Any, serial: str) -> tuple[Any, ...] | None:
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None) for every connection; a threshold no other query
        # reaches turns it on for cursors that ask for it, i.e. only this one (Django's bind client-side).
        connection.connection.prepare_threshold = 2**31
    raw = _prepared_cursor_class()(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.execute(_coverage_sql(), [serial])
        return cursor.fetchone()


@functools.cache
def _prepared_cursor_class() -> type:
    """A psycopg 3 server-binding cursor that always prepares: Django's own cursors bind on the
    client and never prepare (OPTIONS prepare_threshold/server_side_binding would change every query
    of the site; only this hot path needs it)."""
    # psycopg 3 only, so django-stubs does not declare it.
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparedCursor


def coverage_lookup(serial: str, day: date) -> CoverageLookup:
    """Coverage of the unit with SERIAL on DAY for the public API, in one indexed query.

    The hot path of the public API (bench/coverage_http.py): a fixed SQL text on the unique serial
    index, so no ORM query compilation per request; a replacement unit walks its chain through
    the ORM (rare). Raises NotFound for an unknown serial and Invalid when the unit was never
    shipped or DAY is before its warranty start.
    """
    # The connection itself, not django.db.connection: every attribute read through that proxy costs
    # a thread-local lookup, and the lookup reads about ten.
    row = _coverage_row(connections[DEFAULT_DB_ALIAS], normalize_serial(serial))
    if row is None:
        raise NotFound(_("没有找到该序列号的设备。"))
    (serial, shipped_on, sold_on, replaces_id, unit_days, unit_months,
     model, model_days, model_months, discontinued_on, dealer_code, dealer_name, dealer_phone) = row
    terms = cov.Terms(model_days, model_months, _as_date(discontinued_on)).with_overrides(
        replacement_days=unit_days, warranty_months=unit_months)
    if replaces_id is None:
        dates = cov.UnitDates(_as_date(shipped_on), _as_date(sold_on))
    else:
        unit = Unit.objects.select_related("replaces").get(serial=serial)
        dates = cov.original_dates(unit, replaced_unit=lambda u: u.replaces, dates_of=lambda u: u.dates)
    start = dates.sold_on or dates.shipped_on
    if start is None:
        raise Invalid(_("该设备尚未发货，没有保修起始日。"), serial=serial)
    if day < start:
        raise Invalid(_("查询日期早于保修起始日 %(start)s。") % {"start": start.isoformat()},
                      warranty_start=start.isoformat(), on=day.isoformat())
    dealer = (dealer_code, dealer_name, dealer_phone) if dealer_code is not None else None
    return CoverageLookup(serial, model, cov.coverage_on(dates=dates, terms=terms, day=day), dealer)
