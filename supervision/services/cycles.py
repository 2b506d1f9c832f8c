"""Cycles and the plan: a cycle with its dated stages, the plan's measures seeded into it, a measure edited,
the routing rules."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from gongqing import audit

from .. import rules
from ..models import (
    Body,
    BodyRole,
    Cycle,
    Measure,
    MeasureBody,
    RoutingRule,
    Stage,
)
from ..plan import MEASURES, PUBLISHED_STAGES, TOWNSHIPS
from .changes import record_change


@transaction.atomic  # the cycle and its stages, or nothing
def cycle_create(*, name: str, stages: list[rules.StageDates], read_only: bool = False, note: str = "") -> Cycle:
    names = {n: title for n, title, _s, _e in PUBLISHED_STAGES}
    cycle = Cycle.objects.create(name=name, read_only=read_only, note=note)
    Stage.objects.bulk_create(
        [Stage(cycle=cycle, number=s.number, name=names[s.number], starts=s.starts, ends=s.ends) for s in stages]
    )
    return cycle


def cycle_add(
    *, name: str, stages: list[rules.StageDates], note: str = "", seed_measures: bool = True, by, request=None
) -> Cycle:
    """The bureau opens a new cycle (e.g. a re-evaluation): its five dated stages and, unless told otherwise, the
    plan's measures due at the end of their stages. It becomes current only when the bureau says so."""
    with transaction.atomic():
        cycle = cycle_create(name=name, stages=stages, note=note)
        measures = measures_seed(cycle=cycle) if seed_measures else 0
        audit.record(action="supervision.cycle_create", user=by, request=request, obj=cycle, measures=measures)
    return cycle


def published_stage_dates() -> list[rules.StageDates]:
    return [rules.StageDates(n, starts, ends) for n, _name, starts, ends in PUBLISHED_STAGES]


def cycle_set_current(*, cycle: Cycle, by=None, request=None) -> None:
    with transaction.atomic():
        Cycle.objects.filter(is_current=True).exclude(pk=cycle.pk).update(is_current=False)
        Cycle.objects.filter(pk=cycle.pk).update(is_current=True)
        if by is not None:
            audit.record(action="supervision.cycle_current", user=by, request=request, obj=cycle)


def _body_codes(codes, townships: list[Body]) -> list[Body]:
    by_code = {b.code: b for b in Body.objects.filter(code__in=[c for c in codes if not c.startswith("@")])}
    out: list[Body] = []
    for code in codes:
        out.extend(townships if code == TOWNSHIPS else [by_code[code]] if code in by_code else [])
    return out


@transaction.atomic  # every measure with its bodies, or nothing
def measures_seed(*, cycle: Cycle) -> int:
    """Create the plan's measures in a cycle, each in its stage and due at the stage's end. Existing refs are kept."""
    stages = {s.number: s for s in cycle.stages.all()}
    townships = list(Body.objects.filter(kind="township").order_by("order"))
    created = 0
    for ref, title, stage_number, leads, cooperating in MEASURES:
        stage = stages.get(stage_number)
        measure, was_created = Measure.objects.get_or_create(
            cycle=cycle, ref=ref, defaults={"title": title, "stage": stage, "due_date": stage.ends if stage else None}
        )
        if not was_created:
            continue
        created += 1
        lead_bodies = _body_codes(leads, townships)
        lead_ids = {b.pk for b in lead_bodies}
        rows = [MeasureBody(measure=measure, body=b, role=BodyRole.LEAD) for b in lead_bodies]
        rows += [
            MeasureBody(measure=measure, body=b, role=BodyRole.COOPERATING)
            for b in _body_codes(cooperating, townships)
            if b.pk not in lead_ids
        ]
        MeasureBody.objects.bulk_create(rows, ignore_conflicts=True)
    return created


def measure_save(
    *,
    cycle: Cycle,
    ref: str,
    title: str,
    leads,
    cooperating,
    stage: Stage | None,
    due_date: datetime.date | None,
    by,
    measure: Measure | None = None,
    request=None,
) -> Measure:
    """Create or edit a measure of a cycle that is not archived: wording, stage, due date (the stage's end when left
    empty) and its bodies, which are replaced as a whole. One transaction, one audit row."""
    if cycle.read_only:
        raise rules.WorkflowError(_("该周期已归档，只读。"))
    with transaction.atomic():
        old = _measure_state(measure) if measure else None
        measure = measure or Measure(cycle=cycle)
        measure.ref, measure.title, measure.stage = ref, title, stage
        measure.due_date = due_date or (stage.ends if stage else None)
        measure._history_user = by
        measure.save()
        lead_ids = {b.pk for b in leads}
        MeasureBody.objects.filter(measure=measure).delete()
        MeasureBody.objects.bulk_create(
            [MeasureBody(measure=measure, body=b, role=BodyRole.LEAD) for b in leads]
            + [
                MeasureBody(measure=measure, body=b, role=BodyRole.COOPERATING)
                for b in cooperating
                if b.pk not in lead_ids
            ]
        )
        new = _measure_state(measure)
        record_change(action="supervision.measure_save", by=by, request=request, obj=measure, old=old, new=new)
    return measure


def _measure_state(measure: Measure) -> dict:
    """What the audit row keeps of a measure: its wording, stage, due date and bodies."""
    return {
        "ref": measure.ref,
        "title": measure.title,
        "stage": measure.stage_id,
        "due_date": str(measure.due_date or ""),
        "bodies": sorted(f"{a.role}:{a.body_id}" for a in measure.assignments.all()),
    }


def routing_save(*, code: str, bodies: list[str], by, request=None) -> RoutingRule:
    with transaction.atomic():
        rule, _created = RoutingRule.objects.get_or_create(code=code)
        old = list(rule.bodies)
        rule.bodies = bodies
        rule._history_user = by
        rule.save()
        audit.record(action="supervision.routing_save", user=by, request=request, obj=rule, old=old, new=bodies)
    return rule
