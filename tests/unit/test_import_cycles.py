"""No import cycles between the modules of hrsearch's packages.

The graph is grimp's (the library under import-linter): every import, those inside functions
and ``TYPE_CHECKING`` blocks included, since a lazy import that closes a cycle still ties the two
modules together. Each cycle is named module by module, so the failure says what to move. The
import contracts of pyproject.toml (``make lint``) hold the layers between packages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import grimp
import pytest

PACKAGES = ("hrsearch", "corpus", "indexer", "search_api", "evaluation", "training")

Cycle = tuple[list[str], list[str]]  # a shortest cycle [a, b, ..., a], the group's other modules


def import_cycles(graph: grimp.ImportGraph) -> list[Cycle]:
    """Every group of modules that import each other: one shortest cycle through it, and the
    group's modules that cycle leaves out (a group of three may close a cycle through two)."""
    modules = graph.modules
    imports = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in sorted(modules)}
    out = []
    for group in _strongly_connected(imports):
        if len(group) > 1 or group[0] in imports[group[0]]:
            cycle = _cycle_through(group, imports)
            out.append((cycle, [m for m in group if m not in cycle]))
    return sorted(out)


def _strongly_connected(imports: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in imports[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            group = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                group.append(n)
                if n == m:
                    break
            groups.append(sorted(group))

    for m in imports:
        if m not in index:
            visit(m)
    return groups


def _cycle_through(group: Sequence[str], imports: Mapping[str, Sequence[str]]) -> list[str]:
    """The shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for m in frontier:
            for n in imports[m]:
                if n == start:
                    return [*paths[m], start]
                if n in members and n not in paths:
                    paths[n] = [*paths[m], n]
                    nxt.append(n)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group always has one


def _message(cycles: list[Cycle]) -> str:
    lines = [
        "  " + " -> ".join(cycle) + (f" (also in the group: {', '.join(others)})" if others else "")
        for cycle, others in cycles
    ]
    return "import cycles:\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def cycles() -> list[Cycle]:
    return import_cycles(grimp.build_graph(*PACKAGES, cache_dir=None))


def test_the_check_names_each_cycle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("p.a", "p.b"),
        ("p.b", "p.c"),
        ("p.c", "p.a"),
        ("p.c", "p.d"),
        ("p.e", "p.a"),
        ("p.f", "p.g"),
        ("p.g", "p.f"),
        ("p.g", "p.h"),
        ("p.h", "p.g"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    cycles = import_cycles(graph)
    assert cycles == [(["p.a", "p.b", "p.c", "p.a"], []), (["p.f", "p.g", "p.f"], ["p.h"])]
    assert _message(cycles) == (
        "import cycles:\n  p.a -> p.b -> p.c -> p.a\n  p.f -> p.g -> p.f (also in the group: p.h)"
    )


def test_no_import_cycle_outside_search_api(cycles: list[Cycle]) -> None:
    outside = [c for c in cycles if not all(m.startswith("search_api.") for m in c[0] + c[1])]
    assert not outside, _message(outside)


def test_no_import_cycle(cycles: list[Cycle]) -> None:
    assert not cycles, _message(cycles)
