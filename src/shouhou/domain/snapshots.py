"""Hardware configuration snapshots from the cloud-management platform (云管理平台), and what changed.

A snapshot is a JSON object as the platform sends it (CPU, memory, disks, NICs, BIOS, …); its shape
is the platform's, not ours, so the only checks are that it is an object and not absurdly big or
deep. ``config_diff(old, new)`` compares two snapshots structurally: objects key by key, lists
position by position (``disks[1].model``), anything else by value. A key or list item only in NEW
is *added*, only in OLD *removed*, in both with another value *changed*; a value that changes type
(an object becoming a string) is one change at its own path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shouhou.domain.errors import Invalid

MAX_DEPTH = 12
MAX_NODES = 5000


class SnapshotInvalid(Invalid):
    code = "snapshot_invalid"


Path = tuple[str | int, ...]


def path_text(path: Path) -> str:
    """("disks", 1, "model") -> "disks[1].model"; the empty path (the whole object) -> "$"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


@dataclass(frozen=True, slots=True)
class Change:
    path: Path
    old: Any = None
    new: Any = None

    @property
    def where(self) -> str:
        return path_text(self.path)


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    added: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()
    changed: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "added": [{"path": c.where, "value": c.new} for c in self.added],
            "removed": [{"path": c.where, "value": c.old} for c in self.removed],
            "changed": [{"path": c.where, "old": c.old, "new": c.new} for c in self.changed],
        }


def check_config(value: Any) -> dict[str, Any]:
    """VALUE if it is a JSON object within MAX_DEPTH levels and MAX_NODES values; raises SnapshotInvalid."""
    if not isinstance(value, Mapping):
        raise SnapshotInvalid("config must be a JSON object", field="config", reason="not_object")
    nodes = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise SnapshotInvalid(f"config has more than {MAX_NODES} values", field="config", reason="too_many",
                                  limit=MAX_NODES)
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise SnapshotInvalid(f"config is nested deeper than {MAX_DEPTH} levels", field="config",
                                  reason="too_deep", limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in children)
    return dict(value)


def config_diff(old: Any, new: Any) -> ConfigDiff:
    """What changed from OLD to NEW (two snapshots' configurations)."""
    added: list[Change] = []
    removed: list[Change] = []
    changed: list[Change] = []

    def walk(a: Any, b: Any, path: Path) -> None:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for key in a:
                if key not in b:
                    removed.append(Change((*path, key), old=a[key]))
                else:
                    walk(a[key], b[key], (*path, key))
            added.extend(Change((*path, key), new=b[key]) for key in b if key not in a)
        elif isinstance(a, list) and isinstance(b, list):
            for i in range(min(len(a), len(b))):
                walk(a[i], b[i], (*path, i))
            removed.extend(Change((*path, i), old=a[i]) for i in range(len(b), len(a)))
            added.extend(Change((*path, i), new=b[i]) for i in range(len(a), len(b)))
        elif type(a) is not type(b) or a != b:
            changed.append(Change(path, old=a, new=b))

    walk(old, new, ())
    return ConfigDiff(tuple(added), tuple(removed), tuple(changed))


def apply_diff(old: Any, diff: ConfigDiff) -> Any:
    """OLD with DIFF applied: config_diff(a, b) applied to a gives b (the property tests check it)."""
    import copy

    result = copy.deepcopy(old)

    def parent(root: Any, path: Path) -> Any:
        for part in path[:-1]:
            root = root[part]
        return root

    for change in diff.changed:
        if not change.path:
            result = copy.deepcopy(change.new)
        else:
            parent(result, change.path)[change.path[-1]] = copy.deepcopy(change.new)
    # Removed list items from the end first, so earlier positions stay valid.
    for change in sorted(diff.removed, key=lambda c: c.path[-1] if isinstance(c.path[-1], int) else -1,
                         reverse=True):
        del parent(result, change.path)[change.path[-1]]
    for change in diff.added:
        container = parent(result, change.path)
        if isinstance(container, list):
            container.append(copy.deepcopy(change.new))
        else:
            container[change.path[-1]] = copy.deepcopy(change.new)
    return result
