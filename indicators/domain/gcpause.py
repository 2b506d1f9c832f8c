"""Pausing the cyclic garbage collector while the engine builds its results.

An evaluation of 10,000 schools creates a few hundred thousand small result objects that all stay alive
until it returns. Each of them counts toward CPython's collection thresholds, so full collections run
repeatedly over everything the process holds (the inputs included) and cost more than the evaluation
itself. The engine makes no reference cycles, so collection is paused for the run and resumed after it;
reference counting still frees everything as usual. Nested and concurrent runs are counted: the collector is
resumed when the last run ends, and only if it was enabled when the first one began.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_runs = 0
_paused_by_us = False


@contextmanager
def gc_paused() -> Iterator[None]:
    global _runs, _paused_by_us
    with _lock:
        _runs += 1
        if _runs == 1 and gc.isenabled():
            gc.disable()
            _paused_by_us = True
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0 and _paused_by_us:
                _paused_by_us = False
                gc.enable()


def without_gc(fn: Callable[P, T]) -> Callable[P, T]:
    """Decorator form of `gc_paused`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper
