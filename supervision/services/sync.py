"""The ledger sync after a recompute: one item per failing key, updated, closed or reopened from the round's results."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import bulk
from indicators.domain.gcpause import gc_paused
from indicators.domain.status import MISSED
from indicators.labels import RESOURCE_LABELS, SECTION_LABELS, UNIT_LABELS
from indicators.models import EvaluationState, ResultRun, SchoolResult, SectionCV
from indicators.selectors import result_document

from .. import rules, selectors
from .. import targets as plan_targets
from ..models import (
    Body,
    BodyRole,
    ItemBody,
    ItemKind,
    ItemState,
    RectificationItem,
    RoutingRule,
    Stage,
    WorkStatus,
)
from ..plan import DEFAULT_ROUTE, TOWNSHIP, TOWNSHIPS


class Routing:
    """Routing rules resolved to bodies, with the township of a school looked up once per sync."""

    def __init__(self):
        self.rules = dict(RoutingRule.objects.values_list("code", "bodies"))
        self.bodies = {b.code: b for b in Body.objects.all()}
        self.township_bodies = {b.township_id: b for b in self.bodies.values() if b.township_id}

    def bodies_for(self, code: str, *, township_id: int | None) -> list[tuple[Body, str]]:
        out: list[tuple[Body, str]] = []
        for code_ in self.rules.get(code) or DEFAULT_ROUTE:
            if code_ == TOWNSHIPS:
                found = sorted((b for b in self.township_bodies.values()), key=lambda b: (b.order, b.code))
            else:
                found = [self.township_bodies.get(township_id) if code_ == TOWNSHIP else self.bodies.get(code_)]
            for body in found:
                if body is not None and all(b.pk != body.pk for b, _r in out):
                    out.append((body, BodyRole.LEAD if not out else BodyRole.COOPERATING))
        return out


def _default_schedule(on: datetime.date) -> tuple[Stage | None, datetime.date | None]:
    """New and reopened items go into the current cycle's current stage, due at its end."""
    cycle = selectors.current_cycle()
    if cycle is None:
        return None, None
    view = selectors.cycle_view(cycle, on=on)
    stage = view.current or (view.stages[0] if view.not_started and view.stages else None)
    return stage, (stage.ends if stage else None)


def _observations(round_, school_ids=None, keep=None) -> dict[str, dict]:
    """What the round says of every ledger key that fails, and of every key that exists: key → indicator facts.

    With `school_ids`, the school keys of those schools only (the county and CV keys always). With `keep` (the keys
    of the items there are), a school key that does not fail is looked at only when it is kept: the facts of the
    passing results no item follows are never read (90,000 of 120,000 results in a first sync at 10,000 schools)."""
    gaps: dict[tuple, dict[tuple, Decimal]] = {}
    codes = None
    if school_ids is not None:
        codes = set(SchoolResult.objects.filter(round=round_, school_id__in=school_ids).values_list("school__code"))
        codes = {c for (c,) in codes}
    result_gaps, result_items = _stored_gaps_and_items(round_, codes)
    for g in result_gaps:
        if codes is not None and g["school"] not in codes:
            continue
        # School-level items (G3, G5...) are stored without a section; their gaps may name one.
        section = g["section"] if g["code"].startswith("R") else ""
        by_resource = gaps.setdefault((g["school"], section, g["code"]), {})
        key = (g["resource"], g["unit"])
        by_resource[key] = by_resource.get(key, Decimal(0)) + Decimal(str(g["quantity"]))
    names = _indicator_names(round_)
    # Lazy translations resolved once, not once per row (some 300,000 gettext calls at 10,000 schools).
    section_labels = {k: str(v) for k, v in SECTION_LABELS.items()}
    gap_text = rules.gap_texts(labels=RESOURCE_LABELS, units=UNIT_LABELS)
    meets = str(_("达到指标要求"))
    out: dict[str, dict] = {}
    rows = SchoolResult.objects.filter(round=round_)
    if school_ids is not None:
        rows = rows.filter(school_id__in=school_ids)
    if keep is not None:  # the failing results, and those of the schools some kept item names
        followed = sorted({int(k.split(":")[1]) for k in keep if k.startswith("school:")})
        rows = rows.filter(Q(status__in=MISSED) | Q(school_id__in=followed))
    rows = rows.annotate(unit=KT("detail__unit")).values_list(
        "school_id",
        "school__code",
        "school__name",
        "school__township_id",
        "section",
        "code",
        "status",
        "value",
        "threshold",
        "gap",
        "unit",  # the one key read of the detail, as text: not every row's document decoded, nor its JSON string
    )
    failing_codes = set()
    for (
        school_id,
        school_code,
        school_name,
        township_id,
        section,
        code,
        status,
        value,
        threshold,
        gap,
        unit,
    ) in rows:  # one fetch: the observations built from the rows are larger than the rows themselves
        key = f"school:{school_id}:{section}:{code}"
        if status in MISSED:
            failing_codes.add(code)
            resource_gaps = gaps.get((school_code, section, code), {})
            target = (
                "；".join(
                    gap_text(resource=resource, quantity=quantity, unit=gap_unit)
                    for (resource, gap_unit), quantity in resource_gaps.items()
                )
                or meets
            )
        elif keep is not None and key not in keep:
            continue
        else:
            target = None
        label = section_labels.get(section, section)
        where = f"{school_name}（{label}）" if label else school_name
        out[key] = {
            "kind": ItemKind.SCHOOL,
            "school_id": school_id,
            "township_id": township_id,
            "section": section,
            "code": code,
            "status": rules.indicator_status(status),
            "value": value,
            "threshold": threshold,
            "gap": gap,
            "unit": unit or "",
            "target": target,
            "title": f"{where} {code} {names.get(code, '')}".strip(),
        }
    for section, code, cv, limit, met in SectionCV.objects.filter(round=round_).values_list(
        "section", "code", "cv", "limit", "met"
    ):
        status = rules.PASSING if met else rules.FAILING if met is False else rules.NO_DATA
        out[f"cv:{section}:{code}"] = {
            "kind": ItemKind.CV,
            "school_id": None,
            "township_id": None,
            "section": section,
            "code": code,
            "status": status,
            "value": cv,
            "threshold": limit,
            "gap": None,
            "unit": "",
            "target": rules.cv_target(cv, limit) if status == rules.FAILING else None,
            "title": _("%(section)s %(code)s %(name)s 校际差异系数")
            % {"section": SECTION_LABELS.get(section, section), "code": code, "name": names.get(code, "")},
        }
    if school_ids is not None:
        # A code failing at any school has no county key; only an item with both school checks and county parts can
        # have both, so only those codes are asked of the stored rows (not a scan of the round's results per change).
        asked = sorted(code for code, item in result_items.items() if item["schools"] and item["parts"])
        failing_codes = (
            set(
                SchoolResult.objects.filter(round=round_, code__in=asked, status__in=MISSED)
                .values_list("code", flat=True)
                .distinct()
            )
            if asked
            else set()
        )
    for code, item in result_items.items():
        if code in failing_codes or (item["schools"] and not item["parts"]):
            continue
        status = {"not_met": rules.FAILING, "met": rules.PASSING}.get(item.get("status"), rules.NO_DATA)
        out[f"county:{code}"] = {
            "kind": ItemKind.COUNTY,
            "school_id": None,
            "township_id": None,
            "section": "",
            "code": code,
            "status": status,
            "value": None,
            "threshold": None,
            "gap": None,
            "unit": "",
            "target": _("达到指标要求") if status == rules.FAILING else None,
            "title": _("县级 %(code)s %(name)s") % {"code": code, "name": names.get(code, "")},
        }
    out.update(plan_targets.observations(round_, school_ids=school_ids))
    return out


def _stored_gaps_and_items(round_, codes: set[str] | None) -> tuple[list[dict], dict[str, dict]]:
    """The stored result's gaps (of the schools of `codes`, when given) and, per item, its status and whether it has
    schools and parts. On PostgreSQL the items are picked out of the document in the database, and of the gaps'
    runs (indicators.ResultRun) only those naming one of `codes` are read: at 10,000 schools the runs hold some
    15 MB, mostly the items' school checks, which the sync does not read."""
    if connection.vendor != "postgresql":
        return gaps_and_items_of(round_, codes)
    table = EvaluationState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.result->'runs'->'gaps' FROM {table} s WHERE s.round_id = %s", [round_.pk])
        found = cursor.fetchone()
        digests = json.loads(found[0]) if found and found[0] is not None else None
        if digests is None:  # a document stored whole, before its lists were stored in runs
            gaps = _whole_document_gaps(cursor, round_, codes)
        else:
            gaps = _run_gaps(cursor, round_, codes, digests)
        cursor.execute(
            f"SELECT i.key, i.value->>'status', "
            # has schools: the item's school checks, in its runs (runs.schools.<code>: their digests) or, in a
            # document stored whole, by school code under the item (as bool() of the joined document says)
            "coalesce(jsonb_typeof(s.result->'runs'->'schools'->i.key) = 'array' "
            "AND jsonb_array_length(s.result->'runs'->'schools'->i.key) > 0, false) "
            "OR coalesce(i.value->'schools' NOT IN ('{}'::jsonb, '[]'::jsonb, 'null'::jsonb), false), "
            "coalesce(i.value->'parts' NOT IN ('{}'::jsonb, '[]'::jsonb, 'null'::jsonb), false) "
            f"FROM {table} s, jsonb_each(coalesce(s.result->'items', '{{}}'::jsonb)) i WHERE s.round_id = %s",
            [round_.pk],
        )
        items = {code: {"status": st, "schools": sc, "parts": pa} for code, st, sc, pa in cursor.fetchall()}
    return gaps, items


def gaps_and_items_of(round_, codes: set[str] | None) -> tuple[list[dict], dict[str, dict]]:
    """What `_stored_gaps_and_items` reads, from the whole result document joined in Python (SQLite; on PostgreSQL
    the reference its queries are tested against)."""
    doc = result_document(EvaluationState.objects.filter(round=round_).only("round_id", "result").first())
    gaps, items = doc.get("gaps"), doc.get("items")
    if codes is not None:
        gaps = [g for g in gaps or [] if g["school"] in codes]
    items = {
        code: {"status": i.get("status"), "schools": bool(i.get("schools")), "parts": bool(i.get("parts"))}
        for code, i in (items or {}).items()
    }
    return gaps or [], items


def _run_gaps(cursor, round_, codes: set[str] | None, digests: list[str]) -> list[dict]:
    """The gaps of the runs named by `digests`, in their order; with `codes`, of the runs whose text names one of
    those schools (as a gap's JSON text names it), and of those only the gaps of those schools."""
    needles = [f'"school": {json.dumps(c, ensure_ascii=False)}' for c in sorted(codes or ())]
    cursor.execute(
        f"SELECT r.digest, r.text FROM {ResultRun._meta.db_table} r WHERE r.round_id = %s AND r.digest = ANY(%s) "
        "AND (%s OR EXISTS (SELECT 1 FROM unnest(%s::text[]) n WHERE strpos(r.text, n) > 0))",
        [round_.pk, sorted(set(digests)), codes is None, needles],
    )
    texts = dict(cursor.fetchall())
    gaps = json.loads("[" + ",".join(texts[d] for d in digests if d in texts) + "]")
    return gaps if codes is None else [g for g in gaps if g["school"] in codes]


def _whole_document_gaps(cursor, round_, codes: set[str] | None) -> list[dict]:
    table = EvaluationState._meta.db_table
    cursor.execute(
        f"SELECT g::text FROM {table} s, jsonb_array_elements(coalesce(s.result->'gaps', '[]'::jsonb)) g "
        "WHERE s.round_id = %s AND (%s OR g->>'school' = ANY(%s))",
        [round_.pk, codes is None, sorted(codes or ())],
    )
    return [json.loads(text) for (text,) in cursor.fetchall()]


def _indicator_names(round_) -> dict[str, str]:
    from indicators.services import indicator_names

    return indicator_names(school_year=round_.school_year)


def _new_item_row(*, stage, due_date, round_, now) -> dict:
    """The columns every new ledger item shares: each field's default, the schedule, the source round and the
    instant of this sync (its `synced_at` finds the new items' ids again, `created_at` as auto_now_add would)."""
    row = {f.attname: f.get_default() for f in RectificationItem._meta.concrete_fields if not f.primary_key}
    return row | {
        "stage_id": stage.pk if stage else None,
        "due_date": due_date,
        "source_round_id": round_.pk,
        "synced_at": now,
        "created_at": now,
    }


SYNCED_FIELDS = ("indicator_status", "within_tolerance", "value", "threshold", "gap", "unit", "source_round")


@transaction.atomic
def ledger_sync(*, on: datetime.date | None = None, round_id: int | None = None, school_ids=None) -> dict[str, int]:
    """Bring the ledger in line with the source round's stored results. Idempotent: a second run writes nothing.

    One item per key, never a new one each year: failing keys without an item open one; an existing item takes the
    round's status (and target, while failing), closes, waits for data or reopens by `rules`.

    After an incremental recompute of the source round (`round_id`, with the `school_ids` it re-evaluated) only those
    schools' items and the county-level items are looked at. Writes go in bulk (gongqing.bulk): the statements grow
    with the items only through the batch size; every change keeps its history row.
    """
    round_ = selectors.source_round()
    counts = {"opened": 0, "reopened": 0, "closed": 0, "updated": 0}
    if round_ is None:
        return counts
    if school_ids is not None and round_id != round_.pk:
        school_ids = None  # another round was recomputed (or the source round moved): look at everything
    if school_ids is not None:
        school_ids = sorted(set(school_ids))
    on = on or selectors.today()
    with gc_paused():  # a county's worth of facts and items held at once: see indicators.domain.gcpause
        return _sync(round_, on, school_ids, counts)


def _sync(round_, on, school_ids, counts) -> dict[str, int]:
    items = RectificationItem.objects.exclude(kind=ItemKind.MANUAL)
    if school_ids is not None:
        items = items.filter(Q(school_id__in=school_ids) | ~Q(kind=ItemKind.SCHOOL))
    existing = {i.key: i for i in items.select_for_update()}
    observed = _observations(round_, school_ids, keep=existing.keys())
    failing = {k: f for k, f in observed.items() if f["status"] in (rules.FAILING, rules.WITHIN_TOLERANCE)}
    routing = None
    now = timezone.now()
    schedule = None
    template = None  # the columns the new items share, made with the schedule when the first one is found
    created: list[dict] = []  # new items as rows {attname: value}: 40,000 model instances cost seconds
    new_facts: list[dict] = []
    for key, facts in failing.items():
        if key in existing:
            continue
        if template is None:
            schedule = schedule or _default_schedule(on)
            template = _new_item_row(stage=schedule[0], due_date=schedule[1], round_=round_, now=now)
        state, _reason = rules.derive_state(indicator=facts["status"], work=WorkStatus.NOT_STARTED)
        created.append(
            template
            | {
                "key": key,
                "kind": facts["kind"],
                "school_id": facts["school_id"],
                "section": facts["section"],
                "code": facts["code"],
                "title": facts["title"][:200],
                "target": (facts["target"] or "")[:300],
                "state": state,
                "indicator_status": facts["status"],
                "within_tolerance": facts["status"] == rules.WITHIN_TOLERANCE,
                "value": facts["value"],
                "threshold": facts["threshold"],
                "gap": facts["gap"],
                "unit": facts["unit"],
            }
        )
        new_facts.append(facts)
    if created:
        bulk.insert(RectificationItem, created)
        # COPY gives no ids back: the items just written are the ones synced at this instant.
        ids = dict(RectificationItem.objects.filter(synced_at=now).values_list("key", "pk"))
        for row in created:
            row["id"] = ids[row["key"]]
        bulk.history_rows(RectificationItem, created, when=now)
        routing = Routing()
        bulk.insert(
            ItemBody,
            [
                {"item_id": row["id"], "body_id": body.pk, "role": role}
                for row, f in zip(created, new_facts, strict=True)
                for body, role in routing.bodies_for(
                    f["code"], township_id=f["township_id"] if f["kind"] == ItemKind.SCHOOL else None
                )
            ],
        )
        counts["opened"] = len(created)
    changed_items: list[RectificationItem] = []
    changed_fields: set[str] = set()
    for key, item in existing.items():
        facts = observed.get(key)
        status = facts["status"] if facts else rules.NO_DATA
        changed: set[str] = set()
        values = {"indicator_status": status}
        if facts:
            values |= {
                "value": facts["value"],
                "threshold": facts["threshold"],
                "gap": facts["gap"] if status != rules.PASSING else None,
                "unit": facts["unit"],
                "source_round_id": round_.pk,  # ids, not objects: reading item.source_round costs a query
            }
        if status in (rules.FAILING, rules.WITHIN_TOLERANCE):
            values["within_tolerance"] = status == rules.WITHIN_TOLERANCE
            values["target"] = (facts["target"] or item.target)[:300]
        if rules.should_reopen(state=item.state, indicator=status):
            schedule = schedule or _default_schedule(on)
            values |= {
                "work_status": WorkStatus.NOT_STARTED,
                "percent": 0,
                "done_at": None,
                "accepted_at": None,
                "review_comment": "",
                "reopened": item.reopened + 1,
                "stage_id": schedule[0].pk if schedule[0] else None,
                "due_date": schedule[1],
            }
            counts["reopened"] += 1
        for name, value in values.items():
            current = getattr(item, name)
            if current != value:
                setattr(item, name, value)
                changed.add(name)
        state, reason = rules.derive_state(indicator=item.indicator_status, work=item.work_status)
        if (state, reason) != (item.state, item.closed_reason):
            counts["closed"] += state == ItemState.CLOSED
            item.state, item.closed_reason = state, reason
            changed |= {"state", "closed_reason"}
        if changed:
            item.synced_at = now
            changed_items.append(item)
            changed_fields |= changed
    if changed_items:
        fields = {RectificationItem._meta.get_field(f).attname for f in changed_fields | {"synced_at"}}
        bulk.update(RectificationItem, changed_items, fields)
        bulk.history(RectificationItem, changed_items, update=True, reason="ledger sync", when=now)
        counts["updated"] = len(changed_items)
    return counts
