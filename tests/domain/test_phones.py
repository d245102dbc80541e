"""Phone numbers as match keys: every written form of one line gives one key."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.domain.phones import phone_key, split_extension

MOBILE = "13800138000"
LANDLINE = "07715561234"


@pytest.mark.parametrize("raw", [
    "0771-556 1234", "07715561234", "(0771)5561234", "（0771）5561234", "0771 5561234", "0771-556-1234",
    "+86 771 5561234", "+86 (0)771 5561234", "0086 771 5561234", "+86-771-5561234",
    "０７７１－５５６１２３４", "0771-5561234 转 8001", "0771-5561234转8001", "0771-5561234 分机 8001",
    "0771-5561234 ext. 8001", "0771-5561234 x8001", "0771-5561234#8001", "0771-5561234-8001",
])
def test_landline_forms_give_the_area_code_and_number(raw):
    assert phone_key(raw) == LANDLINE


@pytest.mark.parametrize("raw", [
    "13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000",
    "0086-138-0013-8000", "8613800138000", "86 138 0013 8000", "１３８００１３８０００", "tel:+86-138-0013-8000",
    "13800138000#2",
])
def test_mobile_forms_drop_the_country_code(raw):
    assert phone_key(raw) == MOBILE


@pytest.mark.parametrize(("raw", "key"), [
    ("", ""), ("   ", ""), ("无", ""), ("+86", ""),
    ("5561234", "5561234"),  # a local number without area code stays as written
    ("400-800-1234", "4008001234"),  # a 400 number: all digits, no extension split
    ("+852 2345 6789", "85223456789"),  # another country keeps its code
    ("010-12345678-123", "01012345678"),
    ("86 5561234", "865561234"),  # a bare 86 before a landline might be the number itself
    ("١٣٨٠٠١٣٨٠٠٠", "13800138000"),  # digits of another script count as digits
    ("᭐771-5561234", "07715561234"),
])
def test_edge_cases(raw, key):
    assert phone_key(raw) == key


@pytest.mark.parametrize(("raw", "number", "extension"), [
    ("0771-5561234 转 8001", "0771-5561234", "8001"),
    ("0771-5561234-8001", "0771-5561234", "8001"),
    ("0771-556-1234", "0771-556-1234", ""),
    ("138-0013-8000", "138-0013-8000", ""),
    ("13800138000", "13800138000", ""),
])
def test_split_extension_keeps_groups_that_are_part_of_the_number(raw, number, extension):
    assert split_extension(raw) == (number, extension)


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
# Area codes: Beijing 010, 02x (big cities), 0xxx elsewhere (0771 Nanning).
landlines = st.tuples(st.from_regex(r"010|02[0-9]|0[3-9][0-9]{2}", fullmatch=True),
                      st.from_regex(r"[2-9][0-9]{6,7}", fullmatch=True))
separators = st.sampled_from(["", " ", "-", "  ", "－", " - "])
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _spread(digits: str, data: st.DataObject) -> str:
    """DIGITS with separators between random groups."""
    out = []
    for ch in digits:
        out.append(ch)
        if data.draw(st.booleans()):
            out.append(data.draw(separators))
    return "".join(out).strip(" -－")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mobiles, st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "86", "86 "]), st.booleans(), st.data())
def test_any_written_mobile_has_its_11_digits_as_key(mobile, prefix, wide, data):
    raw = prefix + _spread(mobile, data)
    if wide:
        raw = raw.translate(FULL_WIDTH)
    assert phone_key(raw) == mobile


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(landlines, st.sampled_from(["{a}-{n}", "({a}){n}", "{a} {n}", "+86 {a1} {n}", "0086{a1}{n}",
                                   "+86 (0){a1} {n}"]),
       st.sampled_from(["", " 转 {e}", "转{e}", "-{e}", " ext {e}", "#{e}"]),
       st.from_regex(r"[0-9]{1,5}", fullmatch=True))
def test_any_written_landline_keeps_its_area_code_and_drops_the_extension(landline, form, ext_form, ext):
    area, number = landline
    raw = form.format(a=area, a1=area[1:], n=number) + ext_form.format(e=ext)
    assert phone_key(raw) == area + number
    assert split_extension(raw)[1] == (ext if ext_form else "")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_the_key_is_digits_only_and_stable(raw):
    key = phone_key(raw)
    assert key == "" or (key.isascii() and key.isdigit())
    assert phone_key(key) == key
