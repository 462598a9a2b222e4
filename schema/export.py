"""Export the strawberry schema as AppSync SDL: `python -m schema.export [--check]`.

AppSync declares its scalars and `@aws_*` directives itself and rejects a schema that
re-declares them, so those definitions are dropped; a `schema {}` block is added.
"""

from __future__ import annotations

import sys

from graphql import DirectiveDefinitionNode, DocumentNode, ScalarTypeDefinitionNode, parse, print_ast

from schema import SDL_PATH, schema
from schema.scalars import AWS_SCALARS

HEADER = "# Generated from the strawberry types in schema/ by `python -m schema.export`. Do not edit.\n"


def appsync_sdl() -> str:
    """The schema as AppSync accepts it."""
    document = parse(str(schema))
    kept = [
        node
        for node in document.definitions
        if not (isinstance(node, DirectiveDefinitionNode) and node.name.value.startswith("aws_"))
        and not (isinstance(node, ScalarTypeDefinitionNode) and node.name.value in AWS_SCALARS)
    ]
    roots = {"query": schema.query, "mutation": schema.mutation, "subscription": schema.subscription}
    block = (
        "schema {\n"
        + "".join(f"  {op}: {root.__strawberry_definition__.name}\n" for op, root in roots.items() if root)
        + "}\n"
    )
    return HEADER + "\n" + block + "\n" + print_ast(DocumentNode(definitions=kept)) + "\n"


def main(argv: list[str]) -> int:
    sdl = appsync_sdl()
    if "--check" in argv:
        if SDL_PATH.read_text() != sdl:
            print(f"{SDL_PATH} is stale: run `python -m schema.export`", file=sys.stderr)
            return 1
        return 0
    SDL_PATH.write_text(sdl)
    print(f"wrote {SDL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
