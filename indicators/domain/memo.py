"""What pure functions gave for immutable engine objects, kept from one recompute of a round to the next.

An incremental recompute reads most families' parts back as the very objects of the last run (`indicators.parts`
keeps them by digest), so what was derived from them — a check's gaps, its stored JSON form — is the same as last
time. `Memo` keeps those results by the object's identity (holding the object, so that its id cannot be reused) and
the function; an entry not asked for during a run is dropped at the next one (`turn`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    def __init__(self) -> None:
        self._old: dict[tuple, tuple[Any, Any]] = {}
        self._new: dict[tuple, tuple[Any, Any]] = {}

    def turn(self) -> None:
        """A new run: keep what the last run used, forget the rest."""
        self._old, self._new = self._new, {}

    def __call__(self, fn: Callable[..., Any], obj: Any, *args: Any, key: tuple = ()) -> Any:
        """fn(obj, *args), the same as last run's for the same object: `key` names what else it depends on."""
        key = (fn, id(obj), *key)
        hit = self._new.get(key)
        if hit is None:
            hit = self._old.get(key)
            if hit is None or hit[0] is not obj:
                hit = (obj, fn(obj, *args))
            self._new[key] = hit
        return hit[1]

    def carried(self, name: str, make: Callable[[], T]) -> T:
        """An object the runs hand on to each other (made by `make` at first): kept while runs ask for it."""
        key = ("carried", name)
        hit = self._new.get(key) or self._old.get(key) or (None, make())
        self._new[key] = hit
        return hit[1]


def plain(fn: Callable[..., Any], obj: Any, *args: Any, key: tuple = ()) -> Any:
    """No memo: the function itself."""
    return fn(obj, *args)
