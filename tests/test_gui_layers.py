"""Layer rules for the two top layers, checked on the source with ``ast``: gui/ and cli/ use
only the names the ``storage`` package exports, cli/ never imports gui/ (the self-test's
window comes in through main.py), and no two gui/ modules import each other, directly or
round a longer circle. Imports inside functions and under ``TYPE_CHECKING`` count too: a
circle hidden in a function is still a circle a reader has to untangle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def all_imports(path: Path, *, with_names: bool = False) -> set[str]:
    """Every module name ``path`` imports (absolute imports; the repo uses no others); with
    ``with_names``, also ``module.name`` for each ``from module import name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if with_names:  # ``from gui import workspace`` imports the module gui.workspace
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-import),
    found by Tarjan's algorithm; each is one circle to break."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def gui_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in sources("gui")}
    return {
        name: all_imports(path, with_names=True) & set(modules) for name, path in modules.items()
    }


def test_gui_and_cli_use_only_the_names_the_storage_package_exports() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in [*sources("gui"), *sources("cli"), ROOT / "main.py"]
        for name in sorted(all_imports(p))
        if name.startswith("storage.")
    ]
    assert offenders == []


def test_cli_never_imports_gui() -> None:
    offenders = [
        f"{p.relative_to(ROOT)}: {name}"
        for p in sources("cli")
        for name in sorted(all_imports(p))
        if name == "gui" or name.startswith("gui.")
    ]
    assert offenders == []


def test_no_import_circle_inside_gui() -> None:
    assert import_cycles(gui_graph()) == []


def test_the_circle_finder_finds_a_circle_of_three_and_a_self_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert sorted(import_cycles(graph)) == [["a", "b", "c"], ["d"]]


def test_gui_never_reaches_into_the_projects_database() -> None:
    """A background job ends with ``project.end_thread()``; gui/ never touches ``project.db``
    (peewee's connection), which is storage's business."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in sources("gui")
        if ".db.close" in p.read_text("utf-8") or "project.db" in p.read_text("utf-8")
    ]
    assert offenders == []
