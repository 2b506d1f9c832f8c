"""The city plan as data (../shared/domain/PLAN.md): work stages, measures with their bodies, the indicator routing.

Body codes are those of the seeded bodies (supervision/demo.py). `TOWNSHIP` in a routing list stands for the township of
the failing school; `TOWNSHIPS` in a measure's list stands for every township body.
"""

from __future__ import annotations

import datetime

TOWNSHIP = "@township"
TOWNSHIPS = "@townships"
BUREAU_BODY = "education"  # 市教体局: the bureau that runs the portal acts for this body
LEADING_GROUP = "leading_group"

# (number, name, starts, ends) of the published 2020–2022 plan.
PUBLISHED_STAGES = (
    (1, "宣传发动", None, datetime.date(2020, 11, 30)),
    (2, "推进实施", datetime.date(2020, 12, 1), datetime.date(2021, 6, 30)),
    (3, "重点攻坚", datetime.date(2021, 7, 1), datetime.date(2021, 12, 31)),
    (4, "自查评估", datetime.date(2022, 1, 1), datetime.date(2022, 3, 31)),
    (5, "巩固提升，迎接评估", datetime.date(2022, 4, 1), datetime.date(2022, 11, 30)),
)
PUBLISHED_START = datetime.date(2020, 9, 1)  # stage 1 has no published start; the plan was adopted in autumn 2020

ALL_DEPARTMENTS = (
    "party_office",
    "gov_office",
    "staffing",
    "education",
    "development",
    "finance",
    "hr",
    "housing",
    "natural_resources",
)
OFFICE = "office"  # 领导小组办公室, at 市教体局: runs the annual assessment (5.3)
MEDIA = "media"  # 新闻媒体: a party to publicity (5.2)
SCHOOLS = "schools"  # 各义务教育学校: parties to 4.1 and 4.2, acting through their township's officials

# Bodies that carry duties and are scored by the annual assessment (5.3): the six townships and these departments.
# The leadership group and its office assess and are never scored; 市委办 and 市政府办 sit in the mechanism (1.1).
SCORED_DEPARTMENTS = ("staffing", "education", "development", "finance", "hr", "housing", "natural_resources")

# ref, title (the plan's words), stage number, lead body codes, cooperating body codes. 1.1 is the mechanism: no
# lead, every department takes part (not scored); 5.1–5.3 belong to the leadership group and its office.
MEASURES = (
    (
        "1.1",
        "建立市委办、市政府办、市委编办、市教体局、市发改委、市财政局、市人社局、市住建局、市自然资源局参与的"
        "“党政主导，部门联动，上下发力，统筹推进”义务教育优质均衡发展推进机制",
        1,
        (),
        ALL_DEPARTMENTS,
    ),
    ("1.2", "对照评估要求测算缺口，落实经费保障", 2, ("education",), ("finance", "hr", "development")),
    ("1.3", "乡镇（街道）依法履行义务教育职责，落实各项指标", 2, (TOWNSHIPS,), ()),
    (
        "2.1",
        "修订学校布局规划，保障学校用地，评估前新建一批标准化学校，消除大规模学校，小学班额不超过45人、初中不超过50人",
        3,
        ("education",),
        ("natural_resources", "finance", "housing", TOWNSHIPS),
    ),
    (
        "2.2",
        "统一城乡学校建设标准，按期补齐生均用地、校舍、体育场馆、音美教室、班班通、网络多媒体教室、仪器设备等短板",
        3,
        ("natural_resources",),
        ("finance", "housing", "education", TOWNSHIPS),
    ),
    ("3.1", "2022年前按标准为每所学校配齐所需学科专任教师", 5, ("staffing",), ("hr", "education")),
    ("3.2", "按指标要求开展校长教师交流轮岗和培训，保障培训经费和交流补助", 3, ("education",), ("finance", "hr")),
    ("3.3", "教师平均工资收入水平不低于当地公务员平均工资收入水平", 2, ("finance",), ("education", "hr")),
    ("4.1", "加强德育，全面实施素质教育，规范办学行为，依法治校", 4, ("education",), (SCHOOLS,)),
    ("4.2", "保障随迁子女入学，关爱留守儿童，发展特殊教育，资助困难学生", 4, ("education",), (SCHOOLS,)),
    ("5.1", "领导小组及其办公室（设在市教体局）统筹协调、督促推进", 1, (LEADING_GROUP,), (OFFICE,)),
    ("5.2", "各乡镇（街道）、各部门、新闻媒体宣传推进工作及成效", 5, (OFFICE,), (TOWNSHIPS, MEDIA)),
    ("5.3", "每年对乡镇（街道）和部门履行教育职责情况督导考核，结果运用", 4, (OFFICE,), ()),
)
# Measures whose work is the leadership group's and its office's own: never scored by the assessment.
UNSCORED_MEASURES = ("1.1", "5.1", "5.2", "5.3")


def _codes(*groups) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups:
        out.extend(g.split() if isinstance(g, str) else g)
    return tuple(out)


# PLAN.md's routing table, row by row (corrected 2026-12-04): indicator codes, measure, lead and cooperating bodies.
# `TOWNSHIP` is the failing school's township (school items only); `TOWNSHIPS` every township (S1).
ROUTES = (
    (("R3",), "3.1", ("staffing", "hr", "education")),
    (("G10",), "3.1", ("education", "staffing", "hr")),
    (("R1", "R2", "G12"), "3.1, 3.2", ("education", "staffing", "hr")),
    (("G9", "G11"), "3.2", ("education", "finance", "hr")),
    (("Q4",), "3.2", ("finance", "education")),
    (("G8",), "3.3", ("finance", "education", "hr")),
    (("G1", "G2", "G4", "G5"), "2.1", ("education", "natural_resources", "finance", "housing", TOWNSHIP)),
    (("R4", "R5", "G3"), "2.2", ("education", "housing", "finance", "natural_resources", TOWNSHIP)),
    (("T1",), "2.1, 2.2", ("natural_resources", "education", TOWNSHIP)),
    (("R6", "R7", "T2"), "2.2", ("education", "finance")),
    (("G6", "G7"), "1.2", ("finance", "education")),
    (_codes("G13 G14 G15 Q1 Q2 Q3 Q5 Q6 Q7 Q8 Q9"), "4.1, 4.2", ("education", TOWNSHIP)),
    (("S1",), "5.2", ("education", TOWNSHIPS, MEDIA)),
    (tuple(f"V{i}" for i in range(1, 8)), "", ("education",)),
)
ROUTING = {code: bodies for codes, _measure, bodies in ROUTES for code in codes}
ROUTE_MEASURES = {code: measure for codes, measure, _bodies in ROUTES for code in codes}
DEFAULT_ROUTE = ("education",)

# The first routing (migration 0003), kept to recognise items whose lead was never changed by hand.
_OLD_TEACHERS = ("staffing", "hr", "education", "finance")
_OLD_BUILDING = ("natural_resources", "housing", "finance", "education", TOWNSHIP)
OLD_ROUTING = {
    **{code: _OLD_TEACHERS for code in ("R1", "R2", "R3", "G9", "G10", "G11", "G12")},
    **{code: _OLD_BUILDING for code in ("R4", "R5", "G3", "G4", "G5")},
    **{code: ("finance", "education") for code in ("R6", "R7")},
    **{code: ("finance", "education", "hr") for code in ("G6", "G7", "G8")},
    **{f"Q{i}": ("education", TOWNSHIP) for i in range(1, 10)},
}
