"""The house stays easy to change: who imports whom, read from the source (no module is imported)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "profilepress"


def _module(path: Path) -> str:
    """A top-level module by its name; a subpackage (profilepress/load/) as one module."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else path.stem


def _imports(path: Path) -> set[str]:
    """The package's modules this file imports (at the top or inside a function), not counting imports
    made for type checkers only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    top = len(path.relative_to(PACKAGE).parts)  # the relative import level that reaches the package
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only or not isinstance(node, ast.ImportFrom) or node.level != top:
            continue
        names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
        found.update(
            name if (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name).is_dir() else "__init__" for name in names
        )
    return found - {_module(path)}


GRAPH: dict[str, set[str]] = {}
for _path in PACKAGE.rglob("*.py"):
    GRAPH.setdefault(_module(_path), set()).update(_imports(_path))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v] & graph.keys():
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_a_cycle_and_the_imports_it_should():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert {"freshness", "inputs", "plan", "workers"} <= GRAPH["build"]


def test_no_import_cycle_in_the_package():
    assert _cycles(GRAPH) == []


def test_only_the_command_line_imports_the_orchestrator():
    assert sorted(m for m, deps in GRAPH.items() if "build" in deps) == ["cli"]


def test_the_orchestrator_reads_top_to_bottom_in_about_150_lines():
    lines = (PACKAGE / "build.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 170, len(lines)


def test_freshness_needs_the_standard_library_only():
    tree = ast.parse((PACKAGE / "freshness.py").read_text(encoding="utf-8"))
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    outside = {alias.name.split(".")[0] for node in top if isinstance(node, ast.Import) for alias in node.names}
    outside |= {node.module.split(".")[0] for node in top if isinstance(node, ast.ImportFrom) and node.level == 0}
    assert outside - set(sys.stdlib_module_names) - {"__future__"} == set()
    own = {alias.name for node in top if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert own <= {"__version__", "manifest", "ENGINE_ROOT"}, own  # at the top: the manifest, where the engine is
    # inside functions: the project's types, (in project_of) the strict YAML reader, the libraries' versions
    allowed = {"__init__", "manifest", "home", "project", "yamlread", "versions"}
    assert set(GRAPH["freshness"]) <= allowed, GRAPH["freshness"]
    assert set(GRAPH["home"]) == set(), GRAPH["home"]  # (the standard library only)


def test_document_kinds_are_named_only_in_the_registry():
    """No `kind == "handbook"`-style chain outside profilepress/kinds.py."""
    kinds = ("handbook", "worksheet", "excerpt", "packet", "slides")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.stem == "kinds":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Compare)
                and any(isinstance(c, ast.Constant) and c.value in kinds for c in node.comparators)
                and "kind" in ast.unparse(node.left)
            ):
                offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def test_every_engine_module_is_part_of_the_engines_fingerprint(tmp_path, monkeypatch):
    """Editing any module of the package, in a subpackage too, makes every output stale."""
    import shutil

    from profilepress import freshness

    engine = tmp_path / "profilepress"
    shutil.copytree(PACKAGE, engine, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(freshness, "ENGINE_DIR", engine)
    seen = {freshness.engine_fingerprint()}
    modules = sorted(engine.rglob("*.py"))
    assert any(p.parent.name == "load" for p in modules)
    for module in modules:
        module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        seen.add(freshness.engine_fingerprint())
    assert len(seen) == len(modules) + 1


def test_a_rendering_librarys_version_is_part_of_the_engines_fingerprint(monkeypatch):
    """An upgrade of Pango (a C library, no Python package) rebuilds too."""
    from profilepress import freshness, versions

    before = freshness.engine_fingerprint()
    found = versions.rendering_libraries()
    assert "pango" in found
    monkeypatch.setattr(versions, "rendering_libraries", lambda: {**found, "pango": "9.9.9"})
    assert freshness.engine_fingerprint() != before
