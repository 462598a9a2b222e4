"""The Lambda code as the functions run it: `resolvers/`, with bytecode from the runtime's Python.

Pure Python, no CDK: `infra/functions.py` bundles the code asset with it, and
`bench/cold_start.py` builds the same asset to time its import.

Lambda cannot write bytecode to /var/task, so without it every cold start compiles
`resolvers/` (about 100 ms, docs/cold-start.md). Bytecode of another Python version would
be ignored, so none is better than a wrong one: without the runtime's interpreter the code
ships sources only, and a note says so. The pyc files are hash-based and unchecked (PEP
552): Lambda gives files no meaningful mtime, and a deployed asset never changes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bundle_code(output_dir: Path, interpreter: str) -> bool:
    """Copy `resolvers/` into `output_dir` and compile it with `interpreter` if this machine has
    it; True when the copy carries bytecode."""
    code = output_dir / "resolvers"
    shutil.copytree(ROOT / "resolvers", code, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    found = shutil.which(interpreter)
    if found is None:
        print(f"note: no {interpreter} here, so the Lambda code ships without bytecode", file=sys.stderr)
        return False
    subprocess.run(  # noqa: S603 - the runtime's Python compiling our own code
        [found, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", "-d", "resolvers", str(code)],
        check=True,
    )
    return True
