"""Routing as PLAN.md's corrected table (2026-12-04) gives it, and the ledger re-led accordingly.

- A routing rule still as migration 0003 seeded it takes the corrected bodies; a rule the bureau edited is kept. Codes
  without a rule (G1, G2, G13–G15, S1, V1–V7, the plan targets T1 and T2) get one. Every rule names its measure.
- A ledger item whose lead is still the old default of its indicator is re-led with the corrected bodies, and its
  history says why; an item whose lead differs was reassigned by hand and keeps its bodies (its history says so).
- Measure 1.1 takes the plan's words and loses the lead the plan never gave it (市委办).
- The plan targets' thresholds (T1 none until the bureau enters it, T2 100%) and the assessment's default weights.

The data is copied here, not imported, so that later edits of supervision/plan.py do not change this migration.
"""

from django.db import migrations
from django.utils import timezone

TOWNSHIP = "@township"
TOWNSHIPS = "@townships"
OLD_TEACHERS = ["staffing", "hr", "education", "finance"]
OLD_BUILDING = ["natural_resources", "housing", "finance", "education", TOWNSHIP]
OLD = {
    **{code: OLD_TEACHERS for code in ("R1", "R2", "R3", "G9", "G10", "G11", "G12")},
    **{code: OLD_BUILDING for code in ("R4", "R5", "G3", "G4", "G5")},
    **{code: ["finance", "education"] for code in ("R6", "R7")},
    **{code: ["finance", "education", "hr"] for code in ("G6", "G7", "G8")},
    **{f"Q{i}": ["education", TOWNSHIP] for i in range(1, 10)},
}
OLD_DEFAULT = ["education"]
ROWS = (
    (["R3"], "3.1", ["staffing", "hr", "education"]),
    (["G10"], "3.1", ["education", "staffing", "hr"]),
    (["R1", "R2", "G12"], "3.1, 3.2", ["education", "staffing", "hr"]),
    (["G9", "G11"], "3.2", ["education", "finance", "hr"]),
    (["Q4"], "3.2", ["finance", "education"]),
    (["G8"], "3.3", ["finance", "education", "hr"]),
    (["G1", "G2", "G4", "G5"], "2.1", ["education", "natural_resources", "finance", "housing", TOWNSHIP]),
    (["R4", "R5", "G3"], "2.2", ["education", "housing", "finance", "natural_resources", TOWNSHIP]),
    (["T1"], "2.1, 2.2", ["natural_resources", "education", TOWNSHIP]),
    (["R6", "R7", "T2"], "2.2", ["education", "finance"]),
    (["G6", "G7"], "1.2", ["finance", "education"]),
    ("G13 G14 G15 Q1 Q2 Q3 Q5 Q6 Q7 Q8 Q9".split(), "4.1, 4.2", ["education", TOWNSHIP]),
    (["S1"], "5.2", ["education", TOWNSHIPS, "media"]),
    ([f"V{i}" for i in range(1, 8)], "", ["education"]),
)
NEW = {code: (measure, bodies) for codes, measure, bodies in ROWS for code in codes}
RELED = "按实施方案责任分工表（2026-12-04更正）重新确定责任单位：原牵头%(old)s，现牵头%(new)s"
KEPT = "牵头单位（%(lead)s）已由教体局调整，不随实施方案责任分工表更正而改变"
OLD_TITLE_11 = "建立党委领导、部门联动的推进机制"
NEW_TITLE_11 = (
    "建立市委办、市政府办、市委编办、市教体局、市发改委、市财政局、市人社局、市住建局、市自然资源局参与的"
    "“党政主导，部门联动，上下发力，统筹推进”义务教育优质均衡发展推进机制"
)


def _history(apps, item, reason):
    Historical = apps.get_model("supervision", "HistoricalRectificationItem")
    names = {f.attname for f in Historical._meta.fields}
    values = {f.attname: getattr(item, f.attname) for f in item._meta.concrete_fields if f.attname in names}
    Historical.objects.create(
        **values, history_date=timezone.now(), history_type="~", history_change_reason=reason[:100]
    )


def reroute(apps, schema_editor):
    RoutingRule = apps.get_model("supervision", "RoutingRule")
    Body = apps.get_model("supervision", "Body")
    Item = apps.get_model("supervision", "RectificationItem")
    ItemBody = apps.get_model("supervision", "ItemBody")
    changed: dict[str, tuple[list, list]] = {}  # code → (old bodies, new bodies) for codes whose rule was corrected
    for code, (measure, bodies) in NEW.items():
        rule = RoutingRule.objects.filter(code=code).first()
        if rule is None:
            RoutingRule.objects.create(code=code, measure=measure, bodies=bodies)
            changed[code] = (OLD_DEFAULT, bodies)
        elif list(rule.bodies) == OLD.get(code):
            rule.bodies, rule.measure = bodies, measure
            rule.save(update_fields=["bodies", "measure"])
            changed[code] = (OLD[code], bodies)
        else:
            rule.measure = measure
            rule.save(update_fields=["measure"])

    by_code = {b.code: b for b in Body.objects.all()}
    township_body = {b.township_id: b for b in by_code.values() if b.township_id}
    townships = sorted((b for b in by_code.values() if b.kind == "township"), key=lambda b: (b.order, b.code))

    def resolve(codes, township_id):
        out = []
        for code in codes:
            if code == TOWNSHIP:
                found = [township_body[township_id]] if township_id in township_body else []
            elif code == TOWNSHIPS:
                found = townships
            else:
                found = [by_code[code]] if code in by_code else []
            out.extend(b for b in found if all(b.pk != o.pk for o in out))
        return out

    items = Item.objects.exclude(kind="manual").filter(code__in=list(changed)).select_related("school")
    for item in items:
        old_codes, new_codes = changed[item.code]
        township_id = item.school.township_id if item.kind == "school" and item.school_id else None
        old = resolve(old_codes, township_id)
        new = resolve(new_codes, township_id)
        lead = ItemBody.objects.filter(item=item, role="lead").select_related("body").first()
        if not new or lead is None:
            continue
        if old and lead.body_id != old[0].pk:
            item.assignment_note = KEPT % {"lead": lead.body.name}
            item.save(update_fields=["assignment_note"])
            _history(apps, item, "责任分工更正：保留手工调整")
            continue
        current = sorted(ItemBody.objects.filter(item=item).values_list("body_id", "role"))
        wanted = [(b.pk, "lead" if i == 0 else "cooperating") for i, b in enumerate(new)]
        if current == sorted(wanted):
            continue
        ItemBody.objects.filter(item=item).delete()
        ItemBody.objects.bulk_create([ItemBody(item=item, body_id=pk, role=role) for pk, role in wanted])
        item.assignment_note = RELED % {"old": lead.body.name, "new": new[0].name}
        item.save(update_fields=["assignment_note"])
        _history(apps, item, "责任分工更正：重新确定牵头单位")

    Measure = apps.get_model("supervision", "Measure")
    MeasureBody = apps.get_model("supervision", "MeasureBody")
    for measure in Measure.objects.filter(ref="1.1", title=OLD_TITLE_11):
        measure.title = NEW_TITLE_11
        measure.save(update_fields=["title"])
        MeasureBody.objects.filter(measure=measure, role="lead").update(role="cooperating")

    PlanTarget = apps.get_model("supervision", "PlanTarget")
    PlanTarget.objects.get_or_create(
        code="T1",
        defaults={"name": "生均教育用地", "unit": "平方米/生", "note": "省级学校建设标准，由教体局录入；未录入前不设目标"},
    )
    PlanTarget.objects.get_or_create(
        code="T2", defaults={"name": "“班班通”覆盖率", "threshold": 1, "unit": "%", "note": "实施方案2.2：100%"}
    )
    AssessmentMethod = apps.get_model("supervision", "AssessmentMethod")
    if not AssessmentMethod.objects.exists():
        AssessmentMethod.objects.create(name="实施方案默认方法")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0006_plan_routing_targets_assessment")]
    operations = [migrations.RunPython(reroute, migrations.RunPython.noop)]
