"""moto's server finds a request's service without listing its own package directory each time.

moto 5.2.5's `DomainDispatcherApplication.get_backend_for_host` (moto/moto_server/werkzeug_app.py)
asks `backends.list_of_moto_modules()`, which lists moto's package directory and checks each
entry with `os.path.isdir`, for every request, under the dispatcher's lock: with 20 listeners
(`python -m bench.load`) that was 10 % of the emulator's CPU, and every request of every
service queued on it. The directory does not change while the process runs: it is listed once.
"""

from __future__ import annotations

from functools import cache

from moto import backends

from emulator.moto_fixes.patching import Patch


@cache
def list_of_moto_modules() -> tuple[str, ...]:
    """moto's service modules, as moto lists them, once."""
    return tuple(PATCH.original())


PATCH = Patch(backends, "list_of_moto_modules", list_of_moto_modules)  # type: ignore[arg-type]


install, uninstall = PATCH.install, PATCH.uninstall
