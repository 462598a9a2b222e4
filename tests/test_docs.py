"""The docs stay true to the code: the field map covers the schema, and every link resolves.

Fast and offline: reads files only (the schema through graphql-core, as test_schema does).
"""

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, build_schema

ROOT = Path(__file__).resolve().parent.parent
SDL_PATH = ROOT / "schema" / "schema.graphql"  # read as a file: importing `schema` would load strawberry
FIELD_MAP = ROOT / "docs" / "field-map.md"
README = ROOT / "README.md"
README_MAX_BYTES = 10_240
ROOT_TYPES = ("Query", "Mutation", "Subscription")
APPSYNC_DEFINITIONS = Path(__file__).with_name("appsync_definitions.graphql").read_text()

# A row: | `Type.field` | route | domain rules | data |
ROW = re.compile(r"^\|\s*`(\w+)\.(\w+)`\s*\|(.*)\|(.*)\|(.*)\|\s*$")
ROUTE = re.compile(r"resolvers/routes/\w+\.py")
DOMAIN = re.compile(r"resolvers/\w+\.py")
DATA = re.compile(r"resolvers/data/\w+\.py")
REGISTERED = re.compile(r'type_name="(\w+)",\s*field_name="(\w+)"')
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCED = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")


class Row(NamedTuple):
    type_name: str
    field_name: str
    route: str
    domain: str
    data: str


def _rows() -> list[Row]:
    rows = []
    for line in FIELD_MAP.read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows.append(Row(*(part.strip() for part in match.groups())))
    return rows


@cache
def _schema() -> GraphQLSchema:
    return build_schema(APPSYNC_DEFINITIONS + SDL_PATH.read_text())


def _registrations() -> dict[tuple[str, str], Path]:
    """Every (type, field) a Powertools router registers, with the router's file."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted((ROOT / "resolvers" / "routes").glob("*.py")):
        for type_name, field_name in REGISTERED.findall(path.read_text()):
            found[(type_name, field_name)] = path
    return found


def test_field_map_has_one_row_per_root_field() -> None:
    schema = _schema()
    mapped = [(row.type_name, row.field_name) for row in _rows()]
    assert len(mapped) == len(set(mapped)), "a field has two rows in docs/field-map.md"
    for type_name in ROOT_TYPES:
        root = schema.get_type(type_name)
        assert isinstance(root, GraphQLObjectType)
        in_schema = set(root.fields)
        in_map = {field for mapped_type, field in mapped if mapped_type == type_name}
        assert in_schema - in_map == set(), f"{type_name} fields missing from docs/field-map.md"
        assert in_map - in_schema == set(), f"docs/field-map.md names {type_name} fields the schema lacks"


def test_field_map_rows_name_real_fields() -> None:
    schema = _schema()
    for row in _rows():
        owner = schema.get_type(row.type_name)
        assert isinstance(owner, GraphQLObjectType), f"no type {row.type_name}"
        assert row.field_name in owner.fields, f"no field {row.type_name}.{row.field_name}"


def test_each_route_really_registers_its_field() -> None:
    registrations = _registrations()
    for row in _rows():
        field = (row.type_name, row.field_name)
        routes = ROUTE.findall(row.route)
        if not routes:
            # A row without a route says the field runs no Lambda: then no router may claim it.
            assert field not in registrations, f"{field} is registered in {registrations[field]}"
            continue
        assert len(routes) == 1, f"{field}: one route module per field"
        path = ROOT / routes[0]
        assert path.is_file(), f"{field}: {routes[0]} does not exist"
        assert registrations.get(field) == path, f"{field} is not registered in {routes[0]}"


def test_every_registered_field_is_mapped() -> None:
    mapped = {(row.type_name, row.field_name) for row in _rows()}
    unmapped = {field: path.name for field, path in _registrations().items() if field not in mapped}
    assert unmapped == {}, "routers register fields docs/field-map.md does not list"


def test_domain_and_data_modules_exist() -> None:
    # The lead is splitting resolvers/store.py into resolvers/data/ while this map already
    # names the new modules: check them only once the package exists, so this test passes
    # both before and after the split.
    check_data = (ROOT / "resolvers" / "data").is_dir()
    for row in _rows():
        for named in DOMAIN.findall(row.domain):
            assert (ROOT / named).is_file(), f"{row.type_name}.{row.field_name}: {named} does not exist"
        data_paths = DATA.findall(row.data)
        if check_data:
            for named in data_paths:
                assert (ROOT / named).is_file(), f"{row.type_name}.{row.field_name}: {named} does not exist"


def test_subscription_rows_name_the_mutations_that_drive_them() -> None:
    schema = _schema()
    subscription = schema.get_type("Subscription")
    assert isinstance(subscription, GraphQLObjectType)
    rows = {row.field_name: row for row in _rows() if row.type_name == "Subscription"}
    for name, field in subscription.fields.items():
        assert field.ast_node is not None
        directive = next(d for d in field.ast_node.directives if d.name.value == "aws_subscribe")
        mutations = [value.value for value in directive.arguments[0].value.values]
        assert mutations, f"Subscription.{name} has no driving mutation"
        described = " ".join(rows[name][2:])
        for mutation in mutations:
            assert mutation in described, f"Subscription.{name}: the row should name {mutation}"


def _markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("page", _markdown_files(), ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    prose = INLINE_CODE.sub("", FENCED.sub("", page.read_text()))
    for target in LINK.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL with a scheme, or an anchor on the same page
        path = (page.parent / target.split("#", 1)[0]).resolve()
        assert path.is_relative_to(ROOT), f"{page.name}: {target} leaves the repository"
        assert path.exists(), f"{page.name}: {target} does not exist"


def test_readme_stays_a_first_page() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes: move reference material into docs/"
