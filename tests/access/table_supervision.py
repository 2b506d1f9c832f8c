"""Who may use the supervision pages (督导推进).

Bureau staff manage; leadership reads everything; the 市财政局 officer (department_officer) sees only what their body
leads or cooperates on; township officials act for their township's body and see their schools' items; the auditor
and the API client have no supervision pages. The objects below are made on demand: a ledger item of 甘露镇's school
led by 市财政局 with 甘露镇 cooperating (so 江益镇's official must be refused it), a measure led by 市财政局 with
市教体局 cooperating, a project and a review that belong to no township.
"""

import datetime

from django.core.files.base import ContentFile

from schools.models import Township
from supervision.models import (
    Body,
    BodyRole,
    Cycle,
    EvidenceFile,
    Finding,
    ItemBody,
    ItemKind,
    Measure,
    MeasureBody,
    ProgressUpdate,
    Project,
    RectificationItem,
    Review,
)
from tests.access.table_core import BUREAU, NOBODY

OFFICIALS = frozenset({"ganlu_official", "jiangyi_official"})
READERS = BUREAU | OFFICIALS | {"leadership", "department_officer"}
LEADERS = BUREAU | {"leadership"}
ITEM_READERS = BUREAU | {"leadership", "department_officer", "ganlu_official"}
ITEM_UPDATERS = BUREAU | {"department_officer", "ganlu_official"}
MEASURE_READERS = BUREAU | {"leadership", "department_officer"}
LEAD = frozenset({"department_officer"})


def _body(code, name, **extra):
    return Body.objects.get_or_create(code=code, defaults={"name": name, **extra})[0]


def _bodies():
    finance = Body.objects.get(code="finance")
    education = _body("education", "市教体局", kind="department")
    ganlu = _body("ganlu", "甘露镇", kind="township", township=Township.objects.get(name="甘露镇"))
    return finance, education, ganlu


def _item(objs):
    school = objs["school"]
    found = RectificationItem.objects.filter(key=f"school:{school.pk}:primary:R5").first()
    if found:
        return found
    finance, _education, ganlu = _bodies()
    item = RectificationItem.objects.create(
        key=f"school:{school.pk}:primary:R5",
        kind=ItemKind.SCHOOL,
        school=school,
        section="primary",
        code="R5",
        title=f"{school.name}（小学） R5 生均体育运动场馆面积",
        target="建设体育运动场馆 500 平方米",
        indicator_status="failing",
        due_date=datetime.date(2030, 12, 31),
    )
    ItemBody.objects.create(item=item, body=finance, role=BodyRole.LEAD)
    ItemBody.objects.create(item=item, body=ganlu, role=BodyRole.COOPERATING)
    return item


def _evidence(objs):
    item = _item(objs)
    update = ProgressUpdate.objects.create(item=item, text="已开工", percent=20)
    evidence = EvidenceFile(update=update, name="开工报告.pdf", content_type="application/pdf", size=9)
    evidence.file.save("report.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return evidence


def _measure(objs):
    found = Measure.objects.filter(ref="3.3").first()
    if found:
        return found
    finance, education, _ganlu = _bodies()
    cycle = Cycle.objects.get_or_create(name="演示周期")[0]
    measure = Measure.objects.create(
        cycle=cycle, ref="3.3", title="教师平均工资收入水平不低于当地公务员", due_date=datetime.date(2030, 6, 30)
    )
    MeasureBody.objects.create(measure=measure, body=finance, role=BodyRole.LEAD)
    MeasureBody.objects.create(measure=measure, body=education, role=BodyRole.COOPERATING)
    return measure


def _cycle(objs):
    return Cycle.objects.get_or_create(name="复评周期")[0]


def _project(objs):
    return Project.objects.get_or_create(name="城南新建小学", defaults={"kind": "new_school"})[0]


def _review(objs):
    return Review.objects.get_or_create(
        title="市级预评估", defaults={"level": "city", "held_on": datetime.date(2024, 5, 20), "reviewer": "市督导室"}
    )[0]


def _finding(objs):
    return Finding.objects.get_or_create(review=_review(objs), text="部分学校大班额")[0]


def _progress_data(objs):
    return {"text": "完成30%", "percent": "30"}


ROUTES = {
    "supervision:home": {"GET": READERS, "POST": NOBODY},
    "supervision:measures": {"GET": READERS, "POST": NOBODY},
    "supervision:measure": {
        "kwargs": lambda objs: {"pk": _measure(objs).pk},
        "GET": MEASURE_READERS,
        "POST": NOBODY,
    },
    "supervision:measure_create": {
        "data": lambda objs: {"ref": "6.1"},  # incomplete: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:measure_edit": {
        "kwargs": lambda objs: {"pk": _measure(objs).pk},
        "data": lambda objs: {"ref": "3.3"},  # incomplete: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:measure_progress": {
        "kwargs": lambda objs: {"pk": _measure(objs).pk},
        "data": _progress_data,
        "GET": NOBODY,
        "POST": BUREAU | LEAD,
    },
    "supervision:measure_action": {
        "kwargs": lambda objs: {"pk": _measure(objs).pk},
        "data": lambda objs: {"action": "done"},
        "GET": NOBODY,
        "POST": LEAD,
    },
    "supervision:ledger": {"GET": READERS, "POST": NOBODY},
    "supervision:ledger_sync": {"GET": NOBODY, "POST": BUREAU},
    "supervision:item_create": {
        "data": lambda objs: {"title": "完善控辍保学台账"},  # incomplete: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:item": {"kwargs": lambda objs: {"pk": _item(objs).pk}, "GET": ITEM_READERS, "POST": NOBODY},
    "supervision:item_progress": {
        "kwargs": lambda objs: {"pk": _item(objs).pk},
        "data": _progress_data,
        "GET": NOBODY,
        "POST": ITEM_UPDATERS,
    },
    "supervision:item_action": {
        "kwargs": lambda objs: {"pk": _item(objs).pk},
        "data": lambda objs: {"action": "done"},
        "GET": NOBODY,
        "POST": LEAD,
    },
    "supervision:item_schedule": {
        "kwargs": lambda objs: {"pk": _item(objs).pk},
        "data": lambda objs: {"target": "建设体育运动场馆 500 平方米", "due_date": "2030-06-30"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:item_reassign": {
        "kwargs": lambda objs: {"pk": _item(objs).pk},
        "data": lambda objs: {"lead": ""},  # incomplete: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:evidence": {"kwargs": lambda objs: {"pk": _evidence(objs).pk}, "GET": ITEM_READERS, "POST": NOBODY},
    "supervision:assessment": {"GET": LEADERS, "POST": NOBODY},
    "supervision:assessment_export": {"GET": LEADERS, "POST": NOBODY},
    "supervision:plan": {"GET": READERS, "POST": NOBODY},
    "supervision:assessment_method": {"data": lambda objs: {"name": ""}, "GET": BUREAU, "POST": BUREAU},
    "supervision:target_edit": {
        "kwargs": lambda objs: {"code": "T1"},
        "data": lambda objs: {"threshold": "-1"},  # invalid: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:cycles": {"GET": BUREAU, "POST": NOBODY},
    "supervision:cycle_create": {
        "data": lambda objs: {"name": "复评周期二"},  # incomplete: the form re-renders
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:cycle_current": {"kwargs": lambda objs: {"pk": _cycle(objs).pk}, "GET": NOBODY, "POST": BUREAU},
    "supervision:routing": {"GET": BUREAU, "POST": NOBODY},
    "supervision:routing_edit": {
        "kwargs": lambda objs: {"code": "R5"},
        "data": lambda objs: {"lead": "finance", "cooperating": ["@township"]},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:projects": {"GET": READERS, "POST": NOBODY},
    "supervision:project_create": {"data": lambda objs: {"name": "新项目"}, "GET": BUREAU, "POST": BUREAU},
    "supervision:project_edit": {
        "kwargs": lambda objs: {"pk": _project(objs).pk},
        "data": lambda objs: {"name": "城南新建小学"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:reviews": {"GET": LEADERS, "POST": NOBODY},
    "supervision:review_create": {"data": lambda objs: {"title": "省级督导"}, "GET": BUREAU, "POST": BUREAU},
    "supervision:finding_create": {
        "kwargs": lambda objs: {"review_pk": _review(objs).pk},
        "data": lambda objs: {"text": "大班额", "response": "已分班"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "supervision:finding_edit": {
        "kwargs": lambda objs: {"review_pk": _review(objs).pk, "pk": _finding(objs).pk},
        "data": lambda objs: {"text": "部分学校大班额", "response": "已分班"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
}
