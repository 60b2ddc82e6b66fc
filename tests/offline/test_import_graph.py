"""The project's top-level packages import one another without a cycle, and the offline engine
imports neither the rule sets nor the model code (they are passed in)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def packages() -> list[str]:
    """The top-level packages pyproject.toml installs (`include` patterns like "rules*")."""
    document = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = document["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(pattern.removesuffix("*") for pattern in patterns)


def imported_packages(package: str, known: set[str]) -> set[str]:
    """The other packages of `known` that any module of `package` imports, anywhere in the file
    (function bodies and TYPE_CHECKING blocks included: a deferred import is still a dependency)."""
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return (found & known) - {package}


def import_graph() -> dict[str, set[str]]:
    known = set(packages())
    return {package: imported_packages(package, known) for package in sorted(known)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path that ends where it starts, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for neighbour in sorted(graph.get(node, ())):
            if state.get(neighbour) == "open":
                return [*path[path.index(neighbour) :], neighbour]
            if neighbour not in state and (cycle := visit(neighbour)) is not None:
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"backtest": {"rules"}, "rules": {"backtest"}}) == [
        "backtest",
        "rules",
        "backtest",
    ]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_sees_every_package_and_a_known_edge() -> None:
    graph = import_graph()
    assert {"backtest", "offline", "rules", "scoring", "producers"} <= graph.keys()
    # The CLI composes the engine, the rule sets and the model: those edges exist.
    assert {"offline", "rules", "scoring"} <= graph["backtest"]


def test_the_packages_import_one_another_without_a_cycle() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle: {' -> '.join(cycle or [])}"


def test_the_offline_engine_imports_neither_rules_nor_scoring_nor_its_cli() -> None:
    assert not import_graph()["offline"] & {"rules", "scoring", "backtest"}
