"""One attribute of a moto class replaced by ours, moto's kept to call and to put back; and the
patches of one fix, installed and uninstalled together."""

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


class Patches(tuple[Patch, ...]):
    """The patches of one fix, put in and taken out together."""

    def __new__(cls, *patches: Patch) -> Patches:
        return super().__new__(cls, patches)

    def install(self) -> None:
        for patch in self:
            patch.install()

    def uninstall(self) -> None:
        for patch in self:
            patch.uninstall()
