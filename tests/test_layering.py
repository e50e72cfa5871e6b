"""Imports point down only (ARCHITECTURE.md section 1); a violation names the file and import."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {"app", "cli", "settings", "graph", "services", "db", "domain", "subscriptions"}
# Which of our packages each layer may import.
ALLOWED = {
    "domain": {"domain"},
    "db": {"db", "domain"},
    "subscriptions": {"subscriptions", "domain"},
    "services": {"services", "db", "domain", "subscriptions"},
    "graph": {"graph", "services", "db", "domain", "subscriptions", "settings"},
    "settings": set(),
}
# Which layers may import these libraries.
LIBRARY_OWNERS = {
    "strawberry": {"graph", "app"},
    "starlette": {"app", "graph", "settings"},
    "tortoise": {"db", "services"},
    "redis": {"subscriptions"},
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _sources() -> list[Path]:
    files = [ROOT / f"{name}.py" for name in ("app", "cli", "settings")]
    for package in ("graph", "services", "db", "domain", "subscriptions"):
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return files


def test_imports_point_down_only() -> None:
    violations = []
    for path in _sources():
        layer = _layer(path)
        for name in _imports(path):
            top = name.split(".")[0]
            if top in PROJECT and layer in ALLOWED and top not in ALLOWED[layer]:
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
            owners = LIBRARY_OWNERS.get(top)
            if owners is not None and layer not in owners:
                violations.append(f"{path.relative_to(ROOT)} imports {name}")
    assert violations == []


def test_domain_is_standard_library_only() -> None:
    import sys

    allowed = set(sys.stdlib_module_names) | {"domain", "__future__"}
    found = {
        f"{path.name}: {name}"
        for path in (ROOT / "domain").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] not in allowed
    }
    assert found == set()
