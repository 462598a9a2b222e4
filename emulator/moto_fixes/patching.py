"""One attribute of a moto class replaced by ours, moto's kept to call and to put back."""

from __future__ import annotations

from typing import Any


class Patch:
    def __init__(self, owner: type, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        self.replacement = replacement
        self.original = owner.__dict__[name]  # as stored: a staticmethod stays one

    @property
    def installed(self) -> bool:
        return self.owner.__dict__[self.name] is self.replacement

    def install(self) -> None:
        setattr(self.owner, self.name, self.replacement)

    def uninstall(self) -> None:
        setattr(self.owner, self.name, self.original)
