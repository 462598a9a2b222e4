"""moto keeps every model object it ever made: stop that for the objects nothing reads back.

moto 5.2.5's `BaseModel.__new__` appends each new instance to its class's
`instances_tracked` list, for the `/moto-api/data.json` dashboard, and never removes it.
DynamoDB makes an `Item` for every write, every query result (a deep copy) and every
item of a table copied at the start of a transaction, so the process kept every version
of every item ever read or written: 190 MB grew to 1.2 GB over 200 createSong calls on a
table of a few hundred items. Nothing in the emulator reads the dashboard.

Still tracked: S3's `FakeKey` and `FakeMultipart`, whose lists moto's S3 reset walks to
close their temporary files.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import BaseModel
from moto.core.model_instances import model_data

from emulator.moto_fixes.patching import Patch

READ_BY_MOTO = frozenset({"FakeKey", "FakeMultipart"})


def _new(cls: type, *args: Any, **kwargs: Any) -> Any:
    if cls.__name__ in READ_BY_MOTO:
        return PATCH.original.__func__(cls, *args, **kwargs)
    return super(BaseModel, cls).__new__(cls)  # type: ignore[misc]


PATCH = Patch(BaseModel, "__new__", staticmethod(_new))


def install() -> None:
    """New model objects are no longer kept by moto; those kept so far are let go."""
    if PATCH.installed:
        return
    PATCH.install()
    for models in model_data.values():
        for name, model in models.items():
            if name not in READ_BY_MOTO:
                model.instances_tracked = []  # type: ignore[attr-defined]


uninstall = PATCH.uninstall
