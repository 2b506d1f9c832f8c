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
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

from .cv import Moments, Pair, moments, sum_moments
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


Lists = defaultdict[Any, list[tuple[int, Any]]]


def place(
    part: FamilyPart, standard: Standard, details: bool, key: Callable[[int, str], int], lists: Lists
) -> dict[tuple[str, str], list[Pair]]:
    """Put everything the county rules take from one part in `lists` (by list name) as (key, element), the key from
    `key(rank, school code)` plus the element's index in its part; return the part's CV pairs (P_i, X_i) by
    (section, indicator). Keys give the order `families.assemble` gives: (group, position of the school, index)."""
    codes = standard.resource_codes
    unit_gaps = raw(resource_gaps)
    pairs: dict[tuple[str, str], list[Pair]] = {}
    results, rule_blocking, rule_no_data = lists["results"], lists["rule_blocking"], lists["rule_no_data"]
    result_gaps = lists["result_gaps"]
    for i, (g, r) in enumerate(part.results):
        unit = r.unit
        section = unit.section
        if section not in EVALUATED_SECTIONS:
            raise KeyError(section)
        k = key(g, unit.school_code) + i
        results.append((k, r))
        if r.passed is False:
            rule_blocking.append((k, rule_finding(r)))
        elif r.passed is None:
            rule_no_data.append((k, no_data_finding(r)))
        if details:
            found = unit_gaps(r, standard)
            if found:
                result_gaps.append((k, found))
        students = unit.students
        values = r.results
        for code in codes:
            value = values[code].value
            if value is None or students is None:
                lists[("missing", section, code)].append((k, unit.school_code))
            else:
                pairs.setdefault((section, code), []).append((students, value))
    for j, ((phase, point), n) in enumerate(part.not_evaluated):
        lists["not_evaluated"].append((key(phase * 2 + point, n.school_code) + j, n))
    for j, f in enumerate(part.no_data):
        lists["plan_no_data"].append((key(0, f.school_code) + j, f))
    for j, (k, v) in enumerate(part.merged.items()):
        lists["merged"].append((key(0, v[0]) + j, (k, v)))
    for code in SCHOOL_ITEMS:
        reason = "veto" if code.startswith("V") else "not_met"
        checks = lists[("checks", code)]
        for j, (g, c) in enumerate(part.checks[code]):
            k = key(g, c.school_code) + j
            checks.append((k, c))
            if c.status == NOT_MET:
                lists[("check_blocking", code)].append((k, check_finding(c, code, reason)))
                if details:
                    found = check_gaps(c)
                    if found:
                        lists[("check_gaps", code)].append((k, found))
            elif c.status == NO_DATA:
                lists[("check_no_data", code)].append((k, check_finding(c, code, reason)))
    return pairs


def part_pairs(part: FamilyPart, codes: Sequence[str]) -> dict[tuple[str, str], list[Pair]]:
    """The part's CV pairs (P_i, X_i) by (section, indicator), as `place` gives them."""
    pairs: dict[tuple[str, str], list[Pair]] = {}
    for _g, r in part.results:
        students = r.unit.students
        if students is None:
            continue
        for code in codes:
            value = r.results[code].value
            if value is not None:
                pairs.setdefault((r.unit.section, code), []).append((students, value))
    return pairs


class _Clash(Exception):
    """Two parts place an element at the same key (a school in two families), or positions ran out: build again."""


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

    def remove(self, key: int) -> None:
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
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
_SPACING = 1 << 12  # room between two schools' positions for schools that join the order later


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode()) % _BUCKETS


def _placed_positions(old: dict[str, int], order: list[str], width: int) -> dict[str, int] | None:
    """Positions for `order` that keep the old ones of the schools still in it, in the same order, and place the new
    ones between their neighbours; None when the old ones are no longer in order or there is no room left."""
    out: dict[str, int] = {}
    pending: list[str] = []
    last = -1

    def place(upto: int) -> bool:
        room = upto - last - 1
        if len(pending) > room:
            return False
        step = (room + 1) // (len(pending) + 1)
        for n, code in enumerate(pending, 1):
            out[code] = last + n * step
        pending.clear()
        return True

    for code in order:
        p = old.get(code)
        if p is None:
            pending.append(code)
            continue
        if p <= last or (pending and not place(p)):
            return None
        out[code] = last = p
    if pending and not place(width):
        return None
    return out if len(out) == len(order) else None


class Assembly:
    """The county's lists and CV moments from its families' parts, patched from the last run's when few changed."""

    def __init__(self) -> None:
        self.valid = False  # False while patching, and after a build that found a clash: the next run builds again
        self.context: tuple = ()
        self.order: list[str] = []
        self.pos: dict[str, int] = {}
        self.width = 1
        self.parts: dict[str, FamilyPart] = {}
        self.owner: dict[str, str] = {}  # school code -> key of the part that has it
        self.streams: dict[Any, Stream] = {}
        self.sections: dict[str, int] = {}  # rows per section
        self.buckets: list[dict[str, FamilyPart]] = []
        self.bucket_sums: list[dict[tuple[str, str], Moments] | None] = []

    # ------------------------------------------------------------------------------------------------ updating

    def update(
        self, parts: Iterable[FamilyPart], order: Sequence[str], standard: Standard, policy: str, details: bool
    ) -> Assembly:
        parts = list(parts)
        order = list(order)
        context = (standard, policy, details)
        keys = list(map(attrgetter("key"), parts))
        by_key = dict(zip(keys, parts, strict=True))
        if self.valid and len(by_key) == len(parts) and self.context == context:
            changed = [p for p, old in zip(parts, map(self.parts.get, keys), strict=True) if old is not p]
            removed = self.parts.keys() - by_key.keys()
            if (len(changed) + len(removed)) * _REBUILD_SHARE <= len(parts):
                try:
                    self._patch(changed, removed, order)
                    return self
                except _Clash:
                    pass
        self._build(parts, order, context)
        return self

    def _keyer(self, pos: dict[str, int]) -> Callable[[int, str], int]:
        width = self.width

        def key(rank: int, school: str) -> int:
            return ((rank * width) + pos[school]) * _TIE

        return key

    def _build(self, parts: list[FamilyPart], order: list[str], context: tuple) -> None:
        self.valid = False
        standard, _policy, details = context
        self.context, self.order = context, order
        self.width = (len(order) + 1) * _SPACING
        self.pos = {code: (i + 1) * _SPACING for i, code in enumerate(order)}
        key = self._keyer(self.pos)
        lists: Lists = defaultdict(list)
        bucket_pairs: list[dict[tuple[str, str], list[list[Pair]]]] = [{} for _ in range(_BUCKETS)]
        self.buckets = [{} for _ in range(_BUCKETS)]
        self.parts = {}
        self.owner = {}
        sections = {s: 0 for s in EVALUATED_SECTIONS}
        for p in parts:
            pairs = place(p, standard, details, key, lists)
            b = _bucket(p.key)
            self.buckets[b][p.key] = p
            into = bucket_pairs[b]
            for sc, found in pairs.items():
                into.setdefault(sc, []).append(found)
            self.parts[p.key] = p
            for code in p.codes:
                self.owner[code] = p.key
            for _g, r in p.results:
                sections[r.unit.section] += 1
        self.sections = sections
        self.streams = {name: Stream(items) for name, items in lists.items()}
        self.bucket_sums = [{sc: moments(chain.from_iterable(ls)) for sc, ls in by.items()} for by in bucket_pairs]
        # A clash (one school in two parts) is ordered by the parts' order, as a full sort does; it cannot be patched.
        self.valid = len(self.parts) == len(parts) and all(s.unique() for s in self.streams.values())

    def _patch(self, changed: list[FamilyPart], removed: Iterable[str], order: list[str]) -> None:
        self.valid = False
        standard, _policy, details = self.context
        gone: set[str] = set()
        pos = self.pos
        if order != self.order:
            pos = _placed_positions(self.pos, order, self.width)
            if pos is None:
                raise _Clash(order)
            gone = self.pos.keys() - pos.keys()
        old_lists: Lists = defaultdict(list)
        key = self._keyer(self.pos | pos)  # the parts taken out may name schools that left the order
        for k in [*removed, *(p.key for p in changed if p.key in self.parts)]:
            old = self.parts.pop(k)
            place(old, standard, details, key, old_lists)
            for code in old.codes:
                if self.owner.get(code) == k:
                    del self.owner[code]
            for _g, r in old.results:
                self.sections[r.unit.section] -= 1
            b = _bucket(k)
            del self.buckets[b][k]
            self.bucket_sums[b] = None
        for name, items in old_lists.items():
            stream = self.streams[name]
            for k, _obj in items:
                stream.remove(k)
        new_lists: Lists = defaultdict(list)
        key = self._keyer(pos)
        for p in changed:
            place(p, standard, details, key, new_lists)
            self.parts[p.key] = p
            for code in p.codes:
                self.owner[code] = p.key
            for _g, r in p.results:
                self.sections[r.unit.section] += 1
            b = _bucket(p.key)
            self.buckets[b][p.key] = p
            self.bucket_sums[b] = None
        for name, items in new_lists.items():
            stream = self.streams.get(name)
            if stream is None:
                stream = self.streams[name] = Stream()
            for k, obj in items:
                stream.add(k, obj)
        if any(code in self.owner for code in gone):
            raise _Clash(gone)  # a part kept names a school no longer in the order: as from scratch (a KeyError)
        self.order, self.pos = order, pos
        self.valid = True

    # ------------------------------------------------------------------------------------------------ reading

    def objs(self, name: Any) -> list:
        return self.streams.get(name, _EMPTY).objs

    def count(self, name: Any) -> int:
        return len(self.streams.get(name, _EMPTY).keys)

    def rows(self, section: str) -> list[SectionResult]:
        """The section's rows in order (for the few uses that need them: CV improvements, inexact moments)."""
        return [r for r in self.objs("results") if r.unit.section == section]

    def flat(self, name: Any) -> Iterable[Gap]:
        return chain.from_iterable(self.objs(name))

    def moments(self) -> dict[tuple[str, str], Moments]:
        """The county's exact CV moments by (section, indicator): the buckets' sums, each summed again only when
        one of its parts changed."""
        codes = self.context[0].resource_codes
        total: dict[tuple[str, str], list[Moments]] = {}
        for b, members in enumerate(self.buckets):
            sums = self.bucket_sums[b]
            if sums is None:
                lists: dict[tuple[str, str], list[list[Pair]]] = {}
                for part in members.values():
                    for sc, pairs in part_pairs(part, codes).items():
                        lists.setdefault(sc, []).append(pairs)
                sums = self.bucket_sums[b] = {sc: moments(chain.from_iterable(ls)) for sc, ls in lists.items()}
            for sc, m in sums.items():
                total.setdefault(sc, []).append(m)
        return {sc: sum_moments(found) for sc, found in total.items()}
