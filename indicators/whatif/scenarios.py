"""Scenarios (模拟测算方案): run changes against a round without touching its stored results; save and delete.

A run loads the round with `loading.evaluation_input` (a fixed number of queries), applies the changes with the
pure `whatif.apply_changes`, evaluates, and compares with the baseline: the stored results of the round when they
are up to date, otherwise (never computed, or stale) the evaluation of the unchanged input, and the page says so.
Reading the stored baseline takes a fixed number of queries too, whatever the number of schools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongqing import audit, softdelete
from schools.models import CollectionRound

from .. import loading, storing
from ..models import CostSettings, EvaluationState, Scenario, SchoolResult, SectionCV, SectionVerdict
from ..selectors import summary_document
from . import changes as whatif


@dataclass
class Run:
    """One what-if run: the changes as stored, any refusals, and the comparison (None when refused)."""

    changes: list[dict]
    errors: list[str] = field(default_factory=list)
    before: dict | None = None
    after: dict | None = None
    comparison: dict | None = None
    baseline_stored: bool = True
    names: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @property
    def changed_codes(self) -> list[str]:
        return list(dict.fromkeys(c["school"] for c in self.changes if c.get("school")))


@dataclass
class Loaded:
    """A round loaded once: the pure input, its meta, the baseline snapshot and the unit costs."""

    round: CollectionRound
    inp: Any
    meta: dict
    baseline: dict
    baseline_stored: bool
    unit_costs: dict
    names: dict[str, str]

    def school_choices(self) -> list[tuple[str, str]]:
        return [(s.code, f"{s.name}（{s.code}）") for s in self.inp.schools]


def _unit_costs() -> dict:
    row = CostSettings.objects.order_by("pk").first()
    return dict(row.data) if row else {}


def stored_snapshot(*, round: CollectionRound, state: EvaluationState, unit_costs: dict) -> dict:
    """The round's stored results in the shape of `whatif.snapshot` (four queries)."""
    cvs: dict[str, dict] = {}
    for cv in SectionCV.objects.filter(round=round).order_by("section", "code"):
        cvs.setdefault(cv.section, {})[cv.code] = {
            "mean": cv.mean,
            "sd": cv.sd,
            "cv": cv.cv,
            "limit": cv.limit,
            "met": cv.met,
        }
    schools: dict[str, dict] = {}
    verdicts = SectionVerdict.objects.filter(round=round).values(
        "school__code", "school__name", "section", "students", "met_count", "status"
    )
    for v in verdicts.order_by("school__code", "section"):
        schools.setdefault(v["school__code"], {})[v["section"]] = {
            "name": v["school__name"],
            "students": v["students"],
            "values": {},
            "thresholds": {},
            "status": {},
            "met_count": v["met_count"],
            "verdict": v["status"],
        }
    results = SchoolResult.objects.filter(round=round, code__in=whatif.R_CODES).values(
        "school__code", "section", "code", "value", "threshold", "status"
    )
    for r in results.order_by("school__code", "section", "code"):
        row = schools.get(r["school__code"], {}).get(r["section"])
        if row is not None:
            row["values"][r["code"]] = r["value"]
            row["thresholds"][r["code"]] = r["threshold"]
            row["status"][r["code"]] = r["status"]
    return {
        "summary": summary_document(state),  # the baseline's blocking sentences, compared with the scenario's
        "policy": state.policy,
        "cvs": cvs,
        "schools": schools,
        "costing": whatif.costing_totals(storing.stored_gaps(state), unit_costs),
    }


def load(*, round: CollectionRound) -> Loaded:
    inp, meta = loading.evaluation_input(round=round)
    unit_costs = _unit_costs()
    state = EvaluationState.objects.filter(round=round).first()
    if state is not None and state.computed_version and not state.is_stale:
        baseline, stored = stored_snapshot(round=round, state=state, unit_costs=unit_costs), True
    else:
        ev = loading.evaluate(inp)
        baseline, stored = whatif.snapshot(ev, storing.summary(ev, meta), unit_costs), False
    names = {code: s.name for code, s in meta["schools_by_code"].items()}
    return Loaded(round, inp, meta, baseline, stored, unit_costs, names)


def run(loaded: Loaded, changes: list) -> Run:
    """Apply `changes` to the loaded round and compare with the baseline; refusals are returned, not raised."""
    try:
        inp, stored_changes = whatif.apply_changes(loaded.inp, changes)
    except whatif.ChangeError as exc:
        kept = [c for c in changes if isinstance(c, dict)]
        lines = [_line(c, loaded.names) for c in kept]
        return Run(changes=kept, errors=exc.messages, before=loaded.baseline, names=loaded.names, lines=lines)
    ev = loading.evaluate(inp)
    after = whatif.snapshot(ev, storing.summary(ev, loaded.meta), loaded.unit_costs)
    out = Run(
        changes=stored_changes,
        before=loaded.baseline,
        after=after,
        baseline_stored=loaded.baseline_stored,
        names=loaded.names,
    )
    out.comparison = whatif.compare(loaded.baseline, after, focus=out.changed_codes, names=loaded.names)
    out.lines = [whatif.describe_change(c, loaded.names) for c in stored_changes]
    return out


def _line(change: dict, names: dict[str, str]) -> str:
    """A refused change still gets a line (so it can be removed); one that cannot be read shows as its JSON."""
    try:
        return whatif.describe_change(change, names)
    except (ArithmeticError, ValueError, TypeError):
        return json.dumps(change, ensure_ascii=False)[:200]


def result_to_store(r: Run) -> dict:
    """What a saved scenario keeps of its run: the county summary, CVs, costing, and the changed school rows."""
    if r.after is None or r.comparison is None:
        return {}
    shown = {row["code"] for row in r.comparison["schools"]}
    after = {**r.after, "schools": {c: v for c, v in r.after["schools"].items() if c in shown}}
    return storing.json_safe({**after, "baseline_stored": r.baseline_stored})


def scenario_save(
    *, round: CollectionRound, name: str, r: Run, by, scenario: Scenario | None = None, request=None
) -> Scenario:
    """Create or update a scenario with the (already validated) changes of a run and its result."""
    if r.errors:
        raise ValueError("a scenario with refused changes cannot be saved")
    with transaction.atomic():
        if scenario is None:
            scenario = Scenario.objects.create(
                round=round, name=name, changes=r.changes, result=result_to_store(r), created_by=by
            )
            action = "scenario.create"
        else:
            scenario.name = name
            scenario.changes = r.changes
            scenario.result = result_to_store(r)
            scenario.save(update_fields=["name", "changes", "result", "updated_at"])
            action = "scenario.update"
        audit.record(action=action, user=by, request=request, obj=scenario, name=name, changes=len(r.changes))
    return scenario


def scenario_delete(*, scenario: Scenario, by, request=None) -> None:
    with transaction.atomic():
        softdelete.soft_delete(obj=scenario, by=by, request=request, name=scenario.name)  # restorable
