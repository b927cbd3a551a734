"""The package's import graph: one way, in layers, without cycles.

Every module of the ``hookmock`` package (a package's ``__init__`` included) is read with
:mod:`ast`, and every import statement in it counts: at module level, inside a function, and under
``if TYPE_CHECKING:``; an import that dodges a cycle by hiding in a function is still a cycle.
Relative imports are resolved; ``from . import x`` counts as importing the submodule ``x`` when
there is one, and the package otherwise. Importing ``a.b.c`` also runs ``a/b/__init__.py``, so it
counts as importing ``a.b`` too, unless ``a.b`` is a package that holds the importer (its
``__init__`` has run before the importer starts).

Not counted: modules looked up by name at run time with :func:`importlib.import_module`. That is
done on purpose where a name is configuration, not a dependency:
:func:`hookmock.providers.provider_class` (a provider's name to its class),
``Provider.from_openapi`` in :mod:`hookmock.engine.simulator` (a signing scheme's name to the
module that registers it), the names :mod:`hookmock.server` keeps from before it served any
provider (``MockZoomServer``, defined with its provider), ``_generation`` in
:mod:`hookmock.strategies` (the generation profile of a provider the strategies are given by name,
``"zoom"`` by default) and ``hookmock/__init__.py``'s public names, imported on first use. A new
such look-up belongs in that list, with its reason.

The layers, lowest first (a module imports only from its own layer or lower ones)::

    errors
    records
    transports
    generate, strategies
    engine
    conformance, server, traffic
    providers
    cli, plugin, __main__, hookmock (the package's __init__)
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import hookmock

PACKAGE = Path(hookmock.__file__).parent

#: Each layer, lowest first, as the module prefixes it holds.
LAYERS: list[tuple[str, ...]] = [
    ("hookmock.errors",),
    ("hookmock.records",),
    ("hookmock.transports",),
    ("hookmock.generate", "hookmock.strategies"),
    ("hookmock.engine",),
    ("hookmock.conformance", "hookmock.server", "hookmock.traffic"),
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
    "hookmock.traffic",
)


@dataclass(frozen=True)
class Import:
    """One edge of the graph: *importer* imports *imported* at *line*; *through* names the
    module the statement imports when *imported* is only a package around it."""

    importer: str
    imported: str
    line: int
    through: str | None = None

    def __str__(self) -> str:
        where = f"{_path(self.importer)}:{self.line}"
        if self.through is not None:
            where += f", importing {self.through}"
        return f"{self.importer} -> {self.imported} ({where})"


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
            # ``from pkg import x`` reads the package pkg itself, even for a submodule x: a
            # submodule of pkg that does so while pkg/__init__.py imports it closes a loop.
            named.add((target, node.lineno))
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES:
                    named.add((submodule, node.lineno))
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
            edges.add(Import(importer, imported, line, module if implicit else None))
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


def _cycles(graph: dict[str, set[Import]]) -> list[tuple[list[Import], set[str]]]:
    """For each strongly connected component of more than one module: a shortest cycle in it,
    and all its modules."""
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
    return [(_a_cycle_in(component, graph), component) for component in components]


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


def _describe(chain: list[Import], component: set[str]) -> str:
    modules = " -> ".join([chain[0].importer, *(edge.imported for edge in chain)])
    text = modules + "".join(f"\n    {edge}" for edge in chain)
    others = sorted(component - {edge.importer for edge in chain})
    if others:
        text += f"\n    in a knot with: {', '.join(others)}"
    return text


GRAPH = _graph()


def test_every_module_is_read() -> None:
    assert "hookmock" in MODULES
    assert "hookmock.engine.simulator" in MODULES
    assert all(MODULES[module].is_file() for module in MODULES)


def _imported_by(importer: str) -> dict[str, Import]:
    return {edge.imported: edge for edge in GRAPH[importer]}


def test_the_graph_counts_every_kind_of_import() -> None:
    # Under TYPE_CHECKING: the package's __init__ imports its public names only there.
    assert "hookmock.providers.zoom" in _imported_by("hookmock")
    # Inside a function (Zoom's endpoints are imported when a server is made).
    assert "hookmock.providers.zoom.server" in _imported_by("hookmock.providers.zoom")
    # ``from . import control``: the submodule, not only the package.
    assert "hookmock.server.control" in _imported_by("hookmock.server")
    # ``from ...server.state import ...``: resolved from a package two levels down.
    assert "hookmock.server.state" in _imported_by("hookmock.providers.zoom.server")


def test_a_module_imports_the_packages_around_what_it_imports() -> None:
    edge = _imported_by("hookmock.providers.zoom.server")["hookmock.server"]
    assert edge.through == "hookmock.server.state"
    # ...but not the packages around itself, which Python imported before it.
    assert "hookmock.providers.zoom" not in _imported_by("hookmock.providers.zoom.server")


def test_names_looked_up_at_run_time_are_not_imports() -> None:
    # hookmock.providers.provider_class and the server's kept names name their modules.
    assert not any(
        _within(m, "hookmock.providers.zoom") for m in _imported_by("hookmock.providers")
    )
    assert not any(_within(m, "hookmock.providers") for m in _imported_by("hookmock.server.state"))
    assert not any(_within(m, "hookmock.providers") for m in _imported_by("hookmock.server"))


def test_a_cycle_reads_as_a_chain() -> None:
    graph: dict[str, set[Import]] = {
        "hookmock.errors": {Import("hookmock.errors", "hookmock.records.outcome", 3)},
        "hookmock.records.outcome": {
            Import("hookmock.records.outcome", "hookmock.records.masking", 5, None),
        },
        "hookmock.records.masking": {
            Import("hookmock.records.masking", "hookmock.errors", 7),
            Import("hookmock.records.masking", "hookmock.records.outcome", 9),
        },
        "hookmock.records.exchange": set(),
    }
    cycles = _cycles(graph)
    assert [_describe(*cycle) for cycle in cycles] == [
        "hookmock.errors -> hookmock.records.outcome -> hookmock.records.masking -> "
        "hookmock.errors\n"
        "    hookmock.errors -> hookmock.records.outcome (hookmock/errors.py:3)\n"
        "    hookmock.records.outcome -> hookmock.records.masking (hookmock/records/outcome.py:5)\n"
        "    hookmock.records.masking -> hookmock.errors (hookmock/records/masking.py:7)"
    ]


def test_no_import_cycle() -> None:
    cycles = _cycles(GRAPH)
    message = "\n".join(f"import cycle: {_describe(*cycle)}" for cycle in cycles)
    if cycles:
        raise AssertionError(f"{len(cycles)} import cycle(s):\n{message}")


def test_imports_go_down_the_layers() -> None:
    upward = sorted(
        (
            edge
            for edges in GRAPH.values()
            for edge in edges
            if edge.through is None and _layer(edge.imported) > _layer(edge.importer)
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
            if edge.through is None
            and any(_within(edge.importer, neutral) for neutral in PROVIDER_NEUTRAL)
            and _within(edge.imported, "hookmock.providers")
        ),
        key=str,
    )
    if found:
        lines = "\n".join(f"  {edge}" for edge in found)
        raise AssertionError(f"{len(found)} import(s) of a provider module:\n{lines}")


def test_the_mock_server_serves_the_endpoints_its_provider_supplies() -> None:
    from werkzeug.test import Client

    from hookmock import StandardWebhooks, Zoom
    from hookmock.server import MockServerApp
    from hookmock.server.state import ServerState

    zoom = Client(MockServerApp(ServerState(Zoom(secret_token="layout-secret"))))
    assert zoom.post("/oauth/token").status_code == 401  # Zoom's endpoint: no credentials
    other = Client(MockServerApp(ServerState(StandardWebhooks())))
    assert other.post("/oauth/token").status_code == 404
    assert other.get("/_hookmock/state").status_code == 200


#: What a file of the mock server may say of a provider by name: the names it keeps from before
#: it served any provider, and where it looks the one that needs its provider up.
SERVER_KEPT_NAMES = ("MockZoomServer", "MockZoomApp", "hookmock.providers.zoom.mockserver")


def _provider_names_in_the_server() -> list[str]:
    """``path:line: text`` of every line of ``hookmock/server/`` (code, page, styles) that
    names Zoom, once the kept names are set aside."""
    found = []
    for path in sorted((PACKAGE / "server").rglob("*")):
        if path.suffix not in (".py", ".html", ".js", ".css"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            rest = line
            for kept in SERVER_KEPT_NAMES:
                rest = rest.replace(kept, "")
            if "zoom" in rest.lower():
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    return found


def test_the_mock_server_names_no_provider() -> None:
    """The server is given the provider it serves: what is particular to one (its endpoints,
    their options and error shape, its default) lives with the provider, never here."""
    found = _provider_names_in_the_server()
    if found:
        lines = "\n".join(f"  {line}" for line in found)
        raise AssertionError(
            f"{len(found)} line(s) of hookmock/server/ name a provider; move what is "
            f"particular to it to its package (hookmock/providers/...):\n{lines}"
        )


def test_the_search_for_provider_names_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = tmp_path / "hookmock" / "server"
    (server / "assets").mkdir(parents=True)
    (server / "kept.py").write_text("from x import MockZoomServer, MockZoomApp\n")
    (server / "assets" / "page.js").write_text("// fine\nconst title = 'mock ZOOM server';\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "hookmock")
    assert _provider_names_in_the_server() == [
        "hookmock/server/assets/page.js:2: const title = 'mock ZOOM server';"
    ]
