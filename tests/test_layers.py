"""The layer rules of DESIGN.md, checked on the source: peewee only in storage/, Qt only in
gui/, core/ importing nothing above it. (The core/ and storage/ suites also run with Qt made
unimportable: see the Makefile.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


def test_peewee_is_imported_only_in_storage() -> None:
    offenders = [
        p.relative_to(ROOT)
        for p in [*sources("core", "gui", "cli", "resources"), ROOT / "main.py"]
        if imported_modules(p) & {"peewee", "playhouse"}
    ]
    assert offenders == []


def test_qt_stays_out_of_core_storage_and_cli() -> None:
    offenders = [
        p.relative_to(ROOT)
        for p in sources("core", "storage", "cli")
        if imported_modules(p) & {"PySide6", "shiboken6"}
    ]
    assert offenders == []


def test_core_imports_no_layer_above_it() -> None:
    offenders = [
        p.relative_to(ROOT)
        for p in sources("core")
        if imported_modules(p) & {"storage", "gui", "cli", "resources"}
    ]
    assert offenders == []
