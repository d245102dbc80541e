"""China's provinces and prefecture-level cities with their GB/T 2260 codes.

Used to find a unit's dealer by purchase region (DESIGN §2, "Dealer first"). The data is the
shipped file ``data/regions_cn.csv`` (its header names the source and date; it is rebuilt by
``scripts/build_regions.py``), read once on first use.

Levels: ``province`` covers the 34 provincial-level units, 港澳台 (71/81/82) included;
``city`` covers the prefecture-level units (地级市, 地区, 自治州, 盟). A municipality
(北京, 天津, 上海, 重庆) has one city row, under its 市辖区 code (110100 etc.) and its own
name, standing for the whole municipality, so every city's parent is a province and no code
is both. Taiwan, Hong Kong and Macau have no city rows. County-level cities governed directly
by a province (e.g. 仙桃市, 济源市) are not prefecture-level and are not listed.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Final

from shouhou.domain.errors import NotFound

__all__ = ["Region", "RegionLevel", "cities", "find_region", "provinces", "region"]

DATA_FILE: Final = "regions_cn.csv"


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"


@dataclass(frozen=True, slots=True)
class Region:
    """One province or prefecture-level city: ``Region("450100", "南宁市", "南宁", CITY, "450000")``."""

    code: str
    name: str
    short_name: str
    level: RegionLevel
    province_code: str

    @property
    def province(self) -> Region:
        """The province this region is in (itself for a province)."""
        return region(self.province_code)


@dataclass(frozen=True, slots=True)
class _Index:
    by_code: MappingProxyType[str, Region]
    provinces: tuple[Region, ...]
    cities: MappingProxyType[str, tuple[Region, ...]]


@functools.cache
def _index() -> _Index:
    text = (resources.files("shouhou.domain") / "data" / DATA_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    by_code: dict[str, Region] = {}
    cities_of: dict[str, list[Region]] = {}
    for row in csv.DictReader(lines):
        level = RegionLevel(row["level"])
        item = Region(
            code=row["code"],
            name=row["name"],
            short_name=row["short_name"],
            level=level,
            province_code=row["parent_code"] or row["code"],
        )
        by_code[item.code] = item
        if level is RegionLevel.PROVINCE:
            cities_of.setdefault(item.code, [])
        else:
            cities_of[item.province_code].append(item)
    return _Index(
        by_code=MappingProxyType(by_code),
        provinces=tuple(r for r in by_code.values() if r.level is RegionLevel.PROVINCE),
        cities=MappingProxyType({code: tuple(items) for code, items in cities_of.items()}),
    )


def provinces() -> tuple[Region, ...]:
    """Return the 34 provincial-level units in code order."""
    return _index().provinces


def cities(province_code: str) -> tuple[Region, ...]:
    """Return a province's prefecture-level cities in code order; raises NotFound for no province."""
    try:
        return _index().cities[province_code]
    except KeyError:
        raise NotFound("no such province", code=province_code) from None


def code_prefix(code: str) -> str:
    """The prefix of the codes within CODE: a province (450000) holds every code starting 45, a
    city (450100) every one starting 4501, a district itself."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region(code: str) -> Region:
    """Return the province or city with this 6-digit code; raises NotFound if there is none."""
    try:
        return _index().by_code[code]
    except KeyError:
        raise NotFound("no such region", code=code) from None


def find_region(name: str, *, province_code: str | None = None) -> Region | None:
    """Return the region called `name` (full or short: "广西壮族自治区"/"广西", "南宁市"/"南宁").

    A full name wins over a short one and a province over a city, so "吉林" is 吉林省 and
    "北京" the province 110000. Pass `province_code` to look only at that province and its
    cities ("吉林" in 220000 is still the province; "吉林市" is the city). Returns None when
    nothing matches: names come from people, so a miss is expected, not an error.
    """
    wanted = "".join(name.split())
    if not wanted:
        return None
    candidates: Collection[Region] = _index().by_code.values()
    if province_code is not None:
        candidates = [r for r in candidates if r.province_code == province_code]
    for attribute in ("name", "short_name"):
        for level in RegionLevel:
            for item in candidates:
                if item.level is level and getattr(item, attribute) == wanted:
                    return item
    return None
