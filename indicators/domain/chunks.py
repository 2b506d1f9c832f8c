"""A long sequence of JSON texts (a round's 39,000 gaps, an item's 10,000 school checks) stored as runs of elements,
each run named by the digest of its text, so that a change of a few elements rewrites a run or two, not the sequence.

Runs end after an element whose text hashes to a multiple of SPAN (content-defined boundaries): where the runs of
an unchanged stretch end does not depend on what changed before it, so they keep their digests. `join` gives back
the very sequence, in order.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence

SPAN = 128  # elements per run, on average


def element(text: str) -> tuple[str, bool]:
    """An element's text and whether a run ends after it (for `split`; worth keeping with the text)."""
    return text, zlib.crc32(text.encode()) % SPAN == 0


def split(elements: Iterable[tuple[str, bool]]) -> list[str]:
    """The runs of `elements` (`element(text)` of each), each the comma-joined texts of its elements (a JSON array's
    or object's inside)."""
    runs: list[str] = []
    run: list[str] = []
    for text, ends in elements:
        run.append(text)
        if ends:
            runs.append(",".join(run))
            run = []
    if run:
        runs.append(",".join(run))
    return runs


def digest(run: str) -> str:
    return hashlib.blake2b(run.encode(), digest_size=16).hexdigest()


def join(digests: Sequence[str], runs: Mapping[str, str]) -> str:
    """The comma-joined elements of the runs named by `digests`, in order (KeyError: a run is missing)."""
    return ",".join(runs[d] for d in digests)
