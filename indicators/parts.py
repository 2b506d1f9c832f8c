"""The stored per-family parts of a round's evaluation, and what tells that a family changed.

A family's part (`domain.families.FamilyPart`) is kept as a signed pickle: the engine's own objects, exact to the last
digit, so that the county rules applied to stored parts give what a from-scratch evaluation gives. The signature
(HMAC-SHA256 with a key derived from SECRET_KEY) is checked before anything is unpickled; a part that fails it, or one
written by another format, makes the recompute start from scratch.

A family's fingerprint covers what its figures come from: each member school's identity (name, township, kind,
location, ownership, boarding, parent) and the id and version of the approved return it is evaluated with.
"""

from __future__ import annotations

import copyreg
import hashlib
import hmac
import io
import pickle
import threading
from collections.abc import Iterable, Sequence
from types import MappingProxyType
from typing import NamedTuple

from django.conf import settings
from django.utils.encoding import force_bytes

from gongqing import bulk
from schools.models import CollectionRound, ReturnStatus, School, SchoolReturn

from . import loading
from .domain.families import FamilyPart
from .models import EvaluationPart

FORMAT = b"parts-1:"  # changes whenever FamilyPart or what it holds changes shape
_DIGEST = hashlib.sha256


class BadPart(Exception):
    """A stored part that fails its signature or its format: recompute the round from scratch."""


def _key() -> bytes:
    return hashlib.sha256(b"indicators.parts:" + force_bytes(settings.SECRET_KEY)).digest()


def read_only(mapping: dict) -> MappingProxyType:
    """Unpickles a read-only mapping (the engine's `detail`s): MappingProxyType itself cannot be pickled."""
    return MappingProxyType(mapping)


_TABLE = {**copyreg.dispatch_table, MappingProxyType: lambda m: (read_only, (dict(m),))}


def dump(part: FamilyPart) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _TABLE
    pickler.dump(part)
    body = FORMAT + buffer.getvalue()
    return hmac.new(_key(), body, _DIGEST).digest() + body


def load(data: bytes, key: bytes | None = None) -> FamilyPart:
    data = bytes(data)
    size = _DIGEST().digest_size
    signature, body = data[:size], data[size:]
    if not hmac.compare_digest(signature, hmac.new(key or _key(), body, _DIGEST).digest()):
        raise BadPart("signature")
    if not body.startswith(FORMAT):
        raise BadPart("format")
    return pickle.loads(body[len(FORMAT) :])  # noqa: S301  (signed above with the server's key)


SchoolRef = loading.SchoolRef


class County(NamedTuple):
    """The round's schools and the approved return each is evaluated with, read in two queries as plain rows."""

    schools: list[tuple]  # (pk, code, name, township, kind, location, ownership, boarding, parent code), by code
    returns: dict[int, tuple[int, int, int]]  # school id → (return id, version, round id)

    def refs(self) -> dict[str, SchoolRef]:
        return {row[1]: SchoolRef(row[0], row[1], row[2]) for row in self.schools}

    def family_keys(self) -> dict[str, str]:
        """Family of every school with figures (a teaching point's family is its parent's code)."""
        return {
            row[1]: (row[8] if row[4] == "teaching_point" and row[8] else row[1])
            for row in self.schools
            if row[0] in self.returns
        }

    def fingerprints(self) -> dict[str, str]:
        members: dict[str, list[str]] = {}
        keys = self.family_keys()
        for row in self.schools:
            if row[0] in self.returns:
                ret = self.returns[row[0]]
                members.setdefault(keys[row[1]], []).append("|".join(map(str, (*row, ret[0], ret[1]))))
        return {k: hashlib.sha256("\n".join(v).encode()).hexdigest() for k, v in members.items()}


def county(*, round: CollectionRound) -> County:
    schools = list(
        School.objects.open_in(round.school_year.year)
        .order_by("code")
        .values_list(
            "pk", "code", "name", "township__name", "kind", "location", "ownership", "boarding", "parent__code"
        )
    )
    returns: dict[int, tuple[int, int, int]] = {}
    for school_id, *ret in (
        SchoolReturn.objects.filter(
            round__school_year=round.school_year, round__as_of__lte=round.as_of, status=ReturnStatus.APPROVED
        )
        .order_by("school_id", "round__as_of", "round__pk")
        .values_list("school_id", "pk", "version", "round_id")
        .iterator(chunk_size=20000)
    ):
        returns[school_id] = tuple(ret)  # ordered by date: the last one wins, as loading.round_returns
    return County(schools, returns)


def basis(round: CollectionRound, c: County) -> dict:
    """loading.data_basis from the plain rows (one query for the names of the rounds figures are carried from)."""
    return loading.plain_basis(round, c.schools, {school_id: r[2] for school_id, r in c.returns.items()})


def figures(*, round: CollectionRound, school_ids: Sequence[int]) -> list:
    """The engine's figures of the given schools (those with an approved return), in code order: four queries."""
    schools = list(School.objects.filter(pk__in=school_ids).select_related("township", "parent").order_by("code"))
    returns = loading.round_returns(round=round, school_ids=school_ids)
    classes, rooms = loading.return_rows([r.pk for r in returns.values()])
    return [
        loading.school_figures(s, returns[s.pk], classes.get(returns[s.pk].pk, ()), rooms.get(returns[s.pk].pk, ()))
        for s in schools
        if s.pk in returns
    ]


# Parts already read or written by this process, by round: key → (digest, part). A part is immutable and its digest
# (the hex of its signature) names its bytes, so a part whose digest is unchanged is taken from here instead of being
# unpickled again: a worker that recomputed a round keeps its parts for the next change. A few rounds at most.
_SEEN: dict[int, dict[str, tuple[str, FamilyPart]]] = {}
_ROUNDS_KEPT = 3
_lock = threading.Lock()


def _seen(round_id: int) -> dict[str, tuple[str, FamilyPart]]:
    with _lock:
        found = _SEEN.pop(round_id, {})
        _SEEN[round_id] = found  # most recently used last
        while len(_SEEN) > _ROUNDS_KEPT:
            _SEEN.pop(next(iter(_SEEN)))
        return found


def forget() -> None:
    """Drop what this process keeps (tests, benchmarks of a cold worker)."""
    with _lock:
        _SEEN.clear()


def listing(*, round: CollectionRound) -> dict[str, tuple[str, str]]:
    """key → (fingerprint, digest) of every stored part of the round, without their data: one query."""
    rows = EvaluationPart.objects.filter(round=round).values_list("key", "fingerprint", "digest")
    return {k: (fp, digest) for k, fp, digest in rows}


def stored(
    *,
    round: CollectionRound,
    skip: Iterable[str] = (),
    only: Iterable[str] | None = None,
    listed: dict[str, tuple[str, str]] | None = None,
) -> dict:
    """The round's stored parts but those of `skip` (or only those of `only`): key → (fingerprint, part); `listed`:
    the round's `listing` when the caller has read it (the parts are then taken from it, not listed again).
    Raises BadPart."""
    rows = EvaluationPart.objects.filter(round=round)
    if listed is None:
        if only is not None:
            rows = rows.filter(key__in=sorted(only))
        elif skip:
            rows = rows.exclude(key__in=sorted(skip))
        picked = list(rows.values_list("key", "fingerprint", "digest"))
    else:
        only, skip = (None if only is None else set(only)), set(skip)
        picked = [
            (k, fp, digest) for k, (fp, digest) in listed.items() if (k in only if only is not None else k not in skip)
        ]
    seen = _seen(round.pk)
    missing = [k for k, _fp, digest in picked if seen.get(k, ("",))[0] != digest]
    if missing:
        key = _key()
        wanted = set(missing)
        fetch = rows if len(missing) > len(picked) // 2 else rows.filter(key__in=sorted(missing))
        for k, digest, data in fetch.values_list("key", "digest", "data").iterator(2000):
            if k in wanted:
                seen[k] = (digest, load(data, key))
    return {k: (fp, seen[k][1]) for k, fp, _digest in picked}


def save(*, round: CollectionRound, parts: dict[str, FamilyPart], prints: dict[str, str], drop: Iterable[str] = ()):
    """Write the given families' parts (replacing what was stored for them and for `drop`); `drop=None`: every
    stored part of the round goes first."""
    rows = EvaluationPart.objects.filter(round=round)
    if drop is not None:
        rows = rows.filter(key__in=sorted({*parts, *drop}))
    rows._raw_delete(rows.db)
    seen = _seen(round.pk)
    if drop is None:
        seen.clear()
    rows = []
    for k, part in parts.items():
        data = dump(part)
        digest = data[: _DIGEST().digest_size].hex()
        rows.append({"round_id": round.pk, "key": k, "fingerprint": prints[k], "digest": digest, "data": data})
        seen[k] = (digest, part)
    bulk.insert(EvaluationPart, rows)  # plain rows: 10,000 model instances cost a tenth of a second
