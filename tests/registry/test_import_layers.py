"""The import package's modules import one way: read → rows → stage → check → write → report, jobs on top.

Parsed with ``ast``, not imported: an import inside a function (the usual way to hold a cycle
together) counts like any other, and so does a cycle through a module outside the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

import shouhou
import shouhou.registry.imports as package

PACKAGE = package.__name__
# Bottom to top: each module may import only those before it.
ORDER = ["read", "rows", "staging", "units_copy", "check", "write", "units", "small", "report", "run", "jobs",
         "__init__"]
SRC = Path(shouhou.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}


def imports_of(path: Path, text: str | None = None) -> list[tuple[str, bool]]:
    """(imported shouhou module, inside a function or class) for every import statement of PATH
    (or of TEXT, read as if it were PATH)."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in child.names:
                    target = f"{base}.{alias.name}"
                    found.append((target if target in MODULES else base, nested))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8") if text is None else text), False)
    return [(m, nested) for m, nested in found if m == "shouhou" or m.startswith("shouhou.")]


def package_modules() -> dict[str, Path]:
    folder = Path(package.__file__).parent
    return {p.stem: p for p in folder.glob("*.py")}


def reaches_package(start: str) -> list[str]:
    """A chain of imports from START (outside the package) back into it, or []."""
    seen = {start}
    stack = [[start]]
    while stack:
        chain = stack.pop()
        path = MODULES.get(chain[-1])
        if path is None:
            continue
        for target, _nested in imports_of(path):
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                return [*chain, target]
            if target not in seen:
                seen.add(target)
                stack.append([*chain, target])
    return []


def test_every_module_of_the_import_package_has_its_place_in_the_order():
    assert sorted(package_modules()) == sorted(ORDER)


def layer_problems(stem: str, imports: list[tuple[str, bool]]) -> list[str]:
    problems = []
    rank = ORDER.index(stem)
    for target, nested in imports:
        if nested:
            problems.append(f"{stem}: imports {target} inside a function")
        if target == PACKAGE:
            if stem != "__init__":
                problems.append(f"{stem}: imports the package itself (its __init__ is on top)")
        elif target.startswith(PACKAGE + "."):
            sibling = target.removeprefix(PACKAGE + ".").split(".")[0]
            if ORDER.index(sibling) >= rank:
                problems.append(f"{stem}: imports {sibling}, which comes after it")
    return problems


def test_each_module_imports_only_the_modules_before_it_and_none_inside_a_function():
    problems = [p for stem, path in package_modules().items() for p in layer_problems(stem, imports_of(path))]
    assert problems == []


def test_nothing_the_package_imports_from_outside_imports_the_package_back():
    problems = []
    for stem, path in package_modules().items():
        for target, _nested in imports_of(path):
            if target.startswith("shouhou.") and not target.startswith(PACKAGE) and (chain := reaches_package(target)):
                problems.append(f"{stem} → {' → '.join(chain)}")
    assert problems == []


def test_the_calendar_api_takes_its_parsers_from_the_shared_module_not_from_the_cli():
    targets = {t for t, _nested in imports_of(MODULES["shouhou.api.calendar"])}
    assert "shouhou.domain.parsing" in targets
    assert not {t for t in targets if t.endswith(".commands") or t == "shouhou.core.cli"}


def test_the_layer_check_sees_an_upward_import_inside_a_function_and_a_relative_one():
    """The checker itself, on altered copies of rows.py: what the old modules did is caught."""
    rows = package_modules()["rows"]
    text = rows.read_text(encoding="utf-8")
    late = text + "\n\ndef _late():\n    from shouhou.registry.imports import jobs\n"
    assert layer_problems("rows", imports_of(rows, late)) == [
        f"rows: imports {PACKAGE}.jobs inside a function", "rows: imports jobs, which comes after it"]
    relative = text + "\nfrom .units import import_units\n"
    assert layer_problems("rows", imports_of(rows, relative)) == ["rows: imports units, which comes after it"]
    assert layer_problems("rows", imports_of(rows, text + "\nimport shouhou.registry.imports\n")) == [
        "rows: imports the package itself (its __init__ is on top)"]
