"""The demo county's statistics export (基表) of its official round, shaped as the statistics system exports it:
six sheets, title rows, two header rows with merged cells, grade rows with 班额 bands, teachers by qualification
and subject, building areas by use, equipment in 万元. `seed_demo` writes it to MEDIA_ROOT/statistics/ and the
statistics page offers it for download; nothing is imported (the bureau maps it the first time).

It holds the approved figures of the official round with a few realistic differences:
- 共青城市第三小学: the statistics return leaves out a teaching building not yet accepted (教学及辅助用房 3.6 m² per
  pupil instead of 5.4): R4 falls below 85 % of its threshold and the school's verdict flips to 未通过;
- 甘露镇中学: 8 more junior pupils (transfers registered in the statistics system only);
- 江益镇中心小学: one PE/arts teacher fewer (a music teacher registered under another subject);
- 共青城市第一小学: one class counted in the 51–55 band instead of 46–50;
- every equipment value is rounded to 0.01 万元, which is no difference.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from schools.models import CollectionRound, ReturnClass, ReturnStatus, RoundKind, SchoolKind, SchoolReturn

DEMO_YEAR = 2024
THIRD_SCHOOL, GANLU_JUNIOR, JIANGYI_CENTRAL, FIRST_SCHOOL = "2136480003", "2136481002", "2136482001", "2136480001"
GRADES = "一二三四五六七八九"
BANDS = (
    ("25人及以下", None, 25),
    ("26-30人", 26, 30),
    ("31-35人", 31, 35),
    ("36-40人", 36, 40),
    ("41-45人", 41, 45),
    ("46-50人", 46, 50),
    ("51-55人", 51, 55),
    ("56-65人", 56, 65),
    ("66人及以上", 66, None),
)
KIND_WORDS = {
    SchoolKind.PRIMARY: "小学",
    SchoolKind.JUNIOR: "初级中学",
    SchoolKind.NINE_YEAR: "九年一贯制学校",
    SchoolKind.TWELVE_YEAR: "十二年一贯制学校",
    SchoolKind.COMPLETE_SECONDARY: "完全中学",
    SchoolKind.TEACHING_POINT: "小学教学点",
    SchoolKind.SPECIAL: "特殊教育学校",
}
LOCATION_WORDS = {"urban": "城区", "town": "镇区", "rural": "乡村"}


def _returns(year: int) -> list[SchoolReturn]:
    rnd = CollectionRound.objects.filter(school_year__year=year, kind=RoundKind.OFFICIAL).first()
    if rnd is None:
        return []
    return list(
        SchoolReturn.objects.filter(round=rnd, status=ReturnStatus.APPROVED, school__fictional=True)
        .select_related("school")
        .order_by("school__code")
    )


def _sheet(wb, title: str, heading: str, top: list, sub: list | None, merges: list[tuple[int, int, int, int]]):
    """A sheet with a title row merged over its width, then one or two header rows; merges as (r1, c1, r2, c2)."""
    ws = wb.create_sheet(title)
    width = len(top)
    ws.append([heading] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(top)
    if sub is not None:
        ws.append(sub)
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    return ws


def _band_counts(sizes: list[int]) -> list[int]:
    counts = [0] * len(BANDS)
    for size in sizes:
        for i, (_label, lo, hi) in enumerate(BANDS):
            if (lo is None or size >= lo) and (hi is None or size <= hi):
                counts[i] += 1
                break
    return counts


def _split(total: int, shares: list[float]) -> list[int]:
    parts = [int(total * s) for s in shares]
    parts[-1] += total - sum(parts)
    return parts


def demo_export_bytes(year: int = DEMO_YEAR) -> bytes | None:
    """The demo statistics export of `year`, or None without approved demo returns in its official round."""
    returns = _returns(year)
    if not returns:
        return None
    classes: dict[int, list] = defaultdict(list)
    for rid, section, grade, students in ReturnClass.objects.filter(
        school_return__in=[r.pk for r in returns]
    ).values_list("school_return_id", "section", "grade", "students"):
        classes[rid].append((section, grade, students))
    wb = Workbook()
    wb.remove(wb.active)
    _basic(wb, returns, year)
    _pupils(wb, returns, classes, year)
    _teachers(wb, returns, year)
    _buildings(wb, returns, year)
    _grounds(wb, returns, year)
    _equipment(wb, returns, year)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _basic(wb, returns, year):
    ws = _sheet(
        wb,
        "学校基本情况",
        f"基础基表 学校基本情况（{year}年）",
        ["学校标识码", "学校名称", "办学类型", "城乡分类", "学校占地面积（平方米）"],
        None,
        [],
    )
    for r in returns:
        s = r.school
        land = int(r.land_area_m2) if r.land_area_m2 is not None else None
        ws.append([s.code, s.name, KIND_WORDS[s.kind], LOCATION_WORDS[s.location], land])


def _pupils(wb, returns, classes, year):
    top = ["学校标识码", "学校名称", "年级", "班数", "在校生数", "班额情况（班数）"] + [None] * (len(BANDS) - 1)
    sub = [None] * 5 + [b[0] for b in BANDS]
    merges = [(2, c, 3, c) for c in range(1, 6)] + [(2, 6, 2, 5 + len(BANDS))]
    ws = _sheet(wb, "学生及班级", f"基础基表 学生数及班额（{year}年）", top, sub, merges)
    for r in returns:
        s = r.school
        if s.kind == SchoolKind.SPECIAL:
            ws.append([s.code, s.name, "小学", None, r.special_students] + [None] * len(BANDS))
            continue
        by_grade: dict[int, list[int]] = defaultdict(list)
        for _section, grade, students in classes[r.pk]:
            by_grade[grade].append(students)
        moved = s.code == FIRST_SCHOOL
        for grade in sorted(by_grade):
            sizes = by_grade[grade]
            students = sum(sizes)
            if s.code == GANLU_JUNIOR and grade == 7:
                students += 8
            counts = _band_counts(sizes)
            if moved and counts[5]:
                counts[5] -= 1
                counts[6] += 1
                moved = False
            ws.append([s.code, s.name, f"{GRADES[grade - 1]}年级", len(sizes), students, *counts])
        if r.senior_students:
            for i, part in enumerate(_split(r.senior_students, [0.34, 0.33, 0.33])):
                ws.append([s.code, s.name, f"高{GRADES[i]}", math.ceil(part / 50), part] + [None] * len(BANDS))


def _teachers(wb, returns, year):
    degrees = ["研究生毕业", "本科毕业", "专科毕业", "高中阶段及以下"]
    subjects = ["语文", "数学", "外语", "体育", "音乐", "美术", "其他"]
    top = ["学校标识码", "学段", "专任教师合计", "学历"] + [None] * 3 + ["任教学科"] + [None] * 6
    sub = [None] * 3 + degrees + subjects
    merges = [(2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 3, 3), (2, 4, 2, 7), (2, 8, 2, 14)]
    ws = _sheet(wb, "专任教师", f"基础基表 专任教师学历及任教学科（{year}年）", top, sub, merges)
    for r in returns:
        s = r.school
        if s.kind == SchoolKind.SPECIAL:
            t = r.special_teachers or 0
            ws.append([s.code, "小学", t, 0, t, 0, 0, *_split(t, [0.3, 0.3, 0.1, 0.1, 0.1, 0.05, 0.05])])
            continue
        for section, word in (("primary", "小学"), ("junior", "初中")):
            if section not in s.sections:
                continue
            t = getattr(r, f"{section}_teachers") or 0
            above = getattr(r, f"{section}_teachers_above_required") or 0
            pe_arts = getattr(r, f"{section}_teachers_pe_arts") or 0
            if s.code == JIANGYI_CENTRAL and section == "primary":
                pe_arts -= 1
            graduate = 1 if above > 10 else 0
            if section == "primary":
                bachelor = round(above * 0.6)
                row = [graduate, bachelor - graduate, above - bachelor, t - above]
            else:
                row = [graduate, above - graduate, t - above, 0]
            pe = pe_arts // 2
            music = (pe_arts - pe) // 2
            art = pe_arts - pe - music
            rest = _split(t - pe_arts, [0.35, 0.3, 0.2, 0.15])
            ws.append([s.code, word, t, *row, rest[0], rest[1], rest[2], pe, music, art, rest[3]])


def _gym(r) -> int:
    sports = int(r.sports_area_m2 or 0)
    return 800 if sports > 9000 else 0


def _buildings(wb, returns, year):
    uses = ["教室", "实验室", "图书室", "微机室", "体育馆", "其他"]
    top = ["学校标识码", "教学及辅助用房"] + [None] * 5 + ["行政办公用房", "生活用房"]
    sub = [None] + uses + [None, None]
    merges = [(2, 1, 3, 1), (2, 2, 2, 7), (2, 8, 3, 8), (2, 9, 3, 9)]
    ws = _sheet(wb, "校舍", f"基础基表 校舍面积（平方米）（{year}年）", top, sub, merges)
    for r in returns:
        area = int((r.teaching_area_m2 or Decimal(0)).quantize(Decimal(1), ROUND_HALF_UP))
        if r.school.code == THIRD_SCHOOL:
            area = r.primary_students * 36 // 10  # 3.6 m² per pupil: the new building is not yet accepted
        gym = _gym(r)
        parts = _split(area - gym, [0.55, 0.15, 0.1, 0.08, 0.12])
        ws.append([r.school.code, *parts[:4], gym, parts[4], area // 8, area // 5])


def _grounds(wb, returns, year):
    ws = _sheet(
        wb, "体育运动场地", f"基础基表 体育运动场地（{year}年）", ["学校标识码", "运动场地面积（平方米）"], None, []
    )
    for r in returns:
        ws.append([r.school.code, int(r.sports_area_m2 or 0) - _gym(r)])


def _equipment(wb, returns, year):
    top = ["学校标识码", "教学仪器设备资产值（万元）", "网络多媒体教室（间）"]
    ws = _sheet(wb, "教学设备", f"基础基表 教学设备（{year}年）", top, None, [])
    for r in returns:
        wan = (r.equipment_value_yuan or Decimal(0)) / 10000
        ws.append([r.school.code, float(wan.quantize(Decimal("0.01"), ROUND_HALF_UP)), r.multimedia_rooms])


def seed_statistics_export(stdout):
    content = demo_export_bytes(DEMO_YEAR)
    if content is None:
        stdout.write("统计基表 (statistics export): 无正式批次数据 no official round, skipped")
        return
    folder = settings.MEDIA_ROOT / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo_{DEMO_YEAR}.xlsx"
    path.write_bytes(content)
    stdout.write(f"统计基表 (statistics export): {path}")


DEMO_STEP = seed_statistics_export
