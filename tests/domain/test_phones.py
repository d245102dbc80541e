import pytest

from shouhou.domain.phones import phone_key


@pytest.mark.parametrize(("raw", "key"), [
    ("0771-556 1234", "07715561234"),
    ("07715561234", "07715561234"),
    ("+86 138 0013 8000", "13800138000"),
    ("0086-13800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("13800138000", "13800138000"),
    ("400-099-7500", "4000997500"),
    ("86-771-5561234", "867715561234"),  # not a mobile: nothing is dropped
    ("", ""),
    ("无", ""),
])
def test_phone_keys(raw: str, key: str) -> None:
    assert phone_key(raw) == key
