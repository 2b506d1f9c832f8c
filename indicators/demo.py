"""Demo data of the indicator engine: county entries for both demo years, unit costs, then a recompute.

2024's survey (S1) and its Q9 (national monitoring, not yet received) are left empty, so the current
results show as provisional with what is missing; 2023 has every county entry.
"""

from django.db import transaction
from django.db.models import Sum

from schools.models import CollectionRound, ReturnClass, ReturnStatus, SchoolYear

from . import services
from .models import CostSettings, CountyEntry, EvaluationState, IntakeEstimate

UNIT_COSTS = {
    "teaching_building_yuan_per_m2": "3200",
    "sports_ground_yuan_per_m2": "450",
    "multimedia_room_yuan": "60000",
    "music_room_yuan": "150000",
    "art_room_yuan": "120000",
    "classroom_yuan": "80000",
    "teacher_yuan_per_year": "96000",
    "backbone_teacher_yuan": "8000",
    "certification_yuan_per_teacher": "2000",
    "land_m2_per_m2_building": "0.6",
    "land_m2_per_m2_sports": "1",
}

YES = {"met": True}
NO_VETO = {"occurred": False}
MET_BOTH_YEARS = {code: YES for code in ("G1", "G2", "G10", "Q3", "Q5", "Q6", "Q7", "Q8")}  # yes/no items met
ENTRIES = {
    2023: {
        **MET_BOTH_YEARS,
        "G8": {"teacher_pay": "98600", "civil_servant_pay": "97200", "performance_pay_budgeted": True},
        "G9": {"percent": "96.5"},
        "G11": {"rotated_percent": "11.2", "backbone_percent": "18.5"},
        "G13": {"primary_percent": "100", "junior_percent": "96.1"},
        "G14": {"percent": "52", "rural_percent": "58", "rural_tilt": True},
        "G15": {"percent": "88.4", "care_system": True},
        "Q1": {"percent": "97.3"},
        "Q2": {"percent": "95.6"},
        "Q9": {"level": 3, "difference_rate": "0.12"},
        **{f"V{i}": NO_VETO for i in range(1, 7)},
    },
    2024: {
        **MET_BOTH_YEARS,
        "G8": {"teacher_pay": "102400", "civil_servant_pay": "100800", "performance_pay_budgeted": True},
        "G9": {"percent": "100"},
        "G11": {"rotated_percent": "12.6", "backbone_percent": "23.1"},
        "G13": {"primary_percent": "100", "junior_percent": "97.4"},
        "G14": {"percent": "55", "rural_percent": "61", "rural_tilt": True},
        "G15": {"percent": "90.2", "care_system": True},
        "Q1": {"percent": "98.1"},
        "Q2": {"percent": "96.3"},
        **{f"V{i}": NO_VETO for i in range(1, 7)},
    },
}
NOTES = {
    "G9": "依据市教师发展中心培训学时登记系统导出数据。",
    "G11": "含城区学校到乡村学校交流、乡镇内走教。",
    "G14": "农村初中在校生约占全市初中的45%，分得名额的58%以上，按在校生比例计向农村倾斜。",
}


@transaction.atomic
def seed_indicators(stdout) -> None:
    created = 0
    for year, entries in ENTRIES.items():
        school_year = SchoolYear.objects.filter(year=year).first()
        if school_year is None:
            continue
        for code, value in entries.items():
            _entry, was_created = CountyEntry.objects.get_or_create(
                school_year=school_year, code=code, defaults={"value": value, "note": NOTES.get(code, "")}
            )
            created += was_created
    if not CostSettings.objects.exists():
        CostSettings.objects.create(data=UNIT_COSTS)
    stale = [
        r
        for r in CollectionRound.objects.select_related("school_year")
        if not EvaluationState.objects.filter(round=r, computed_version__gt=0).exists() or created
    ]
    for rnd in stale:
        services.mark_stale_now(round=rnd)
        services.recompute_round(round_id=rnd.pk)
    estimates = _seed_intake_estimates()
    stdout.write(
        f"县级指标填报 county entries: {created} 新建 created; 评估结果 results computed for {len(stale)} rounds; "
        f"一年级招生预估 intake estimates: {estimates} 新建 created"
    )


def _seed_intake_estimates() -> int:
    """Next year's grade-1 intake of the three largest urban primary schools: this year's grade 1 plus 12%
    (new housing in 茶山街道), so the dashboards' forecast shows estimates in use."""
    latest = SchoolYear.objects.order_by("-year").first()
    rounds = CollectionRound.objects.filter(school_year=latest, kind="official")
    rnd = rounds.order_by("-as_of", "-pk").first() if latest else None
    if rnd is None:
        return 0
    grade_one = (
        ReturnClass.objects.filter(
            section="primary",
            grade=1,
            school_return__round=rnd,
            school_return__status=ReturnStatus.APPROVED,
            school_return__school__location="urban",
        )
        .values("school_return__school_id")
        .annotate(students=Sum("students"))
        .order_by("-students", "school_return__school_id")[:3]
    )
    created = 0
    for row in grade_one:
        _estimate, was_created = IntakeEstimate.objects.get_or_create(
            school_id=row["school_return__school_id"],
            year=latest.year + 1,
            defaults={"students": round(row["students"] * 112 / 100)},
        )
        created += was_created
    return created


DEMO_STEP = seed_indicators
