"""The families' parts in the county's order, and what the county rules read of them, kept from one run to the next.

`evaluate.evaluate_parts` needs the parts' rows, checks, findings and gaps in the order of a whole-county evaluation,
and the sums behind each section's CVs. After one school's change every other part is the very same object as last
run (`indicators.parts` keeps them by digest), so `Assembly` keeps all of it and, when few parts changed, takes the
changed parts' entries out and puts the new ones in: the cost grows with the change, not with the county. Otherwise
(first run, another order of schools, another standard, many parts changed) it is built again from every part, as a
fresh `Assembly` always is; the two give the same lists, element for element.

Each entry is ordered by an integer key: (group, position of its school in the county's order, index in its part),
the same order `families.assemble` gives by a stable sort. The CV moments (`cv.Moments`, exact) are summed per bucket
of parts (by a hash of the family's key) and the buckets summed per run, so a change re-adds one bucket.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from .cv import NO_MOMENTS, Moments, Pair, add_moments, moments
from .decimals import raw
from .families import SCHOOL_ITEMS, FamilyPart
from .gaps import Gap, check_gaps, resource_gaps
from .guarantee import SchoolCheck
from .resource import SectionResult
from .sections import EVALUATED_SECTIONS
from .standard import Standard
from .status import NO_DATA, NOT_MET, Finding

_TIE = 1 << 20  # more entries than one part has in one list: the index within the part breaks ties
_BUCKETS = 64
_REBUILD_SHARE = 4  # more than 1/4 of the parts changed: build again rather than patch


def rule_finding(r: SectionResult) -> Finding:
    detail: dict[str, Any] = {
        "missed": list(r.missed),
        "below_floor": [c for c in r.missed if not r.results[c].within_tolerance],
        "met_count": r.met_count,
    }
    return Finding("R", "school_rule", r.school_code, r.section, True, detail)


def no_data_finding(r: SectionResult) -> Finding:
    return Finding("R", "no_data", r.school_code, r.section, detail={"codes": list(r.no_data)})


def check_finding(c: SchoolCheck, code: str, reason: str) -> Finding:
    if c.status == NOT_MET:
        return Finding(code, reason, c.school_code, detail=c.detail)
    return Finding(code, c.reason or "no_data", c.school_code)


class Entries(NamedTuple):
    """What one part gives the county lists, independent of the county's order: (list name, rank, school code,
    index, object) — the key is made from rank, position of the school and index — and its CV moments."""

    placed: tuple[tuple[Any, int, str, int, Any], ...]
    pairs: dict[tuple[str, str], list[Pair]]  # the CV pairs (P_i, X_i) by (section, indicator)


def part_entries(part: FamilyPart, standard: Standard, details: bool) -> Entries:
    """Everything the county rules take from one part, each element with what orders it."""
    placed: list[tuple[Any, int, str, int, Any]] = []
    add = placed.append
    codes = standard.resource_codes
    unit_gaps = raw(resource_gaps)
    pairs: dict[tuple[str, str], list[Pair]] = {}
    for i, (g, r) in enumerate(part.results):
        code_of = r.unit.school_code
        section = r.unit.section
        if section not in EVALUATED_SECTIONS:
            raise KeyError(section)
        add(("results", g, code_of, i, r))
        add((("section", section), g, code_of, i, r))
        if r.passed is False:
            add(("rule_blocking", g, code_of, i, rule_finding(r)))
        elif r.passed is None:
            add(("rule_no_data", g, code_of, i, no_data_finding(r)))
        if details:
            found = unit_gaps(r, standard)
            if found:
                add(("result_gaps", g, code_of, i, found))
        students = r.unit.students
        for code in codes:
            value = r.results[code].value
            if value is None or students is None:
                add((("missing", section, code), g, code_of, i, code_of))
            else:
                pairs.setdefault((section, code), []).append((students, value))
    for j, ((phase, point), n) in enumerate(part.not_evaluated):
        add(("not_evaluated", phase * 2 + point, n.school_code, j, n))
    for j, f in enumerate(part.no_data):
        add(("plan_no_data", 0, f.school_code, j, f))
    for j, (k, v) in enumerate(part.merged.items()):
        add(("merged", 0, v[0], j, (k, v)))
    for code in SCHOOL_ITEMS:
        reason = "veto" if code.startswith("V") else "not_met"
        for j, (g, c) in enumerate(part.checks[code]):
            school = c.school_code
            add((("checks", code), g, school, j, c))
            if c.status == NOT_MET:
                add((("check_blocking", code), g, school, j, check_finding(c, code, reason)))
                if details:
                    found = check_gaps(c)
                    if found:
                        add((("check_gaps", code), g, school, j, found))
            elif c.status == NO_DATA:
                add((("check_no_data", code), g, school, j, check_finding(c, code, reason)))
    return Entries(tuple(placed), pairs)


class _Clash(Exception):
    """Two parts place an element at the same key (a school in two families): the lists are built again."""


class Stream:
    """Elements sorted by unique integer keys; an element is taken out and put in by its key."""

    __slots__ = ("keys", "objs")

    def __init__(self, entries: list[tuple[int, Any]] | None = None) -> None:
        entries = entries or []
        entries.sort(key=itemgetter(0))  # stable: equal keys (a clash) keep the parts' order, as a full sort does
        self.keys = list(map(itemgetter(0), entries))
        self.objs = list(map(itemgetter(1), entries))

    def unique(self) -> bool:
        return len(set(self.keys)) == len(self.keys)

    def remove(self, key: int, obj: Any) -> None:
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key or self.objs[i] is not obj:
            raise _Clash(key)
        del self.keys[i]
        del self.objs[i]

    def add(self, key: int, obj: Any) -> None:
        i = bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            raise _Clash(key)
        self.keys.insert(i, key)
        self.objs.insert(i, obj)


_EMPTY = Stream()


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode()) % _BUCKETS


class Assembly:
    """The county's lists and CV moments from its families' parts, patched from the last run's when few changed."""

    def __init__(self) -> None:
        self.valid = False  # False while patching, and after a build that found a clash: the next run builds again
        self.context: tuple = ()
        self.order: list[str] = []
        self.pos: dict[str, int] = {}
        self.parts: dict[str, tuple[FamilyPart, Entries]] = {}
        self.streams: dict[Any, Stream] = {}
        self.buckets: list[dict[str, dict[tuple[str, str], list[Pair]]]] = []
        self.bucket_sums: list[dict[tuple[str, str], Moments] | None] = []

    # ------------------------------------------------------------------------------------------------ updating

    def update(
        self, parts: Iterable[FamilyPart], order: Sequence[str], standard: Standard, policy: str, details: bool
    ) -> Assembly:
        parts = list(parts)
        order = list(order)
        context = (standard, policy, details)
        by_key = {p.key: p for p in parts}
        same = self.valid and len(by_key) == len(parts) and self.context == context and self.order == order
        if same:
            changed = [p for p in parts if (self.parts.get(p.key) or (None,))[0] is not p]
            removed = self.parts.keys() - by_key.keys()
            if (len(changed) + len(removed)) * _REBUILD_SHARE <= len(parts):
                try:
                    self._patch(changed, removed, standard, details)
                    return self
                except _Clash:
                    pass
        self._build(parts, order, context)
        return self

    def _keyer(self):
        pos, width = self.pos, len(self.order) or 1

        def key(rank: int, school: str, index: int) -> int:
            return ((rank * width) + pos[school]) * _TIE + index

        return key

    def _build(self, parts: list[FamilyPart], order: list[str], context: tuple) -> None:
        self.valid = False
        standard, _policy, details = context
        kept = self.parts if self.context == context else {}
        self.context, self.order = context, order
        self.pos = {code: i for i, code in enumerate(order)}
        key = self._keyer()
        lists: dict[Any, list[tuple[int, Any]]] = {}
        entries: dict[str, tuple[FamilyPart, Entries]] = {}
        buckets: list[dict[str, dict[tuple[str, str], list[Pair]]]] = [{} for _ in range(_BUCKETS)]
        for p in parts:
            old = kept.get(p.key)
            e = old[1] if old is not None and old[0] is p else part_entries(p, standard, details)
            entries[p.key] = (p, e)
            for name, rank, school, index, obj in e.placed:
                lists.setdefault(name, []).append((key(rank, school, index), obj))
            buckets[_bucket(p.key)][p.key] = e.pairs
        self.parts = entries
        self.streams = {name: Stream(items) for name, items in lists.items()}
        self.buckets = buckets
        self.bucket_sums = [None] * _BUCKETS
        # A clash (one school in two parts) is ordered by the parts' order, as a full sort does; it cannot be patched.
        self.valid = len(entries) == len(parts) and all(s.unique() for s in self.streams.values())

    def _patch(self, changed: list[FamilyPart], removed: Iterable[str], standard: Standard, details: bool) -> None:
        self.valid = False
        key = self._keyer()
        for k in [*removed, *(p.key for p in changed if p.key in self.parts)]:
            _old_part, e = self.parts.pop(k)
            for name, rank, school, index, obj in e.placed:
                self.streams[name].remove(key(rank, school, index), obj)
            b = _bucket(k)
            del self.buckets[b][k]
            self.bucket_sums[b] = None
        for p in changed:
            e = part_entries(p, standard, details)
            self.parts[p.key] = (p, e)
            for name, rank, school, index, obj in e.placed:
                stream = self.streams.get(name)
                if stream is None:
                    stream = self.streams[name] = Stream()
                stream.add(key(rank, school, index), obj)
            b = _bucket(p.key)
            self.buckets[b][p.key] = e.pairs
            self.bucket_sums[b] = None
        self.valid = True

    # ------------------------------------------------------------------------------------------------ reading

    def objs(self, name: Any) -> list:
        return self.streams.get(name, _EMPTY).objs

    def count(self, name: Any) -> int:
        return len(self.streams.get(name, _EMPTY).keys)

    def flat(self, name: Any) -> Iterable[Gap]:
        return chain.from_iterable(self.objs(name))

    def moments(self) -> dict[tuple[str, str], Moments]:
        """The county's exact CV moments by (section, indicator): the buckets' sums, each summed again only when
        one of its parts changed."""
        total: dict[tuple[str, str], Moments] = {}
        for b, members in enumerate(self.buckets):
            sums = self.bucket_sums[b]
            if sums is None:
                lists: dict[tuple[str, str], list[list[Pair]]] = {}
                for found in members.values():
                    for sc, pairs in found.items():
                        lists.setdefault(sc, []).append(pairs)
                sums = self.bucket_sums[b] = {sc: moments(chain.from_iterable(ls)) for sc, ls in lists.items()}
            for sc, m in sums.items():
                total[sc] = add_moments(total.get(sc, NO_MOMENTS), m)
        return total
