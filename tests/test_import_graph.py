"""The import graph of the runtime packages: no cycles, and no package imports upward.

Every `import` counts, at module level or inside a function (a lazy import hides a cycle, it does
not remove it); only imports under `if TYPE_CHECKING:` are left out. An import names the module it
loads (`from a.b import c` is `a.b.c` when that is a module, else `a.b`); the implicit import of a
package's `__init__` before its submodules is not an edge (a package that re-exports its own
modules is not a cycle). The layering is written out in docs/development.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIME = ("transcription", "nlp", "coaching", "models", "service")
# What each runtime package may import from the others (the plain libraries never reach the
# tables or the service).
ALLOWED = {
    "transcription": set(),
    "nlp": {"transcription"},
    "coaching": {"transcription", "nlp"},
    "models": set(),
    "service": {"transcription", "nlp", "coaching", "models"},
}

# The rooms of the service floor and the rooms each may import (its own always). The HTTP surfaces
# (`api`, `web`) and the CLI (`commands`) sit on top; the service logic (`domain`) never reaches up
# into them. `alembic` migrations may read `core` only.
SERVICE_ALLOWED = {
    "core": set(),
    "storage": {"core"},
    "webhooks": {"core"},
    "domain": {"core", "storage", "webhooks"},
    "analysis": {"core", "domain"},
    "live": {"core", "domain", "analysis"},
    "jobs": {"core", "domain", "storage", "webhooks", "analysis"},
    "web": {"core", "domain", "storage", "live"},
    "api": {"core", "domain", "storage", "webhooks", "analysis", "live", "jobs", "web"},
    "commands": {"core", "domain", "storage", "webhooks", "analysis", "live", "jobs", "api"},
    "alembic": {"core"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for top in RUNTIME for p in (REPO / top).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _import_nodes(ast.Module(body=[child], type_ignores=[])))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _import_nodes(node)


def _targets(name: str, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement in module `name` names."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = name.split(".")
            drop = node.level - 1 if modules[name].name == "__init__.py" else node.level
            package = package[: len(package) - drop]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" for alias in node.names]
    for full in names:
        parts = full.split(".")
        for i in range(len(parts), 0, -1):
            candidate = ".".join(parts[:i])
            if candidate in modules:
                found.add(candidate)
                break
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        edges: set[str] = set()
        for node in _import_nodes(tree):
            edges |= _targets(name, node, modules)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_packages_import_only_downward() -> None:
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] != name.split(".")[0]
        and target.split(".")[0] not in ALLOWED[name.split(".")[0]]
    )
    assert wrong == []


def test_service_rooms_import_only_downward() -> None:
    graph = import_graph()
    rooms = {name.split(".")[1] for name in graph if name.startswith("service.") and name.count(".") >= 1}
    assert rooms - {"cli"} <= set(SERVICE_ALLOWED), "a new room under service/ needs a row in SERVICE_ALLOWED"
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.startswith("service.") and name.count(".") >= 2
        for target in targets
        if target.startswith("service.") and target.count(".") >= 1
        and (room := target.split(".")[1]) != (own := name.split(".")[1])
        and room not in SERVICE_ALLOWED[own]
    )
    assert wrong == []


def test_the_service_root_holds_only_entry_points_and_rooms() -> None:
    loose = sorted(p.name for p in (REPO / "service").glob("*.py"))
    assert loose == ["__init__.py", "cli.py"]
