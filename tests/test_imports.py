"""The Lambda code's import graph: no circles, and data modules that stay in their domain.

Every import in `resolvers/` counts, function-level ones included (moving an import into a
function hides a circle, it does not break it); only `if TYPE_CHECKING:` blocks are left out,
since they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "resolvers"

# A data module imports `table` (and the catalog's index layout where a write moves its keys);
# another domain's data module only where one access really spans both domains.
DATA_SPANS = {
    ("catalog", "listings"): "catalog writes move the index keys derived from the fields they change",
    ("ratings", "listings"): "a rating moves the song's rank keys in the same transaction",
    ("discover", "listings"): "each list is read from the index its listing names",
    ("playlists", "listings"): "a PUBLIC playlist's search words move with its name and visibility in one transaction",
    ("feed", "ratings"): "one BatchGetItem reads a feed page's songs and the listener's ratings of them",
}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(source: str, modules: set[str]) -> set[str]:
    """The modules of `modules` that this source imports anywhere, outside TYPE_CHECKING blocks."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module in modules:
                found.add(node.module)
            for alias in node.names:  # `from resolvers import media` imports the module resolvers.media
                if f"{node.module}.{alias.name}" in modules:
                    found.add(f"{node.module}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of the package it imports (packages' __init__ excluded: they import nothing)."""
    paths = {module_name(path, root): path for path in (root / PACKAGE).rglob("*.py")}
    modules = {name for name, path in paths.items() if path.name != "__init__.py"}
    return {name: imported_modules(paths[name].read_text(), modules) - {name} for name in sorted(modules)}


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path that returns to its start, or None."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def walk(module: str) -> list[str] | None:
        state[module] = "open"
        trail.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return [*trail[trail.index(target) :], target]
            if target not in state and (circle := walk(target)):
                return circle
        state[module] = "done"
        trail.pop()
        return None

    for module in sorted(graph):
        if module not in state and (circle := walk(module)):
            return circle
    return None


def test_resolvers_have_no_import_circle() -> None:
    circle = find_circle(import_graph(ROOT))
    assert circle is None, "import circle: " + " → ".join(circle or [])


def test_the_graph_sees_the_imports_that_matter() -> None:
    """The graph is not vacuous: known edges are in it, including ones from a function body."""
    graph = import_graph(ROOT)
    assert "resolvers.data.table" in graph["resolvers.data.catalog"]
    assert "resolvers.catalog" in graph["resolvers.routes.catalog"]
    assert "resolvers.routes.catalog" in graph["resolvers.handlers.api"]
    source = "def late():\n    from resolvers import media\nif TYPE_CHECKING:\n    from resolvers import feed\n"
    assert imported_modules(source, {"resolvers.media", "resolvers.feed"}) == {"resolvers.media"}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"a"}}, ["a", "a"]),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], expected: list[str] | None) -> None:
    assert find_circle(graph) == expected


def test_a_circle_put_back_is_caught(tmp_path: Path) -> None:
    """The issue's old circle, catalog → media → releases → catalog, written as a function-level import."""
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "catalog.py").write_text("from resolvers import media\n")
    (package / "media.py").write_text("from resolvers import releases\n")
    (package / "releases.py").write_text("def parse():\n    from resolvers.catalog import TITLE_MAX\n")
    assert find_circle(import_graph(tmp_path)) == [
        "resolvers.catalog",
        "resolvers.media",
        "resolvers.releases",
        "resolvers.catalog",
    ]


def test_data_modules_stay_in_their_domain() -> None:
    graph = import_graph(ROOT)
    data = "resolvers.data."
    for module, targets in graph.items():
        if not module.startswith(data):
            continue
        own = module.removeprefix(data)
        for target in sorted(t for t in targets if t.startswith(data)):
            other = target.removeprefix(data)
            assert other == "table" or (own, other) in DATA_SPANS, f"{module} imports {target}: a span to justify"
        assert not {t for t in targets if t.startswith(PACKAGE) and not t.startswith(data)} - {
            "resolvers.aws_clients",
            "resolvers.errors",
            "resolvers.settings",
            "resolvers.table_layout",
            "resolvers.words",
        }, f"{module} imports domain rules: data sits below them"


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / PACKAGE).rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert not long, f"split these by what they are about: {long}"
