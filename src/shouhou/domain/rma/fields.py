"""Validation of each event's fields (DESIGN §6), returning them normalised for the timeline.

Raises `Invalid` naming the field, so the API can answer 422 with something a dealer can fix.
Checks that need the line (a quote's options, the choice among them) live in the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from shouhou.domain.errors import Invalid
from shouhou.domain.rma.model import Damage, Event, Path

__all__ = ["EVENT_FIELDS", "validate_fields"]

CENT: Final = Decimal("0.01")
# What a DecimalField(max_digits=12, decimal_places=2) holds: larger is a typo, not a price.
MAX_AMOUNT: Final = Decimal("9999999999.99")
MAX_TEXT: Final = 2000
# Items of one quote: the web form offers a handful; a real quote never needs more than this.
MAX_QUOTE_ITEMS: Final = 50


def text(fields: Mapping[str, object], name: str, *, required: bool = True) -> str:
    """A stripped string; required ones may not be blank."""
    value = fields.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text", reason="not_text", field=name)
    value = value.strip()
    if required and not value:
        raise Invalid(f"{name} is required", reason="required", field=name)
    if len(value) > MAX_TEXT:
        raise Invalid(f"{name} is longer than {MAX_TEXT} characters", reason="too_long", field=name, max=MAX_TEXT)
    return value


def flag(fields: Mapping[str, object], name: str, *, default: bool | None = None) -> bool:
    """A real boolean: "false" or 0 are refused rather than guessed."""
    value = fields.get(name, default)
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false", reason="not_bool", field=name)
    return value


def amount(value: object, name: str) -> Decimal:
    """A money amount in CNY: zero or more, at most two decimal places."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise Invalid(f"{name} must be an amount", reason="not_amount", field=name)
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(f"{name} must be an amount", reason="not_amount", field=name) from None
    if not result.is_finite() or result < 0:
        raise Invalid(f"{name} must be zero or more", reason="negative", field=name)
    if result > MAX_AMOUNT:
        raise Invalid(f"{name} is more than {MAX_AMOUNT}", reason="too_large", field=name, max=str(MAX_AMOUNT))
    if result != result.quantize(CENT):
        raise Invalid(f"{name} has more than two decimal places", reason="decimal_places", field=name)
    return abs(result.quantize(CENT))  # abs: "-0" is zero


def text_list(fields: Mapping[str, object], name: str) -> tuple[str, ...]:
    """A list of non-blank strings (one string counts as a list of one)."""
    value = fields.get(name, ())
    if value is None:
        value = ()
    if isinstance(value, str):
        value = (value,) if value.strip() else ()
    if not isinstance(value, list | tuple):
        raise Invalid(f"{name} must be a list of texts", reason="not_text_list", field=name)
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise Invalid(f"{name} must be a list of non-empty texts", reason="not_text_list", field=name)
        items.append(item.strip())
    return tuple(items)


def _empty(fields: Mapping[str, object]) -> dict[str, object]:
    return {}


def _reason(fields: Mapping[str, object]) -> dict[str, object]:
    return {"reason": text(fields, "reason")}


def _message(fields: Mapping[str, object]) -> dict[str, object]:
    return {"message": text(fields, "message")}


def _shipment(fields: Mapping[str, object]) -> dict[str, object]:
    return {"carrier": text(fields, "carrier"), "tracking": text(fields, "tracking")}


def _ship_replacement(fields: Mapping[str, object]) -> dict[str, object]:
    # A replacement is of the original's model; staff may ship another one only saying why.
    return {**_shipment(fields), "replacement_serial": text(fields, "replacement_serial"),
            "other_model_reason": text(fields, "other_model_reason", required=False)}


def _receive(fields: Mapping[str, object]) -> dict[str, object]:
    return {"condition": text(fields, "condition", required=False)}


def _inspect(fields: Mapping[str, object]) -> dict[str, object]:
    raw = fields.get("damage", ())
    if raw is None:
        raw = ()
    if isinstance(raw, str) or not isinstance(raw, list | tuple | set | frozenset):
        raise Invalid("damage must be a list of categories", reason="bad_damage", field="damage")
    try:
        categories = {Damage(item) for item in raw}
    except ValueError:
        names = ", ".join(Damage)
        raise Invalid(f"damage categories are: {names}", reason="bad_damage", field="damage") from None
    # Canonical order, so equal findings compare equal and read the same on the sheet.
    damage = tuple(d for d in Damage if d in categories)
    return {
        "fault_confirmed": flag(fields, "fault_confirmed"),
        "damage": damage,
        "components": text_list(fields, "components"),
    }


def _send_quote(fields: Mapping[str, object]) -> dict[str, object]:
    raw_items = fields.get("items")
    if not isinstance(raw_items, list | tuple) or not raw_items:
        raise Invalid("a quote needs at least one item", reason="quote_needs_items", field="items")
    if len(raw_items) > MAX_QUOTE_ITEMS:
        raise Invalid(f"a quote has at most {MAX_QUOTE_ITEMS} items", reason="too_many", field="items",
                      max=MAX_QUOTE_ITEMS)
    items: list[dict[str, object]] = []
    total = Decimal("0.00")
    for raw in raw_items:
        if not isinstance(raw, Mapping):
            raise Invalid("each quote item needs a text and an amount", reason="quote_item_incomplete",
                          field="items")
        item_amount = amount(raw.get("amount"), "amount")
        item: dict[str, object] = {"text": text(raw, "text"), "amount": item_amount}
        option = raw.get("option")
        if option is not None and option != "":
            try:
                item["option"] = Path(str(option))
            except ValueError:
                raise Invalid("an item's option is paid_replacement, paid_repair or null", reason="bad_options",
                              field="items") from None
            if item["option"] not in (Path.PAID_REPLACEMENT, Path.PAID_REPAIR):
                raise Invalid("an item's option is paid_replacement, paid_repair or null", reason="bad_options",
                              field="items")
        items.append(item)
        total += item_amount
    raw_options = fields.get("options")
    options: tuple[Path, ...] | None = None
    if raw_options is not None:
        if isinstance(raw_options, str) or not isinstance(raw_options, list | tuple) or not raw_options:
            raise Invalid("options must list paid_replacement and/or paid_repair", reason="bad_options",
                          field="options")
        try:
            chosen = {Path(o) for o in raw_options}
        except ValueError:
            raise Invalid("options must list paid_replacement and/or paid_repair", reason="bad_options",
                          field="options") from None
        options = tuple(p for p in (Path.PAID_REPLACEMENT, Path.PAID_REPAIR) if p in chosen)
        if len(options) != len(chosen):
            raise Invalid("options must list paid_replacement and/or paid_repair", reason="bad_options",
                          field="options")
    valid_days = fields.get("valid_days")
    if valid_days is not None and (isinstance(valid_days, bool) or not isinstance(valid_days, int)):
        raise Invalid("valid_days must be a whole number of days", reason="not_integer", field="valid_days")
    return {"items": items, "options": options, "valid_days": valid_days, "total": total}


def _confirm_quote(fields: Mapping[str, object]) -> dict[str, object]:
    choice = fields.get("choice")
    if choice not in (Path.PAID_REPLACEMENT, Path.PAID_REPAIR):
        raise Invalid("choice must be paid_replacement or paid_repair", reason="bad_choice", field="choice")
    return {"choice": Path(str(choice))}


def _decline_quote(fields: Mapping[str, object]) -> dict[str, object]:
    return {"scrap": flag(fields, "scrap", default=False)}


def _complete_repair(fields: Mapping[str, object]) -> dict[str, object]:
    return {"parts": text_list(fields, "parts"), "result": text(fields, "result")}


def _charge(fields: Mapping[str, object]) -> dict[str, object]:
    value = amount(fields.get("amount"), "amount")
    if value == 0:
        raise Invalid("a charge must be more than zero", reason="not_positive", field="amount")
    return {"amount": value, "reason": text(fields, "reason")}


Validator = Callable[[Mapping[str, object]], dict[str, object]]

VALIDATORS: Final[dict[Event, Validator]] = {
    Event.APPROVE: _empty,
    Event.APPROVE_ADVANCE: _reason,
    Event.REQUEST_INFO: _message,
    Event.RESUBMIT: _empty,
    Event.REJECT: _reason,
    Event.SHIP_TO_CENTRE: _shipment,
    Event.RECEIVE: _receive,
    Event.INSPECT: _inspect,
    Event.SEND_QUOTE: _send_quote,
    Event.CONFIRM_QUOTE: _confirm_quote,
    Event.DECLINE_QUOTE: _decline_quote,
    Event.SHIP_REPLACEMENT: _ship_replacement,
    Event.SHIP_REPAIRED: _shipment,
    Event.SHIP_BACK: _shipment,
    Event.CONFIRM_DELIVERY: _empty,
    Event.COMPLETE_REPAIR: _complete_repair,
    Event.CHARGE: _charge,
    Event.CLOSE: _empty,
    Event.CANCEL: _reason,
}

# The fields each event accepts; anything else is refused so that a typo is not ignored.
EVENT_FIELDS: Final[dict[Event, frozenset[str]]] = {
    Event.APPROVE: frozenset(),
    Event.APPROVE_ADVANCE: frozenset({"reason"}),
    Event.REQUEST_INFO: frozenset({"message"}),
    Event.RESUBMIT: frozenset(),
    Event.REJECT: frozenset({"reason"}),
    Event.SHIP_TO_CENTRE: frozenset({"carrier", "tracking"}),
    Event.RECEIVE: frozenset({"condition"}),
    Event.INSPECT: frozenset({"fault_confirmed", "damage", "components"}),
    Event.SEND_QUOTE: frozenset({"items", "options", "valid_days"}),
    Event.CONFIRM_QUOTE: frozenset({"choice"}),
    Event.DECLINE_QUOTE: frozenset({"scrap"}),
    Event.SHIP_REPLACEMENT: frozenset({"carrier", "tracking", "replacement_serial", "other_model_reason"}),
    Event.SHIP_REPAIRED: frozenset({"carrier", "tracking"}),
    Event.SHIP_BACK: frozenset({"carrier", "tracking"}),
    Event.CONFIRM_DELIVERY: frozenset(),
    Event.COMPLETE_REPAIR: frozenset({"parts", "result"}),
    Event.CHARGE: frozenset({"amount", "reason"}),
    Event.CLOSE: frozenset(),
    Event.CANCEL: frozenset({"reason"}),
}


def validate_fields(event: Event, fields: Mapping[str, object]) -> dict[str, object]:
    """Return the event's fields validated and normalised; raises Invalid."""
    unknown = sorted(set(fields) - EVENT_FIELDS[event])
    if unknown:
        raise Invalid(f"{event} does not take {', '.join(unknown)}", reason="unknown_field", field=unknown[0])
    return VALIDATORS[event](fields)
