"""The two ways a round's results are computed: from scratch, or from what changed.

From scratch (`recompute_full`): every return of the round is loaded, every family of schools evaluated, and every
family's part stored next to the results (`indicators.parts`).

From what changed (`recompute_changed`): the families to evaluate again are those of the schools marked dirty since
the last run and those whose fingerprint moved (a school's identity, or the approved return it rests on, changed;
a school opened, closed or gained figures). Only their returns are loaded; the other families' parts are read back as
stored, and the county rules (CVs, the county verdict and summary, gaps, CV improvements) are applied to all parts as
a from-scratch evaluation applies them — so the stored rows are the same, value for value. Only the re-evaluated
schools' rows are compared and written; the county rows (CVs, summary) are compared and written as always.
"""

from __future__ import annotations

from collections.abc import Iterable

from schools.models import CollectionRound, School

from . import loading, parts, storing
from .domain.evaluate import evaluate_parts
from .domain.families import family_parts
from .domain.memo import Memo

# What the last run of a round derived from its parts (gaps, their JSON form), for the next run: see domain.memo.
_MEMOS: dict[int, Memo] = {}
_ROUNDS_KEPT = 3


def _memo(round_id: int) -> Memo:
    memo = _MEMOS.pop(round_id, None) or Memo()
    _MEMOS[round_id] = memo  # most recently used last
    while len(_MEMOS) > _ROUNDS_KEPT:
        _MEMOS.pop(next(iter(_MEMOS)))
    memo.turn()
    return memo


def recompute_full(*, round: CollectionRound) -> dict:
    inp, meta = loading.evaluation_input(round=round)
    found = family_parts(inp.schools, inp.standard, inp.teaching_point_policy)
    memo = _memo(round.pk)
    evaluation = evaluate_parts(inp, found.values(), [s.code for s in inp.schools], memo)
    stats = storing.store(round=round, evaluation=evaluation, meta=meta, memo=memo)
    prints = parts.county(round=round).fingerprints()
    # A family whose figures moved between the two reads gets no fingerprint that matches: evaluated again next time.
    parts.save(round=round, parts=found, prints={k: prints.get(k, "") for k in found}, drop=None)
    return {**stats, "mode": "full", "school_ids": None}


def recompute_changed(*, round: CollectionRound, dirty: Iterable[int]) -> dict:
    """Raises parts.BadPart (before writing anything) when a stored part cannot be read: recompute from scratch."""
    county = parts.county(round=round)
    prints = county.fingerprints()
    keys = county.family_keys()
    dirty = set(dirty)
    listed = parts.listing(round=round)  # one read of the stored parts' names for the three uses below
    before = {k: fp for k, (fp, _digest) in listed.items()}
    changed = {k for k, fp in prints.items() if before.get(k) != fp}
    changed |= {keys[row[1]] for row in county.schools if row[0] in dirty and row[1] in keys}
    removed = set(before) - set(prints)
    kept = parts.stored(round=round, skip=changed | removed, listed=listed)
    old = parts.stored(round=round, only=changed | removed, listed=listed)  # what the changed families were

    members = [row[0] for row in county.schools if row[1] in keys and keys[row[1]] in changed]
    inp, meta = loading.county_input(
        round=round,
        schools=parts.figures(round=round, school_ids=members),
        expected_school_codes=[row[1] for row in county.schools],
    )
    found = family_parts(inp.schools, inp.standard, inp.teaching_point_policy)
    everything = {k: part for k, (_fp, part) in kept.items()} | found
    codes = [row[1] for row in county.schools if row[0] in county.returns]
    memo = _memo(round.pk)
    evaluation = evaluate_parts(inp, everything.values(), codes, memo)

    refs = county.refs()
    touched = {code for k in found for code in found[k].codes} | {c for _fp, p in old.values() for c in p.codes}
    ids = {refs[c].pk for c in touched if c in refs} | dirty
    gone = touched - set(refs)  # schools no longer open in the year: their rows go
    if gone:
        ids |= set(School.all_objects.filter(code__in=sorted(gone)).values_list("pk", flat=True))
    meta |= {"schools_by_code": refs, "basis": parts.basis(round, county)}
    stats = storing.store(round=round, evaluation=evaluation, meta=meta, school_ids=sorted(ids), memo=memo)
    parts.save(round=round, parts=found, prints={k: prints[k] for k in found}, drop=changed | removed)
    return {**stats, "mode": "changed", "school_ids": sorted(ids), "families": len(found)}
