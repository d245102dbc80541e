"""The bot challenge of 扫码报修: a token is accepted only for its unit, within its time window,
unaltered, with an empty honeypot, and once."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.cases import challenge
from shouhou.domain.errors import Invalid

# The "used once" record lives in the shared cache, which is a database table unless CACHE_URL is set.
pytestmark = pytest.mark.django_db

NOW = 1_780_000_000.0
HYPO = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)


@HYPO
@given(age=st.floats(min_value=-3600, max_value=3 * challenge.MAX_AGE_SECONDS, allow_nan=False))
def test_a_token_is_accepted_only_between_the_minimum_fill_time_and_its_age_limit(age):
    token = challenge.issue("SNA0001", now=NOW - age)
    accepted = challenge.MIN_FILL_SECONDS <= int(NOW - int(NOW - age)) <= challenge.MAX_AGE_SECONDS
    try:
        challenge.check(token, "SNA0001", now=NOW)
    except Invalid:
        assert not accepted
    else:
        assert accepted


@HYPO
@given(position=st.integers(min_value=0), char=st.sampled_from("AZaz09-_:"))
def test_any_altered_character_is_refused(position, char):
    token = challenge.issue("SNA0001", now=NOW - 60)
    i = position % len(token)
    altered = token[:i] + char + token[i + 1:]
    if altered == token:
        return
    with pytest.raises(Invalid):
        challenge.check(altered, "SNA0001", now=NOW)


@HYPO
@given(serial=st.text(min_size=1, max_size=20).filter(lambda s: s != "SNA0001"),
       honeypot=st.text(max_size=10))
def test_another_units_serial_or_a_filled_honeypot_is_refused(serial, honeypot):
    with pytest.raises(Invalid):
        challenge.check(challenge.issue("SNA0001", now=NOW - 60), serial, now=NOW)
    token = challenge.issue("SNA0001", now=NOW - 60)
    if honeypot.strip():
        with pytest.raises(Invalid):
            challenge.check(token, "SNA0001", honeypot=honeypot, now=NOW)
    else:
        challenge.check(token, "SNA0001", honeypot=honeypot, now=NOW)


def test_a_token_is_used_once():
    token = challenge.issue("SNA0001", now=time.time() - 60)
    challenge.check(token, "SNA0001")
    challenge.consume(token)
    with pytest.raises(Invalid):
        challenge.check(token, "SNA0001")
