"""Structural diff of hardware configuration snapshots."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shouhou.domain.snapshots import (
    MAX_DEPTH,
    SnapshotInvalid,
    apply_diff,
    check_config,
    config_diff,
    path_text,
)

BEFORE = {
    "cpu": {"model": "Xeon E5-2680 v4", "cores": 14},
    "memory_gb": 64,
    "disks": [{"slot": 0, "model": "ST4000"}, {"slot": 1, "model": "ST4000"}],
    "bios": "1.2",
}
AFTER = {
    "cpu": {"model": "Xeon E5-2680 v4", "cores": 14},
    "memory_gb": 128,
    "disks": [{"slot": 0, "model": "ST4000"}, {"slot": 1, "model": "ST8000"}, {"slot": 2, "model": "ST8000"}],
    "nic": "X540",
}


def test_diff_names_added_removed_and_changed_paths():
    diff = config_diff(BEFORE, AFTER)
    assert diff.as_dict() == {
        "added": [{"path": "disks[2]", "value": {"slot": 2, "model": "ST8000"}}, {"path": "nic", "value": "X540"}],
        "removed": [{"path": "bios", "value": "1.2"}],
        "changed": [{"path": "memory_gb", "old": 64, "new": 128}, {"path": "disks[1].model", "old": "ST4000",
                                                                    "new": "ST8000"}],
    }


def test_equal_configs_have_no_diff():
    assert not config_diff(BEFORE, dict(BEFORE))


def test_a_type_change_is_one_change_at_its_path():
    diff = config_diff({"raid": {"level": 5}}, {"raid": "none"})
    assert [(c.where, c.old, c.new) for c in diff.changed] == [("raid", {"level": 5}, "none")]
    assert config_diff({"a": 1}, {"a": True}).changed  # 1 == True in Python, not in JSON


def test_path_text():
    assert path_text(()) == "$"
    assert path_text(("disks", 1, "model")) == "disks[1].model"


@pytest.mark.parametrize("value", [[1, 2], "cpu", 3, None])
def test_a_config_must_be_an_object(value):
    with pytest.raises(SnapshotInvalid) as exc:
        check_config(value)
    assert exc.value.code == "snapshot_invalid"


def test_a_config_may_not_nest_too_deep_or_hold_too_much():
    deep: dict = {}
    node = deep
    for _ in range(MAX_DEPTH + 1):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(SnapshotInvalid):
        check_config(deep)
    with pytest.raises(SnapshotInvalid):
        check_config({"disks": list(range(6000))})
    assert check_config(BEFORE) == BEFORE


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["a", "b", "ST4000"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("abcd"), children, max_size=3),
    max_leaves=12,
)
configs = st.dictionaries(st.sampled_from(["cpu", "disks", "nic", "bios", "memory"]), json_values, max_size=5)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(configs, configs)
def test_applying_the_diff_to_the_old_config_gives_the_new_one(old, new):
    diff = config_diff(old, new)
    assert apply_diff(old, diff) == new
    assert bool(diff) == (json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_a_config_has_no_diff_with_itself(config):
    assert not config_diff(config, config)
