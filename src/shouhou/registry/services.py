"""Writes for the registry: product models, dealers (with the regions they serve), units, customers.

Each service runs in one transaction, validates the whole object (field validators, uniqueness and
the database constraints) before writing, and appends one audit event per change. Bad input raises
Invalid with Chinese messages and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouhou.core.models import User
from shouhou.core.services import audit_record
from shouhou.domain.errors import Invalid, NotFound, ShouhouError
from shouhou.domain.regions import region as region_lookup
from shouhou.domain.snapshots import check_config, config_diff
from shouhou.registry.models import (
    Customer,
    Dealer,
    DealerContact,
    DealerRegion,
    PhoneKeyField,
    ProductModel,
    Unit,
    UnitSnapshot,
    UnitStatus,
    normalize_serial,
)

PRODUCT_MODEL_FIELDS = frozenset({
    "code", "name", "category", "replacement_days", "warranty_months", "discontinued_on",
    "replacement_terms", "free_repair_scope", "active",
})
DEALER_FIELDS = frozenset({
    "code", "name", "contact_name", "phone", "mobile", "email", "cc_emails", "address", "region_code", "active",
})
UNIT_FIELDS = frozenset({
    "serial", "product_model", "manufactured_on", "shipped_on", "sold_on", "dealer", "customer",
    "region_code", "replacement_days", "warranty_months", "status",
})
CUSTOMER_FIELDS = frozenset({"name", "contact_name", "phone", "region_code", "dealer"})
DEALER_CONTACT_FIELDS = frozenset({"name", "role", "phone", "email", "qq"})


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "code", None) or getattr(value, "serial", None) or value.pk
    return value


def _validate(obj: models.Model) -> None:
    """Run the model's own validation (validators, unique fields, constraints) as Invalid."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        fields: dict[str, list[str]] = {}
        messages: list[str] = []
        for field, errors in exc.message_dict.items():
            fields[field] = [str(e) for e in errors]
            if field == "__all__":
                messages.extend(fields[field])
            else:
                label = getattr(obj._meta.get_field(field), "verbose_name", field)  # a relation has none
                messages.extend(f"{label}：{e}" for e in fields[field])
        raise Invalid(" ".join(messages), fields=fields) from exc


def _apply(obj: models.Model, changes: dict[str, Any], allowed: frozenset[str]) -> dict[str, list[Any]]:
    """Set CHANGES on OBJ; return {field: [old, new]} for the fields that really changed."""
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(_("不能修改的字段：%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    diff: dict[str, list[Any]] = {}
    for field, new in changes.items():
        old = getattr(obj, field)
        if old != new:
            diff[field] = [_jsonable(old), _jsonable(new)]
            setattr(obj, field, new)
    return diff


def _update_fields(obj: models.Model, changed: Iterable[str]) -> list[str]:
    """CHANGED plus the phone match keys computed from any of them: a save limited to
    update_fields only runs pre_save for the fields it names."""
    fields = list(changed)
    keys = [f.name for f in obj._meta.concrete_fields if isinstance(f, PhoneKeyField) and f.source in fields]
    return [*fields, *keys]


def _check_region(code: str) -> None:
    if code:
        try:
            region_lookup(code)
        except NotFound:
            raise Invalid(_("地区代码 %(code)s 不存在。") % {"code": code}, field="region_code") from None


# --- product models -------------------------------------------------------------------------
@transaction.atomic
def product_model_create(*, actor: User | None, code: str, name: str, replacement_days: int,
                         warranty_months: int, **fields: Any) -> ProductModel:
    """Create a product model with its coverage terms. Raises Invalid for bad or duplicate input."""
    obj = ProductModel(code=code.strip(), name=name.strip(), replacement_days=replacement_days,
                       warranty_months=warranty_months)
    _apply(obj, fields, PRODUCT_MODEL_FIELDS)
    _validate(obj)
    obj.save()
    audit_record(obj, "product_model.created", actor=actor,
                 data={"code": obj.code, "replacement_days": replacement_days,
                       "warranty_months": warranty_months})
    return obj


@transaction.atomic
def product_model_update(*, actor: User | None, product_model: ProductModel, **changes: Any) -> ProductModel:
    """Change fields of a product model (terms apply to every unit without its own). Raises Invalid."""
    diff = _apply(product_model, changes, PRODUCT_MODEL_FIELDS)
    if not diff:
        return product_model
    _validate(product_model)
    product_model.save(update_fields=[*diff, "updated_at"])
    audit_record(product_model, "product_model.updated", actor=actor, data={"changes": diff})
    return product_model


# --- dealers --------------------------------------------------------------------------------
def _region_list(codes: Iterable[str]) -> list[str]:
    result: list[str] = []
    for raw in codes:
        code = raw.strip()
        if not code:
            continue
        _check_region(code)
        if code not in result:
            result.append(code)
    return result


@transaction.atomic
def dealer_create(*, actor: User | None, code: str, name: str, region_codes: Iterable[str] = (),
                  **fields: Any) -> Dealer:
    """Create a dealer and the regions it serves. Raises Invalid (e.g. an unknown region code)."""
    regions = _region_list(region_codes)
    dealer = Dealer(code=code.strip(), name=name.strip())
    _apply(dealer, fields, DEALER_FIELDS)
    _validate(dealer)
    dealer.save()
    DealerRegion.objects.bulk_create([DealerRegion(dealer=dealer, region_code=c) for c in regions])
    audit_record(dealer, "dealer.created", actor=actor, data={"code": dealer.code, "regions": regions})
    return dealer


@transaction.atomic
def dealer_update(*, actor: User | None, dealer: Dealer, region_codes: Iterable[str] | None = None,
                  **changes: Any) -> Dealer:
    """Change a dealer's fields and, when REGION_CODES is given, replace the regions it serves."""
    diff = _apply(dealer, changes, DEALER_FIELDS)
    if diff:
        _validate(dealer)
        dealer.save(update_fields=_update_fields(dealer, diff))
    if region_codes is not None:
        wanted = _region_list(region_codes)
        current = list(dealer.regions.order_by("region_code").values_list("region_code", flat=True))
        if sorted(wanted) != current:
            dealer.regions.exclude(region_code__in=wanted).delete()
            DealerRegion.objects.bulk_create(
                [DealerRegion(dealer=dealer, region_code=c) for c in wanted if c not in current]
            )
            diff["regions"] = [current, sorted(wanted)]
    if diff:
        audit_record(dealer, "dealer.updated", actor=actor, data={"changes": diff})
    return dealer


# --- dealer contacts ------------------------------------------------------------------------
@transaction.atomic
def dealer_contact_create(*, actor: User | None, dealer: Dealer, name: str, **fields: Any) -> DealerContact:
    """Add a contact person to DEALER. Raises Invalid for bad input (e.g. an empty name, a bad QQ)."""
    contact = DealerContact(dealer=dealer, name=name.strip())
    _apply(contact, fields, DEALER_CONTACT_FIELDS)
    _validate(contact)
    contact.save()
    audit_record(dealer, "dealer.contact_added", actor=actor,
                 data={"contact": contact.pk, "name": contact.name, "phone": contact.phone})
    return contact


@transaction.atomic
def dealer_contact_update(*, actor: User | None, contact: DealerContact, **changes: Any) -> DealerContact:
    """Change a dealer contact's name, role, phone, email or QQ. Raises Invalid."""
    diff = _apply(contact, changes, DEALER_CONTACT_FIELDS)
    if not diff:
        return contact
    _validate(contact)
    contact.save(update_fields=_update_fields(contact, diff))
    audit_record(contact.dealer, "dealer.contact_updated", actor=actor,
                 data={"contact": contact.pk, "changes": diff})
    return contact


@transaction.atomic
def dealer_contact_remove(*, actor: User | None, contact: DealerContact) -> None:
    """Remove a contact person from its dealer."""
    dealer, data = contact.dealer, {"contact": contact.pk, "name": contact.name, "phone": contact.phone}
    contact.delete()
    audit_record(dealer, "dealer.contact_removed", actor=actor, data=data)


# --- customers ------------------------------------------------------------------------------
@transaction.atomic
def customer_create(*, actor: User | None, name: str, **fields: Any) -> Customer:
    """Create an end customer (e.g. an internet cafe). Raises Invalid for bad input."""
    customer = Customer(name=name.strip())
    _apply(customer, fields, CUSTOMER_FIELDS)
    _check_region(customer.region_code)
    _validate(customer)
    customer.save()
    audit_record(customer, "customer.created", actor=actor, data={"name": customer.name})
    return customer


@transaction.atomic
def customer_update(*, actor: User | None, customer: Customer, **changes: Any) -> Customer:
    diff = _apply(customer, changes, CUSTOMER_FIELDS)
    if not diff:
        return customer
    _check_region(customer.region_code)
    _validate(customer)
    customer.save(update_fields=_update_fields(customer, diff))
    audit_record(customer, "customer.updated", actor=actor, data={"changes": diff})
    return customer


# --- units ----------------------------------------------------------------------------------
def _check_unit(unit: Unit) -> None:
    if unit.sold_on and unit.shipped_on and unit.sold_on < unit.shipped_on:
        raise Invalid(_("售出日期不能早于发货日期。"), field="sold_on")
    if unit.sold_on and not unit.shipped_on:
        raise Invalid(_("有售出日期的设备必须先有发货日期。"), field="shipped_on")
    if unit.customer is not None and unit.customer.dealer_id and unit.customer.dealer_id != unit.dealer_id:
        raise Invalid(_("终端客户 %(customer)s 不属于该设备的代理商。") % {"customer": unit.customer.name},
                      field="customer")
    _check_region(unit.region_code)


@transaction.atomic
def unit_create(*, actor: User | None, serial: str, product_model: ProductModel, **fields: Any) -> Unit:
    """Register a unit by serial (normalized: upper case, no spaces). Raises Invalid for a bad or
    duplicate serial, a sale before shipping, or an unknown region."""
    unit = Unit(serial=normalize_serial(serial), product_model=product_model)
    _apply(unit, fields, UNIT_FIELDS)
    _check_unit(unit)
    _validate(unit)
    unit.save()
    audit_record(unit, "unit.created", actor=actor,
                 data={"serial": unit.serial, "model": product_model.code,
                       "dealer": unit.dealer.code if unit.dealer else None})
    return unit


@transaction.atomic
def unit_update(*, actor: User | None, unit: Unit, **changes: Any) -> Unit:
    """Change a unit's dates, dealer, customer, region, terms or status. Raises Invalid."""
    if "serial" in changes:
        changes["serial"] = normalize_serial(changes["serial"])
    diff = _apply(unit, changes, UNIT_FIELDS)
    if not diff:
        return unit
    _check_unit(unit)
    _validate(unit)
    unit.save(update_fields=[*(f for f in diff), "updated_at"])
    audit_record(unit, "unit.updated", actor=actor, data={"changes": diff})
    return unit


# --- snapshots ------------------------------------------------------------------------------
# A configuration is a few kilobytes; anything far larger is not a hardware configuration.
SNAPSHOT_MAX_BYTES = 64 * 1024
# The platform's clock may run a little ahead of ours.
SNAPSHOT_CLOCK_SKEW = timedelta(minutes=5)


class SnapshotTooLarge(ShouhouError):
    status = 413
    code = "snapshot_too_large"


class SnapshotExists(ShouhouError):
    status = 409
    code = "snapshot_exists"


def snapshot_size(config: Any) -> int:
    return len(json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode())


@transaction.atomic
def unit_snapshot_record(*, actor: User | None, unit: Unit, config: Any, taken_at: datetime | None = None,
                         now: datetime | None = None) -> UnitSnapshot:
    """Store UNIT's hardware configuration as reported at TAKEN_AT (default now).

    Raises SnapshotInvalid (not a JSON object, too deep or too many values), SnapshotTooLarge over
    SNAPSHOT_MAX_BYTES, Invalid for a time in the future, SnapshotExists when the unit already has a
    snapshot at that time (a retried push)."""
    now = now or timezone.now()
    config = check_config(config)
    size = snapshot_size(config)
    if size > SNAPSHOT_MAX_BYTES:
        raise SnapshotTooLarge(_("配置快照过大（%(size)s 字节，上限 %(max)s 字节）。")
                               % {"size": size, "max": SNAPSHOT_MAX_BYTES}, limit=SNAPSHOT_MAX_BYTES)
    taken_at = taken_at or now
    if taken_at.tzinfo is None:
        raise Invalid(_("采集时间必须带时区。"), field="taken_at")
    if taken_at > now + SNAPSHOT_CLOCK_SKEW:
        raise Invalid(_("采集时间不能晚于当前时间。"), field="taken_at")
    if UnitSnapshot.objects.filter(unit=unit, taken_at=taken_at).exists():
        raise SnapshotExists(_("该设备在这一时间已有配置快照。"), taken_at=taken_at.isoformat())
    previous = (UnitSnapshot.objects.filter(unit=unit, taken_at__lt=taken_at).order_by("-taken_at")
                .values_list("config", flat=True).first())
    snapshot = UnitSnapshot(unit=unit, taken_at=taken_at, config=config,
                            source=actor if actor is not None and actor.pk else None)
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:  # the same push, twice at once
        raise SnapshotExists(_("该设备在这一时间已有配置快照。"), taken_at=taken_at.isoformat()) from None
    diff = config_diff(previous, config) if previous is not None else None
    audit_record(unit, "unit.snapshot_recorded", actor=actor, data={
        "snapshot": snapshot.pk, "taken_at": taken_at.isoformat(), "bytes": size,
        "counts": None if diff is None else {k: len(v) for k, v in diff.as_dict().items()},
    })
    return snapshot
# --- what happens to units (called by the apps that move them, e.g. service orders) ---------
# Each move is a service of the registry, so that it lands on the unit's own audit trail (its
# page's history) whoever caused it; `reference` names the cause (e.g. "RMA2026-000123 / 1").


def _unit_move(unit: Unit, verb: str, *, actor: User | None, status: str, reference: str,
               data: dict[str, Any] | None = None, fields: tuple[str, ...] = ()) -> Unit:
    before = unit.status
    unit.status = status
    unit.save(update_fields=["status", *fields, "updated_at"])
    audit_record(unit, verb, actor=actor, data={"from": before, "to": status, "reference": reference, **(data or {})})
    return unit


@transaction.atomic
def unit_receive(*, unit: Unit, actor: User | None, reference: str = "") -> Unit:
    """The unit arrived at the service centre (in repair until it leaves)."""
    return _unit_move(unit, "unit.received", actor=actor, status=UnitStatus.IN_REPAIR, reference=reference)


@transaction.atomic
def unit_ship_back(*, unit: Unit, actor: User | None, reference: str = "") -> Unit:
    """The unit left the centre for the field: in service when an end user bought it, else with the dealer."""
    status = UnitStatus.IN_SERVICE if unit.sold_on else UnitStatus.WITH_DEALER
    return _unit_move(unit, "unit.shipped", actor=actor, status=status, reference=reference)


@transaction.atomic
def unit_scrap(*, unit: Unit, actor: User | None, reference: str = "") -> Unit:
    """The unit was scrapped (e.g. the dealer declined a quote and asked for it)."""
    return _unit_move(unit, "unit.scrapped", actor=actor, status=UnitStatus.SCRAPPED, reference=reference)


@transaction.atomic
def unit_move_to_dealer(*, unit: Unit, dealer: Dealer, actor: User | None, reference: str = "") -> Unit:
    """The unit now belongs to DEALER's stock (with the dealer)."""
    before = unit.dealer.code if unit.dealer is not None else None
    unit.dealer = dealer
    return _unit_move(unit, "unit.moved_to_dealer", actor=actor, status=UnitStatus.WITH_DEALER, reference=reference,
                      data={"dealer_from": before, "dealer_to": dealer.code}, fields=("dealer",))


@transaction.atomic
def unit_replace(*, original: Unit, serial: str, dealer: Dealer, actor: User | None, on: date,
                 reference: str = "", other_model_reason: str = "") -> Unit:
    """Ship the in-stock unit SERIAL to DEALER in place of ORIGINAL; returns the replacement.

    The replacement takes over the original's customer, region and warranty start (DESIGN §2:
    it keeps the S of the unit it replaces); it is shipped ON if it never was. It must be of the
    original's model unless OTHER_MODEL_REASON says why not (staff's explicit override).

    Raises Invalid: unknown serial, not in stock, the original already replaced, another model
    without a reason.
    """
    replacement = Unit.objects.select_for_update().select_related("product_model").filter(
        serial=normalize_serial(serial)).first()
    if replacement is None:
        raise Invalid(_("新机序列号 %(serial)s 不存在。") % {"serial": serial}, field="replacement_serial")
    if replacement.pk == original.pk or replacement.status != UnitStatus.IN_STOCK:
        raise Invalid(_("新机 %(serial)s 不在库存中，不能用于换货。") % {"serial": replacement.serial},
                      field="replacement_serial")
    if Unit.objects.filter(replaces=original).exists():
        raise Invalid(_("原机 %(serial)s 已被换过。") % {"serial": original.serial}, field="replacement_serial")
    other_model = replacement.product_model_id != original.product_model_id
    reason = other_model_reason.strip()
    if other_model and not reason:
        raise Invalid(
            _("新机 %(serial)s 的型号（%(model)s）与原机（%(original)s）不同；换用其他型号须填写理由。")
            % {"serial": replacement.serial, "model": replacement.product_model.code,
               "original": original.product_model.code},
            reason="other_model", field="other_model_reason")
    replacement.replaces = original
    replacement.dealer = dealer
    replacement.customer_id = original.customer_id
    replacement.region_code = original.region_code
    if replacement.shipped_on is None:
        replacement.shipped_on = on
    data: dict[str, object] = {"replaces": original.serial, "dealer": dealer.code}
    if other_model:
        data.update(other_model=True, model=replacement.product_model.code, reason=reason)
    _unit_move(replacement, "unit.shipped_as_replacement", actor=actor, status=UnitStatus.WITH_DEALER,
               reference=reference, data=data, fields=("replaces", "dealer", "customer", "region_code", "shipped_on"))
    _unit_move(original, "unit.replaced", actor=actor, status=UnitStatus.REPLACED, reference=reference,
               data={"replaced_by": replacement.serial})
    return replacement
