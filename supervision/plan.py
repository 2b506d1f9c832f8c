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

# ref, title, stage number, lead body codes, cooperating body codes.
MEASURES = (
    ("1.1", "建立党委领导、部门联动的推进机制", 1, ("party_office",), ALL_DEPARTMENTS[1:]),
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
    ("4.1", "加强德育，全面实施素质教育，规范办学行为，依法治校", 4, ("education",), ()),
    ("4.2", "保障随迁子女入学，关爱留守儿童，发展特殊教育，资助困难学生", 4, ("education",), ()),
    ("5.1", "领导小组及其办公室（设在市教体局）统筹协调、督促推进", 1, (LEADING_GROUP,), ("education",)),
    ("5.2", "宣传推进工作及成效", 5, (TOWNSHIPS,), ("education",)),
    ("5.3", "每年对乡镇（街道）和部门履行教育职责情况督导考核，结果运用", 4, (LEADING_GROUP,), ("education",)),
)

_TEACHERS = ("staffing", "hr", "education", "finance")
_BUILDING = ("natural_resources", "housing", "finance", "education", TOWNSHIP)
_EQUIPMENT = ("finance", "education")
_FUNDING = ("finance", "education", "hr")
_QUALITY = ("education", TOWNSHIP)

# Indicator code → bodies; the first is the lead. Codes not listed go to the bureau alone.
ROUTING = {
    **{code: _TEACHERS for code in ("R1", "R2", "R3", "G9", "G10", "G11", "G12")},
    **{code: _BUILDING for code in ("R4", "R5", "G3", "G4", "G5")},
    **{code: _EQUIPMENT for code in ("R6", "R7")},
    **{code: _FUNDING for code in ("G6", "G7", "G8")},
    **{f"Q{i}": _QUALITY for i in range(1, 10)},
}
DEFAULT_ROUTE = ("education",)
