"""The package's import graph: one way, in layers, without cycles.

Every module of the ``hookmock`` package (a package's ``__init__`` included) is read with
:mod:`ast`, and every import statement in it counts: at module level, inside a function, and under
``if TYPE_CHECKING:``; an import that dodges a cycle by hiding in a function is still a cycle.
Relative imports are resolved; ``from . import x`` counts as importing the submodule ``x`` when
there is one, and the package otherwise. Importing ``a.b.c`` also runs ``a/b/__init__.py``, so it
counts as importing ``a.b`` too, unless ``a.b`` is a package that holds the importer (its
``__init__`` has run before the importer starts).

Not counted: names looked up at run time with :func:`importlib.import_module`. Two registries do
that on purpose, by name: :func:`hookmock.providers.provider_class` (a provider's name to its
class) and ``Provider.from_openapi`` in :mod:`hookmock.engine.simulator` (a signing scheme's name
to the module that signs it), and ``hookmock/__init__.py`` imports its public names on first use
the same way. A registry names what it may load; it does not make the importer depend on it.

The layers, lowest first (a module imports only from its own layer or lower ones)::

    errors
    records
    transports
    generate, strategies
    engine
    conformance, server
    providers
    cli, plugin, __main__, hookmock (the package's __init__)
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import hookmock

PACKAGE = Path(hookmock.__file__).parent

#: Each layer, lowest first, as the module prefixes it holds.
LAYERS: list[tuple[str, ...]] = [
    ("hookmock.errors",),
    ("hookmock.records",),
    ("hookmock.transports",),
    ("hookmock.generate", "hookmock.strategies"),
    ("hookmock.engine",),
    ("hookmock.conformance", "hookmock.server"),
    ("hookmock.providers",),
    ("hookmock.cli", "hookmock.plugin", "hookmock.__main__", "hookmock"),
]

#: The packages that know no provider.
PROVIDER_NEUTRAL = (
    "hookmock.records",
    "hookmock.transports",
    "hookmock.generate",
    "hookmock.strategies",
    "hookmock.engine",
    "hookmock.conformance",
    "hookmock.server",
)


@dataclass(frozen=True)
class Import:
    """One edge of the graph: *importer* imports *imported* at *line*."""

    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} ({_path(self.importer)}:{self.line})"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _path(module: str) -> str:
    return str(MODULES[module].relative_to(PACKAGE.parent))


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not _is_package(importer):
        base.pop()
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports_of(importer: str) -> set[Import]:
    tree = ast.parse(MODULES[importer].read_text(encoding="utf-8"), str(MODULES[importer]))
    named: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named.update((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(importer, node)
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                named.add((submodule if submodule in MODULES else target, node.lineno))
    edges = set()
    for module, line in named:
        if not _within(module, "hookmock"):
            continue
        assert module in MODULES, f"{_path(importer)}:{line} imports {module}, which does not exist"
        parts = module.split(".")
        # Importing a.b.c runs a/b/__init__.py first, unless the importer lives inside a.b.
        for i in range(2, len(parts) + 1):
            imported = ".".join(parts[:i])
            implicit = i < len(parts)
            if imported == importer or (implicit and _within(importer, imported)):
                continue
            edges.add(Import(importer, imported, line))
    return edges


def _graph() -> dict[str, set[Import]]:
    return {module: _imports_of(module) for module in MODULES}


def _layer(module: str) -> int:
    best = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if _within(module, prefix) and (best is None or len(prefix) > len(best[1])):
                best = (index, prefix)
    assert best is not None, f"{module} belongs to no layer; add it to LAYERS in {__file__}"
    return best[0]


def _cycles(graph: dict[str, set[Import]]) -> list[list[Import]]:
    """One cycle for each strongly connected component of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(module: str) -> None:  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for edge in graph[module]:
            if edge.imported not in index:
                visit(edge.imported)
                low[module] = min(low[module], low[edge.imported])
            elif edge.imported in on_stack:
                low[module] = min(low[module], index[edge.imported])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(component)

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [_a_cycle_in(component, graph) for component in components]


def _a_cycle_in(component: set[str], graph: dict[str, set[Import]]) -> list[Import]:
    """The shortest cycle through the component's first module (breadth first)."""
    start = min(component)
    came_by: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for edge in sorted(graph[module], key=str):
                if edge.imported not in component or edge.imported in came_by:
                    continue
                came_by[edge.imported] = edge
                if edge.imported == start:
                    chain = [edge]
                    while chain[0].importer != start:
                        chain.insert(0, came_by[chain[0].importer])
                    return chain
                following.append(edge.imported)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {sorted(component)}")


def _describe(chain: list[Import]) -> str:
    modules = " -> ".join([chain[0].importer, *(edge.imported for edge in chain)])
    return modules + "".join(f"\n    {edge}" for edge in chain)


GRAPH = _graph()


def test_every_module_is_read() -> None:
    assert "hookmock" in MODULES
    assert "hookmock.engine.simulator" in MODULES
    assert all(MODULES[module].is_file() for module in MODULES)


def test_the_graph_counts_every_kind_of_import() -> None:
    # The graph builder must see imports in functions and under TYPE_CHECKING: the public
    # package imports its names only there.
    imported = {edge.imported for edge in GRAPH["hookmock"]}
    assert "hookmock.providers.zoom" in imported
    assert "hookmock.providers" in imported  # through hookmock.providers.zoom


def test_no_import_cycle() -> None:
    cycles = _cycles(GRAPH)
    message = "\n".join(f"import cycle: {_describe(chain)}" for chain in cycles)
    if cycles:
        raise AssertionError(f"{len(cycles)} import cycle(s):\n{message}")


def test_imports_go_down_the_layers() -> None:
    upward = sorted(
        (
            edge
            for edges in GRAPH.values()
            for edge in edges
            if _layer(edge.imported) > _layer(edge.importer)
        ),
        key=str,
    )
    if upward:
        lines = "\n".join(f"  {edge}" for edge in upward)
        raise AssertionError(f"{len(upward)} import(s) from a higher layer:\n{lines}")


def test_the_engine_knows_no_provider() -> None:
    found = sorted(
        (
            edge
            for edges in GRAPH.values()
            for edge in edges
            if any(_within(edge.importer, neutral) for neutral in PROVIDER_NEUTRAL)
            and _within(edge.imported, "hookmock.providers")
        ),
        key=str,
    )
    if found:
        lines = "\n".join(f"  {edge}" for edge in found)
        raise AssertionError(f"{len(found)} import(s) of a provider module:\n{lines}")
