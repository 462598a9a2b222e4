"""Only `resolvers/` ships to Lambda (infra/functions.py): its code may not import the rest of the repo."""

from __future__ import annotations

import ast
from pathlib import Path

from resolvers import accounts
from schema import directives

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = {"schema", "emulator", "infra", "tests", "tools", "bench", "app"}


def test_lambda_code_imports_nothing_that_is_not_shipped() -> None:
    offenders = []
    for path in sorted((ROOT / "resolvers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in NOT_SHIPPED]
    assert offenders == []


def test_the_groups_lambda_code_checks_are_the_schemas() -> None:
    assert (accounts.LISTENER_GROUP, accounts.ADMIN_GROUP) == (directives.LISTENER_GROUP, directives.ADMIN_GROUP)
