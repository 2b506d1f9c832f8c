"""Demo data of supervision for `manage.py seed_demo`.

Base step (with the base data, before any app's step: indicators' recompute routes ledger items to these bodies):
the nine city departments, one body per township and the leading group, with real names; the demo department
officer's body. Reference rows are brought back to the demo values when they differ (schools.demo.upsert).

Step: the published 2020–2022 cycle (read-only) and a demo cycle shifted so that today falls in stage 3 (重点攻坚),
the plan's measures in both, the ledger synced from the demo results, progress with an evidence file, one item done
and accepted (awaiting data), two projects and a review finding. Idempotent: keyed by names and refs; what exists is
left alone."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongqing.evidence import check_evidence
from gongqing.models import User
from schools.demo import TOWNSHIPS, Tally, upsert
from schools.models import Township

from . import rules, selectors, services
from .models import (
    Body,
    BodyKind,
    BodyMembership,
    Cycle,
    Finding,
    ItemKind,
    Measure,
    PlanTarget,
    Project,
    ProjectKind,
    RectificationItem,
    Review,
    ReviewLevel,
)
from .plan import PUBLISHED_START

DEPARTMENTS = (
    ("party_office", "市委办"),
    ("gov_office", "市政府办"),
    ("staffing", "市委编办"),
    ("education", "市教体局"),
    ("development", "市发改委"),
    ("finance", "市财政局"),
    ("hr", "市人社局"),
    ("housing", "市住建局"),
    ("natural_resources", "市自然资源局"),
)
LEADING_GROUP = ("leading_group", "领导小组")
# The plan's other parties: the leadership group's office at 市教体局 (runs the annual assessment), the schools (4.1,
# 4.2; they act through their township's officials) and the news media (5.2).
PARTIES = (
    ("office", "领导小组办公室", BodyKind.OFFICE),
    ("schools", "各义务教育学校", BodyKind.SCHOOLS),
    ("media", "新闻媒体", BodyKind.MEDIA),
)
OFFICERS = {"finance": "finance"}  # demo username (schools.demo.USERS) → the code of the body they act for


def seed_bodies(tally: Tally, users: dict[str, User]) -> None:
    tally.labels["bodies"] = "责任单位 (bodies)"
    for i, (code, name) in enumerate(DEPARTMENTS):
        upsert(Body, tally, "bodies", {"code": code}, {"name": name, "kind": BodyKind.DEPARTMENT, "order": i})
    townships = {t.code: t for t in Township.objects.filter(code__in=[code for code, _name, _slug in TOWNSHIPS])}
    for i, (code, name, slug) in enumerate(TOWNSHIPS):
        values = {"name": name, "kind": BodyKind.TOWNSHIP, "township": townships[code], "order": i}
        upsert(Body, tally, "bodies", {"code": slug}, values)
    code, name = LEADING_GROUP
    upsert(Body, tally, "bodies", {"code": code}, {"name": name, "kind": BodyKind.GROUP, "order": 0})
    for code, name, kind in PARTIES:
        upsert(Body, tally, "bodies", {"code": code}, {"name": name, "kind": kind, "order": 0})
    for username, body in OFFICERS.items():
        _, created = BodyMembership.objects.get_or_create(
            user=users[username], defaults={"body": Body.objects.get(code=body)}
        )
        tally.add("memberships", "created" if created else "present")


DEMO_BASE_STEP = seed_bodies

PUBLISHED = "2020—2022年推进周期（已公布方案）"
DEMO = "演示周期（按今天落在重点攻坚阶段平移）"
DEMO_LAND_PER_PUPIL = Decimal("18")  # m² per pupil; the real figure is the bureau's to enter
LATE_CODES = ("G4", "G6")  # the demo's two overdue items, due at the end of stage 2
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _cycles() -> tuple[Cycle, Cycle, int]:
    created = 0
    published = Cycle.objects.filter(name=PUBLISHED).first()
    if published is None:
        published = services.cycle_create(
            name=PUBLISHED,
            stages=services.published_stage_dates(),
            read_only=True,
            note="共青城市教体局2021年1月18日解读",
        )
        created += 1
    demo = Cycle.objects.filter(name=DEMO).first()
    if demo is None:
        dates = services.published_stage_dates()
        dates[0] = rules.StageDates(1, PUBLISHED_START, dates[0].ends)
        demo = services.cycle_create(
            name=DEMO,
            stages=rules.shifted(dates, today=selectors.today(), stage_number=3),
            note="演示用：各阶段日期按已公布方案整体平移",
        )
        created += 1
    if not Cycle.objects.filter(is_current=True).exists():
        services.cycle_set_current(cycle=demo)
    return published, demo, created


def _schedule_unscheduled(demo: Cycle) -> None:
    """Items opened by a recompute before the demo cycle existed go into its current stage; two (G4, G6) belong to
    stage 2 and are overdue, whether the recompute's sync ran before the cycle existed or in `seed_supervision`."""
    view = selectors.cycle_view(demo)
    if view.current is None:
        return
    stage2 = next(s for s in view.stages if s.number == 2)
    unscheduled_or_late = Q(stage__isnull=True) | Q(stage__cycle=demo, code__in=LATE_CODES)
    for item in RectificationItem.objects.filter(unscheduled_or_late).exclude(kind=ItemKind.MANUAL):
        late = item.code in LATE_CODES
        stage = stage2 if late else view.current
        if (item.stage_id, item.due_date) != (stage.pk, stage.ends):
            item.stage, item.due_date = stage, stage.ends
            item._change_reason = "演示数据：安排工作阶段"
            item.save(update_fields=["stage", "due_date"])


def _item(school_name: str, code: str) -> RectificationItem | None:
    return RectificationItem.objects.filter(school__name=school_name, code=code).first()


def _evidence(name: str):
    upload = ContentFile(EVIDENCE_PDF, name=name)
    return upload, check_evidence(upload)


def _progress(staff: User, finance: User | None) -> int:
    done = 0
    equipment = _item("共青城市第五小学", "R6")
    if finance and equipment and not equipment.updates.exists():
        services.progress_post(
            obj=equipment,
            by=finance,
            text="市财政局已下达第五小学教学仪器设备更新资金54.3万元，设备已完成政府采购并到校安装。",
            percent=100,
            files=[_evidence("第五小学仪器设备采购验收单.pdf")],
        )
        # 市教体局 leads R6 (PLAN.md: 2.2); 市财政局 cooperates: it reports its part, the lead reports completion.
        services.work_done(obj=equipment, by=staff)
        services.work_review(obj=equipment, by=staff, accept=True, comment="资金和设备已到位，待下次数据采集体现。")
        done += 1
    funds = _item("金湖乡堤湾村小学", "G6")
    if finance and funds and not funds.updates.exists():
        services.progress_post(
            obj=funds, by=finance, text="已按100名学生核定公用经费，差额1.1万元列入下半年追加预算。", percent=60
        )
        done += 1
    costing = Measure.objects.filter(cycle__is_current=True, ref="1.2").first()
    if costing and not costing.updates.exists():
        services.progress_post(
            obj=costing,
            by=staff,
            text="已完成各校缺口测算，形成资金、用地、编制需求清单报市政府常务会议审议。",
            percent=80,
            files=[_evidence("缺口测算报告.pdf")],
        )
        done += 1
    return done


def _projects() -> int:
    specs = (
        (
            "第一小学风雨操场及运动场扩建",
            "共青城市第一小学",
            ProjectKind.SPORTS_GROUND,
            {
                "area_m2": "6900",
                "budget_city": "2100000",
                "budget_provincial": "900000",
                "budget_rewards": "300000",
                "percent": 35,
            },
            ("R5", "R4"),
        ),
        (
            "第五小学教学仪器设备更新",
            "共青城市第五小学",
            ProjectKind.EQUIPMENT,
            {"budget_city": "543000", "percent": 100},
            ("R6",),
        ),
    )
    created = 0
    today = selectors.today()
    for name, school_name, kind, values, codes in specs:
        if Project.objects.filter(name=name).exists():
            continue
        items = [i for code in codes if (i := _item(school_name, code))]
        project = Project.objects.create(
            name=name,
            school=items[0].school if items else None,
            kind=kind,
            planned_completion=today.replace(month=12, day=31),
            actual_completion=today if values.get("percent") == 100 else None,
            **values,
        )
        project.items.set(items)
        created += 1
    return created


def _review() -> int:
    title = "九江市县域义务教育优质均衡发展市级预评估"
    if Review.objects.filter(title=title).exists():
        return 0
    review = Review.objects.create(
        level=ReviewLevel.CITY,
        held_on=selectors.today().replace(day=1),
        reviewer="九江市人民政府教育督导室",
        title=title,
    )
    finding = Finding.objects.create(
        review=review,
        text="城区部分小学大校额、大班额问题突出，第一小学在校生超过2000人，多个班级超过45人。",
        response="已启动城南新建小学选址，2025年秋季起第一小学分流一年级新生；同步扩建运动场。",
    )
    finding.items.set(RectificationItem.objects.filter(school__name="共青城市第一小学", code__in=("G4", "G5", "R5")))
    return 1


LATE_MEASURE = "3.3"  # accepted three weeks after its due date


def _past_measures(demo: Cycle) -> int:
    """The demo cycle's measures already past their due date were done and accepted (one late), so that this year's
    assessment shows every state: accepted on time and late, awaiting, in progress, overdue."""
    today = selectors.today()
    done = 0
    for measure in Measure.objects.filter(cycle=demo, due_date__lt=today, work_status="not_started"):
        late = measure.ref == LATE_MEASURE
        when = measure.due_date + datetime.timedelta(days=21 if late else -3)
        at = timezone.make_aware(datetime.datetime.combine(min(when, today), datetime.time(10)))
        measure.work_status, measure.percent, measure.done_at, measure.accepted_at = "accepted", 100, at, at
        measure._change_reason = "演示数据：已验收"
        measure.save(update_fields=["work_status", "percent", "done_at", "accepted_at"])
        done += 1
    return done


@transaction.atomic
def seed_supervision(stdout) -> None:
    published, demo, cycles = _cycles()
    measures = services.measures_seed(cycle=published) + services.measures_seed(cycle=demo)
    # The bureau's entry of the provincial construction standard's land per pupil (a demo figure): T1 now has a target.
    PlanTarget.objects.filter(code="T1", threshold__isnull=True).update(threshold=DEMO_LAND_PER_PUPIL)
    counts = services.ledger_sync()
    _schedule_unscheduled(demo)
    staff = User.objects.filter(username="staff").first()
    finance = User.objects.filter(username="finance").first()
    updates = _progress(staff, finance) if staff else 0
    _past_measures(demo)
    projects = _projects()
    reviews = _review()
    # What the daily beat job would leave today: the two overdue items' notices, shown after login.
    notices = services.overdue_notices_send()
    stdout.write(
        f"督导推进 supervision: 周期 cycles {cycles}, 措施 measures {measures}, 台账新增 ledger opened "
        f"{counts['opened']}, 进展 updates {updates}, 项目 projects {projects}, 外部评估 reviews {reviews}, "
        f"逾期通知 overdue notices {notices['notices']} 新建 created"
    )


DEMO_STEP = seed_supervision
