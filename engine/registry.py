"""A generic registry of named types: field types, flow steps, widgets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from engine.errors import AlreadyRegistered, UnknownType

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps a key to one item; a duplicate key raises, an unknown key names the valid ones."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        if key in self._items:
            raise AlreadyRegistered(f"{self.kind} {key!r} is registered already")
        self._items[key] = item
        return item

    def unregister(self, key: str) -> None:
        del self._items[key]

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            valid = ", ".join(sorted(self._items))
            raise UnknownType(f"unknown {self.kind} {key!r}; valid: {valid}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def keys(self) -> list[str]:
        return list(self._items)

    def all(self) -> list[T]:
        return list(self._items.values())
