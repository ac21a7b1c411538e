"""The packages of ``service`` and ``tenants`` import one another in one direction only.

A cycle between packages means none of them can be read, tested or changed
without the others; it also forces function-local imports that hide the
dependency.  The graph is built by grimp (the library under import-linter)
from every import statement, including those inside functions.  Nodes are the
sub-packages and top-level modules of ``service`` and ``tenants`` as one; an
edge is any import from one node into another.  The layers that say which way
the edges go are the import-linter contract in pyproject.toml (``lint-imports``,
part of ``make lint``); this test names any cycle, whichever layer it crosses.
"""

from __future__ import annotations

import grimp


def _node(module: str) -> str:
    parts = module.split(".")
    return "tenants" if parts[0] == "tenants" else ".".join(parts[:2])


def _package_graph() -> dict[str, set[str]]:
    modules = grimp.build_graph("service", "tenants", cache_dir=None)
    edges: dict[str, set[str]] = {_node(m): set() for m in modules.modules}
    for module in modules.modules:
        for imported in modules.find_modules_directly_imported_by(module):
            if _node(module) != _node(imported):
                edges[_node(module)].add(_node(imported))
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _import_lines(importer: str, imported: str) -> list[str]:
    modules = grimp.build_graph("service", "tenants", cache_dir=None)
    lines = []
    for module in sorted(modules.modules):
        if _node(module) != importer:
            continue
        for target in sorted(modules.find_modules_directly_imported_by(module)):
            if _node(target) == imported:
                lines += [
                    f"{module}:{d['line_number']} {d['line_contents']}"
                    for d in modules.get_import_details(importer=module, imported=target)
                ]
    return lines


def test_cycle_detection_finds_a_cycle_and_only_that() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]


def test_service_packages_import_one_another_without_cycles() -> None:
    edges = _package_graph()
    assert {"service.workforce", "service.compliance", "service.platform", "tenants"} <= set(edges)
    cycles = _cycles(edges)
    report = []
    for component in cycles:
        members = set(component)
        report.append(" <-> ".join(component))
        for node in component:
            for target in sorted(edges[node] & members):
                report += [f"    {line}" for line in _import_lines(node, target)]
    assert not cycles, "cycles between packages:\n" + "\n".join(report)
