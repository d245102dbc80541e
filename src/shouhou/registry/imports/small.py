"""Imports of product models and dealers: hundreds of rows, so plain Python and the ORM.

The file is still read as a stream; the valid rows (small by nature) are kept and written in one
transaction with one audit row, after every row has been checked.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from shouhou.domain import coverage as cov
from shouhou.registry.imports.read import Table
from shouhou.registry.imports.rows import (
    ERROR_CAP,
    ImportResult,
    Progress,
    RowError,
    iter_cells,
    no_data_rows,
    parse_date,
    region_code,
)
from shouhou.registry.imports.write import audit_import
from shouhou.registry.models import Dealer, DealerRegion, ProductModel, code_validator

CODE_RE = re.compile(code_validator.regex)
REGION_SPLIT = re.compile(r"[;；、,，/]+")
LIMITS = {"name": 200, "phone": 50}


def import_small(
    kind: str, table: Table, columns: dict[str, int], result: ImportResult, *, actor: Any,
    progress: Progress | None, job_id: int | None,
) -> None:
    width = len(table.header)
    errors: list[RowError] = []
    rejected: set[int] = set()
    good: dict[str, tuple[int, dict[str, Any]]] = {}  # code -> (row, values)
    seen: dict[str, int] = {}
    extra: set[int] = set()

    def reject(number: int, key: str, column: str, code: str, value: str = "", more: str = "") -> None:
        rejected.add(number)
        if len(errors) < ERROR_CAP:
            errors.append(RowError(number, key, column, code, value, more, kind=kind))

    for number, cells in iter_cells(table, width, extra.add):
        if not any(str(c).strip() for c in cells):
            continue
        result.rows += 1
        row = {col: cells[i] for col, i in columns.items()}
        code = str(row["code"]).strip()
        if not code:
            reject(number, "", "code", "required")
            continue
        if not CODE_RE.match(code):
            reject(number, code[:40], "code", "code_format", code[:100])
            continue
        if number in extra:
            reject(number, code, "code", "extra_cells")
        if code in seen:
            reject(number, code, "code", "duplicate_code", code, str(seen[code]))
            first = seen[code]
            if first in good.get(code, (0,))[:1]:
                reject(first, code, "code", "duplicate_code", code, str(number))
                good.pop(code, None)
            continue
        seen[code] = number
        parse = _model_values if kind == "models" else _dealer_values
        values = parse(row, lambda col, err, value="", more="", n=number, c=code: reject(n, c, col, err, value, more))
        if values is not None and number not in rejected:
            good[code] = (number, values)
        if progress and result.rows % 200 == 0:
            progress("read", table.position(), table.total, table.unit, result.rows)
    if result.rows == 0:
        raise no_data_rows(result.file_name)
    result.rejected = len(rejected)
    result.errors = sorted(errors, key=lambda e: (e.row, e.column))
    model = ProductModel if kind == "models" else Dealer
    existing = set(model.objects.filter(code__in=list(good)).values_list("code", flat=True))
    result.updated = len(existing)
    result.created = len(good) - len(existing)
    if result.dry_run:
        return
    if result.all_or_nothing and result.rejected:
        result.created = result.updated = 0
        return
    if progress:
        progress("write", 0, None, "", result.rows)
    with transaction.atomic():
        for code, (_number, values) in good.items():
            regions = values.pop("regions", None)
            obj, _created = model.objects.update_or_create(code=code, defaults=values)
            if regions is not None and isinstance(obj, Dealer):
                DealerRegion.objects.filter(dealer=obj).exclude(region_code__in=regions).delete()
                DealerRegion.objects.bulk_create(
                    [DealerRegion(dealer=obj, region_code=r) for r in regions], ignore_conflicts=True
                )
        audit_import(result, actor=actor, job_id=job_id)
    result.written = True


def _text(row: dict[str, Any], col: str) -> str:
    value = row.get(col, "")
    return value.isoformat() if hasattr(value, "isoformat") else str(value).strip()


def _name_ok(name: str, reject: Any) -> bool:
    """Models and dealers both need a name that fits the column."""
    if not name:
        reject("name", "required")
        return False
    if len(name) > LIMITS["name"]:
        reject("name", "too_long", "", str(LIMITS["name"]))
        return False
    return True


def _model_values(row: dict[str, Any], reject: Any) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    name = _text(row, "name")
    ok = _name_ok(name, reject)
    values["name"] = name
    for col, most in (("replacement_days", cov.MAX_REPLACEMENT_DAYS), ("warranty_months", cov.MAX_WARRANTY_MONTHS)):
        text = _text(row, col)
        if not text:
            reject(col, "required")
            ok = False
        elif not text.isdigit() or int(text) > most:
            reject(col, "not_integer", text[:100])
            ok = False
        else:
            values[col] = int(text)
    raw = row.get("discontinued_on", "")
    if raw not in ("", None):
        try:
            values["discontinued_on"] = parse_date(raw)
        except ValueError:
            reject("discontinued_on", "date_format", str(raw)[:100])
            ok = False
    return values if ok else None


def _dealer_values(row: dict[str, Any], reject: Any) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    name = _text(row, "name")
    ok = _name_ok(name, reject)
    values["name"] = name
    phone = _text(row, "phone")
    if phone:
        if len(phone) > LIMITS["phone"]:
            reject("phone", "too_long", "", str(LIMITS["phone"]))
            ok = False
        values["phone"] = phone
    email = _text(row, "email")
    if email:
        try:
            validate_email(email)
            values["email"] = email
        except ValidationError:
            reject("email", "email_format", email[:100])
            ok = False
    regions_text = _text(row, "regions")
    if regions_text:
        codes = []
        for part in REGION_SPLIT.split(regions_text):
            part = part.strip()
            if not part:
                continue
            code = region_code(part)
            if code is None:
                reject("regions", "region_unknown", part[:100])
                ok = False
            elif code not in codes:
                codes.append(code)
        values["regions"] = codes
    return values if ok else None
