"""The packages of ``service`` and ``tenants`` import one another in one direction only.

A cycle between packages means none of them can be read, tested or changed
without the others; it also forces function-local imports that hide the
dependency.  The graph is built by grimp (the library under import-linter)
from every import statement, including those inside functions.  Nodes are the
sub-packages and top-level modules of ``service`` and ``tenants`` as one; an
edge is any import from one node into another.  The layers that say which way
the edges go are the import-linter contract in pyproject.toml (``lint-imports``,
part of ``make lint``); this test names any cycle, whichever layer it crosses.

The same holds one level down, inside every package of ``service`` that has
sub-packages (``payroll``: bands, components, tax, runs; ``workforce``:
roster, contracts, leave, records, attendance): there the nodes are its
sub-packages, and the package's own modules (``payroll/payslip.py``,
``workforce/models.py``...) as one node named after the package.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import grimp

# The node a module belongs to, or None for a module outside the graph.
NodeOf = Callable[[str], str | None]


@cache
def _modules() -> grimp.ImportGraph:
    return grimp.build_graph("service", "tenants", cache_dir=None)


def _node(module: str) -> str:
    parts = module.split(".")
    return "tenants" if parts[0] == "tenants" else ".".join(parts[:2])


def _is_package(module: str) -> bool:
    return bool(_modules().find_children(module))


def _domains_with_sub_packages() -> list[str]:
    modules = _modules()
    return sorted(
        m
        for m in modules.modules
        if m.count(".") == 1 and m.startswith("service.") and any(_is_package(c) for c in modules.find_children(m))
    )


def _sub_package_node(domain: str) -> NodeOf:
    """Within ``domain``: the sub-package a module is in, or ``domain`` for the package's own modules."""

    def node_of(module: str) -> str | None:
        if module != domain and not module.startswith(domain + "."):
            return None
        parts = module.split(".")
        if len(parts) > 2 and _is_package(".".join(parts[:3])):
            return ".".join(parts[:3])
        return domain

    return node_of


def _graph(node_of: NodeOf) -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = {}
    for module in modules.modules:
        source = node_of(module)
        if source is None:
            continue
        edges.setdefault(source, set())
        for imported in modules.find_modules_directly_imported_by(module):
            target = node_of(imported)
            if target is not None and target != source:
                edges[source].add(target)
    return edges


def _package_graph() -> dict[str, set[str]]:
    return _graph(_node)


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


def _import_lines(node_of: NodeOf, importer: str, imported: str) -> list[str]:
    modules = _modules()
    lines = []
    for module in sorted(modules.modules):
        if node_of(module) != importer:
            continue
        for target in sorted(modules.find_modules_directly_imported_by(module)):
            if node_of(target) == imported:
                lines += [
                    f"{module}:{d['line_number']} {d['line_contents']}"
                    for d in modules.get_import_details(importer=module, imported=target)
                ]
    return lines


def test_cycle_detection_finds_a_cycle_and_only_that() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]


def _cycle_report(node_of: NodeOf, edges: dict[str, set[str]], cycles: list[list[str]]) -> list[str]:
    """Each cycle, then every import line on its edges."""
    report = []
    for component in cycles:
        members = set(component)
        report.append(" <-> ".join(component))
        for node in component:
            for target in sorted(edges[node] & members):
                report += [f"    {line}" for line in _import_lines(node_of, node, target)]
    return report


def test_service_packages_import_one_another_without_cycles() -> None:
    edges = _package_graph()
    assert {"service.workforce", "service.compliance", "service.platform", "tenants"} <= set(edges)
    cycles = _cycles(edges)
    assert not cycles, "cycles between packages:\n" + "\n".join(_cycle_report(_node, edges, cycles))


def test_sub_packages_import_one_another_without_cycles() -> None:
    domains = _domains_with_sub_packages()
    assert {"service.payroll", "service.workforce"} <= set(domains)
    report = []
    for domain in domains:
        node_of = _sub_package_node(domain)
        edges = _graph(node_of)
        report += _cycle_report(node_of, edges, _cycles(edges))
    assert not report, "cycles between sub-packages:\n" + "\n".join(report)


def test_a_domain_s_own_modules_are_one_node_and_each_sub_package_another() -> None:
    node_of = _sub_package_node("service.payroll")
    assert node_of("service.payroll.payslip") == "service.payroll"
    assert node_of("service.payroll.tax.income_tax") == "service.payroll.tax"
    assert node_of("service.payroll.tax") == "service.payroll.tax"
    assert node_of("service.workforce.models") is None
    assert {"service.payroll.tax", "service.payroll"} <= _graph(node_of)["service.payroll.runs"]
