"""Decimal arithmetic shared by the engine: one working precision, conversions and rounding helpers.

Every computation runs at 50 significant digits. Sums and products of the figures a county enters (at most
15 or so significant digits each) are then exact, and each indicator value comes from a single division of
exact operands, so a value mathematically equal to a threshold compares equal to it. Floats never enter a
computation: a float given as input is read through its shortest repr (what was typed), never its binary value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, getcontext, localcontext
from typing import ParamSpec, TypeVar

PRECISION = 50
_CONTEXT = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

P = ParamSpec("P")
T = TypeVar("T")


def exact(fn: Callable[P, T]) -> Callable[P, T]:
    """Run `fn` in the engine's working context, whatever context the caller (e.g. Django) has set."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        ctx = getcontext()
        if ctx.prec == PRECISION and ctx.rounding == ROUND_HALF_EVEN:
            return fn(*args, **kwargs)  # already inside the engine: no new context per call
        with localcontext(_CONTEXT):
            return fn(*args, **kwargs)

    return wrapper


def raw(fn: Callable[P, T]) -> Callable[P, T]:
    """The undecorated function, for hot loops already running inside the engine's context."""
    return getattr(fn, "__wrapped__", fn)


def working_context():
    """A context manager for the engine's working precision (for callers outside the decorated functions)."""
    return localcontext(_CONTEXT)


def to_decimal(x: object) -> Decimal | None:
    """Read a number as a Decimal; None and '' stay None (unknown). Booleans are refused: they are not numbers."""
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError(f"a boolean is not a number: {x!r}")
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        return Decimal(repr(x))
    if isinstance(x, str):
        s = x.strip().replace(",", "")
        return Decimal(s) if s else None
    raise TypeError(f"not a number: {x!r}")


def ceil_int(d: Decimal) -> int:
    """The smallest integer ≥ d (teachers, rooms and classes come whole)."""
    return int(d.to_integral_value(rounding=ROUND_CEILING))


_ROUNDING = Context(prec=PRECISION, rounding=ROUND_HALF_UP)
_EXPONENTS = {p: Decimal(1).scaleb(-p) for p in range(13)}


def quantize(d: Decimal | None, places: int = 6) -> Decimal | None:
    """Round half up to `places` decimals and drop trailing zeros, for storing and showing (never for comparing)."""
    if d is None:
        return None
    ctx = _ROUNDING
    q = ctx.quantize(d, _EXPONENTS.get(places) or Decimal(1).scaleb(-places))
    whole = q.to_integral_value()
    if whole == q:
        return whole if whole else ZERO  # plain integer digits (normalize() writes 100 as 1E+2); no "-0"
    return ctx.normalize(q)
