"""A version of the evaluation standard, held as data.

Provinces localise thresholds, weights and base rates, and bureau administrators derive variants, so nothing
in the engine hard-codes a number of the 2017 national standard: every number lives here, in a `Standard`
built from a plain JSON-able dict (`NATIONAL_2017_DATA` is the default). Decimals are written as strings in
the dict and read back as `Decimal`.

Percent items (G9, G11–G15, Q1, Q2, Q4) are in percent numbers (95 means 95 %), as the bureau enters them;
the survey rate (S1) and the monitoring difference rate (Q9) are fractions (0.85, 0.15), as published.

`comparison` of an indicator says how it is judged:
    ">="     value at or above the threshold(s) (resource indicators: one threshold per section)
    "bool"   an entered yes/no that must be yes
    "veto"   an entered yes/no saying the bad thing happened (yes blocks)
    "rule"   judged by a rule whose numbers are fields of the Standard (G3–G7)
    "parts"  an entered item of several parts, each judged by `parts[key]`:
             ">=", ">", "<=", "<", "==" against `thresholds[key]`; "yes" / "no" for a yes/no part;
             ">=:other" compares with another part of the same entry (G8: teacher pay ≥ civil-servant pay);
             "record" a number that must be entered and is shown, not judged (G14: the share of the quota places
             given to rural junior schools, shown beside the 50 %, while the bureau judges the tilt as a yes/no).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

AREAS = ("resource", "guarantee", "quality", "social", "veto")
SECTIONS = ("primary", "junior")
KINDS = ("primary", "junior", "nine_year", "twelve_year", "complete_secondary", "teaching_point", "special")


def code_key(code: str) -> tuple[int, str, int]:
    """Sort key putting R2 before R10 and areas in the standard's order (R, G, Q, S, V)."""
    m = re.fullmatch(r"([A-Z]+)(\d+)", code)
    if not m:
        return (99, code, 0)
    return ("RGQSV".find(m.group(1)) if m.group(1) in "RGQSV" else 98, m.group(1), int(m.group(2)))


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: what it is, where its value comes from and how it is judged.

    `figure` and `per` describe a resource indicator's value: `figure` is the school figure counted
    (e.g. "teachers_backbone", "teaching_area_m2") and `per` is 100 for "per hundred students", 1 for
    "per student". `in_version` is False for a definition kept for reference but not in force (V7 in 2017).
    """

    code: str
    area: str
    name_zh: str
    unit_zh: str
    level: str  # "school" | "county"
    source: str  # "computed" | "entered" | "monitoring" | "survey"
    comparison: str
    thresholds: dict[str, Decimal] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)
    figure: str = ""
    per: int = 1
    in_version: bool = True
    note: str = ""


@dataclass(frozen=True)
class RoomRule:
    """G3: rooms of each kind per `classes_per_room` classes (at least one), each at least `min_area_m2[kind]`."""

    classes_per_room: int
    min_area_m2: dict[str, Decimal]


@dataclass(frozen=True)
class SurveyScoring:
    """S1 scoring: which answer levels count as satisfied, which are left out, groups and their weights."""

    levels: tuple[str, ...]
    level_names_zh: dict[str, str]
    counted_levels: tuple[str, ...]
    excluded_levels: tuple[str, ...]
    min_valid_per_group: int
    groups: dict[str, Decimal]
    group_names_zh: dict[str, str]
    threshold: Decimal


@dataclass(frozen=True)
class Standard:
    """A whole standard version. Build it with `national_2017()` or `standard_from_dict(d)`."""

    code: str
    name: str
    version: str
    indicators: dict[str, IndicatorDef]
    cv_limits: dict[str, Decimal]
    tolerance_floor: Decimal
    min_met: int
    split_weights: dict[str, dict[str, Decimal]]
    base_rates: dict[str, Decimal]
    class_caps: dict[str, int]
    school_size_caps: dict[str, int]
    room_rule: RoomRule
    small_school_students: int
    small_point_students: int
    special_school_min_per_student: Decimal
    survey: SurveyScoring
    veto_codes: tuple[str, ...]
    basic_balance_years: int = 3  # precondition: basic balance recognised at least this many years before

    @property
    def label(self) -> str:
        return f"{self.name}（{self.version}）"

    def codes(self, area: str) -> tuple[str, ...]:
        """Codes of an area in force in this version, in order (vetoes: exactly `veto_codes`)."""
        if area == "veto":
            return tuple(sorted(self.veto_codes, key=code_key))
        return tuple(sorted((c for c, d in self.indicators.items() if d.area == area and d.in_version), key=code_key))

    @cached_property
    def resource_codes(self) -> tuple[str, ...]:
        return self.codes("resource")

    @cached_property
    def resource_defs(self) -> tuple[IndicatorDef, ...]:
        return tuple(self.indicators[c] for c in self.resource_codes)

    @cached_property
    def entered_codes(self) -> tuple[str, ...]:
        """Items the bureau enters (or receives from national monitoring): county entries are needed for these."""
        codes = [
            c
            for area in ("guarantee", "quality")
            for c in self.codes(area)
            if self.indicators[c].source in ("entered", "monitoring")
        ]
        return tuple(codes) + self.codes("veto")

    @cached_property
    def school_item_codes(self) -> tuple[str, ...]:
        """Guarantee and quality items computed from school figures (G3–G7, G12, Q4 in 2017)."""
        return tuple(
            c for area in ("guarantee", "quality") for c in self.codes(area) if self.indicators[c].source == "computed"
        )


# --------------------------------------------------------------------------------------------------------------
# The national 2017 standard (教督〔2017〕6号) as plain data.

_YES = {"comparison": "bool", "parts": {"met": "yes"}}


def _r(code: str, name: str, unit: str, figure: str, per: int, primary: str, junior: str) -> dict[str, Any]:
    return {
        "code": code,
        "area": "resource",
        "name_zh": name,
        "unit_zh": unit,
        "level": "school",
        "source": "computed",
        "comparison": ">=",
        "thresholds": {"primary": primary, "junior": junior},
        "figure": figure,
        "per": per,
    }


def _item(code: str, area: str, name: str, unit: str, level: str, source: str, **rest: Any) -> dict[str, Any]:
    return {"code": code, "area": area, "name_zh": name, "unit_zh": unit, "level": level, "source": source, **rest}


def _veto(code: str, name: str, in_version: bool = True, note: str = "") -> dict[str, Any]:
    return _item(
        code,
        "veto",
        name,
        "是/否",
        "county",
        "entered",
        comparison="veto",
        parts={"occurred": "no"},
        in_version=in_version,
        note=note,
    )


_PER_100 = "人/百名学生"

NATIONAL_2017_DATA: dict[str, Any] = {
    "code": "national-2017",
    "name": "县域义务教育优质均衡发展督导评估办法",
    "version": "2017",
    "indicators": [
        _r("R1", "每百名学生拥有高于规定学历教师数", _PER_100, "teachers_above_required", 100, "4.2", "5.3"),
        _r("R2", "每百名学生拥有县级及以上骨干教师数", _PER_100, "teachers_backbone", 100, "1.0", "1.0"),
        _r("R3", "每百名学生拥有体育、艺术（美术、音乐）专任教师数", _PER_100, "teachers_pe_arts", 100, "0.9", "0.9"),
        _r("R4", "生均教学及辅助用房面积", "平方米/生", "teaching_area_m2", 1, "4.5", "5.8"),
        _r("R5", "生均体育运动场馆面积", "平方米/生", "sports_area_m2", 1, "7.5", "10.2"),
        _r("R6", "生均教学仪器设备值", "元/生", "equipment_value_yuan", 1, "2000", "2500"),
        _r("R7", "每百名学生拥有网络多媒体教室数", "间/百名学生", "multimedia_rooms", 100, "2.3", "2.4"),
        _item(
            "G1", "guarantee", "县域内义务教育学校规划布局合理，符合国家规定要求", "是/否", "county", "entered", **_YES
        ),
        _item(
            "G2",
            "guarantee",
            "县域内城乡义务教育学校建设标准统一、教师编制标准统一、生均公用经费基准定额统一、基本装备配置标准统一",
            "是/否",
            "county",
            "entered",
            **_YES,
        ),
        _item(
            "G3",
            "guarantee",
            "所有小学、初中每12个班级配备音乐、美术专用教室1间以上；其中，每间音乐专用教室面积不小于96平方米，"
            "每间美术专用教室面积不小于90平方米",
            "间",
            "school",
            "computed",
            comparison="rule",
        ),
        _item(
            "G4",
            "guarantee",
            "所有小学、初中规模不超过2000人，九年一贯制学校、十二年一贯制学校义务教育阶段规模不超过2500人",
            "人",
            "school",
            "computed",
            comparison="rule",
        ),
        _item(
            "G5",
            "guarantee",
            "小学、初中所有班级学生数分别不超过45人、50人",
            "人",
            "school",
            "computed",
            comparison="rule",
        ),
        _item(
            "G6",
            "guarantee",
            "不足100名学生村小学和教学点按100名学生核定公用经费",
            "元",
            "school",
            "computed",
            comparison="rule",
        ),
        _item(
            "G7",
            "guarantee",
            "特殊教育学校生均公用经费不低于6000元",
            "元/生",
            "school",
            "computed",
            comparison="rule",
        ),
        _item(
            "G8",
            "guarantee",
            "全县义务教育学校教师平均工资收入水平不低于当地公务员平均工资收入水平，按规定足额核定教师绩效工资总量",
            "元",
            "county",
            "entered",
            comparison="parts",
            parts={"teacher_pay": ">=:civil_servant_pay", "performance_pay_budgeted": "yes"},
        ),
        _item(
            "G9",
            "guarantee",
            "教师5年360学时培训完成率达到100%",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"percent": ">="},
            thresholds={"percent": "100"},
        ),
        _item(
            "G10",
            "guarantee",
            "县级教育行政部门在核定的教职工编制总额和岗位总量内，统筹分配各校教职工编制和岗位数量",
            "是/否",
            "county",
            "entered",
            **_YES,
        ),
        _item(
            "G11",
            "guarantee",
            "全县每年交流轮岗教师的比例不低于符合交流条件教师总数的10%；其中，骨干教师不低于交流轮岗教师总数的20%",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"rotated_percent": ">=", "backbone_percent": ">="},
            thresholds={"rotated_percent": "10", "backbone_percent": "20"},
        ),
        _item(
            "G12",
            "guarantee",
            "专任教师持有教师资格证上岗率达到100%",
            "%",
            "school",
            "computed",
            comparison=">=",
            thresholds={"percent": "100"},
        ),
        _item(
            "G13",
            "guarantee",
            "城区和镇区公办小学、初中（不含寄宿制学校）就近划片入学比例分别达到100%、95%",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"primary_percent": ">=", "junior_percent": ">="},
            thresholds={"primary_percent": "100", "junior_percent": "95"},
        ),
        _item(
            "G14",
            "guarantee",
            "优质高中招生名额分配比例不低于50%，并向农村初中倾斜",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"percent": ">=", "rural_percent": "record", "rural_tilt": "yes"},
            thresholds={"percent": "50"},
        ),
        _item(
            "G15",
            "guarantee",
            "县域内留守儿童关爱体系健全，全面纳入关爱体系；随迁子女在公办学校和政府购买服务的民办学校就读的比例不低于85%",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"percent": ">=", "care_system": "yes"},
            thresholds={"percent": "85"},
        ),
        _item(
            "Q1",
            "quality",
            "全县初中三年巩固率达到95%以上",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"percent": ">="},
            thresholds={"percent": "95"},
        ),
        _item(
            "Q2",
            "quality",
            "全县残疾儿童少年入学率达到95%以上",
            "%",
            "county",
            "entered",
            comparison="parts",
            parts={"percent": ">="},
            thresholds={"percent": "95"},
        ),
        _item("Q3", "quality", "所有学校制定章程，实现学校管理与教学信息化", "是/否", "county", "entered", **_YES),
        _item(
            "Q4",
            "quality",
            "所有学校按照不低于学校年度公用经费预算总额的5%安排教师培训经费",
            "%",
            "school",
            "computed",
            comparison=">=",
            thresholds={"percent": "5"},
        ),
        _item(
            "Q5",
            "quality",
            "教师能熟练运用信息化手段组织教学，设施设备利用率达到较高水平",
            "是/否",
            "county",
            "entered",
            **_YES,
        ),
        _item("Q6", "quality", "所有学校德育工作、校园文化建设水平达到良好以上", "是/否", "county", "entered", **_YES),
        _item(
            "Q7", "quality", "课程开齐开足，教学秩序规范，综合实践活动有效开展", "是/否", "county", "entered", **_YES
        ),
        _item("Q8", "quality", "无过重课业负担", "是/否", "county", "entered", **_YES),
        _item(
            "Q9",
            "quality",
            "在国家义务教育质量监测中，相关科目学生学业水平达到Ⅲ级以上，且校际差异率低于0.15",
            "级/差异率",
            "county",
            "monitoring",
            comparison="parts",
            parts={"level": ">=", "difference_rate": "<"},
            thresholds={"level": "3", "difference_rate": "0.15"},
        ),
        _item(
            "S1",
            "social",
            "社会认可度达到85%以上",
            "比率",
            "county",
            "survey",
            comparison=">=",
        ),
        _veto("V1", "有以考试方式招生的"),
        _veto("V2", "存在违规择校行为的"),
        _veto("V3", "存在重点学校或重点班的"),
        _veto("V4", "存在“有编不补”或长期聘用编外教师情况的"),
        _veto("V5", "教育系统存在重大安全责任事故和严重违纪违规事件的"),
        _veto("V6", "有弄虚作假行为的"),
        _veto("V7", "校外培训机构治理不力", in_version=False, note="2021年后的版本新增，不属于2017年版"),
    ],
    "cv_limits": {"primary": "0.50", "junior": "0.45"},
    "tolerance_floor": "0.85",
    "min_met": 6,
    "split_weights": {
        "nine_year": {"primary": "1", "junior": "1.1"},
        "complete_secondary": {"junior": "1", "senior": "1.2"},
        "twelve_year": {"primary": "1", "junior": "1.1", "senior": "1.32"},
    },
    "base_rates": {"primary": "650", "junior": "850"},
    "class_caps": {"primary": 45, "junior": 50},
    "school_size_caps": {
        "primary": 2000,
        "junior": 2000,
        "complete_secondary": 2000,
        "nine_year": 2500,
        "twelve_year": 2500,
    },
    "room_rule": {"classes_per_room": 12, "min_area_m2": {"music": "96", "art": "90"}},
    "small_school_students": 100,
    "small_point_students": 50,
    "special_school_min_per_student": "6000",
    "survey": {
        "levels": ["very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "very_dissatisfied", "unknown"],
        "level_names_zh": {
            "very_satisfied": "很满意",
            "satisfied": "满意",
            "fairly_satisfied": "基本满意",
            "dissatisfied": "不满意",
            "very_dissatisfied": "很不满意",
            "unknown": "不了解",
        },
        "counted_levels": ["very_satisfied", "satisfied", "fairly_satisfied"],
        "excluded_levels": ["unknown"],
        "min_valid_per_group": 30,
        "groups": {
            "students": "1",
            "parents": "1",
            "teachers": "1",
            "principals": "1",
            "npc_deputies": "1",
            "cppcc_members": "1",
            "residents": "1",
        },
        "group_names_zh": {
            "students": "学生",
            "parents": "家长",
            "teachers": "教师",
            "principals": "校长",
            "npc_deputies": "人大代表",
            "cppcc_members": "政协委员",
            "residents": "其他群众",
        },
        "threshold": "0.85",
    },
    "veto_codes": ["V1", "V2", "V3", "V4", "V5", "V6"],
    "basic_balance_years": 3,
}


def _dec_map(m: Mapping[str, Any]) -> dict[str, Decimal]:
    return {str(k): Decimal(str(v)) for k, v in m.items()}


def _indicator_from_dict(d: Mapping[str, Any]) -> IndicatorDef:
    area = d["area"]
    if area not in AREAS:
        raise ValueError(f"{d['code']}: unknown area {area!r}")
    return IndicatorDef(
        code=d["code"],
        area=area,
        name_zh=d["name_zh"],
        unit_zh=d.get("unit_zh", ""),
        level=d.get("level", "county"),
        source=d.get("source", "entered"),
        comparison=d["comparison"],
        thresholds=_dec_map(d.get("thresholds", {})),
        parts={str(k): str(v) for k, v in d.get("parts", {}).items()},
        figure=d.get("figure", ""),
        per=int(d.get("per", 1)),
        in_version=bool(d.get("in_version", True)),
        note=d.get("note", ""),
    )


def standard_from_dict(d: Mapping[str, Any]) -> Standard:
    """Build a Standard from its JSON-able dict (as stored by the portal); raises ValueError when inconsistent."""
    try:
        indicators = {i["code"]: _indicator_from_dict(i) for i in d["indicators"]}
        room = d["room_rule"]
        survey = d["survey"]
        std = Standard(
            code=d["code"],
            name=d["name"],
            version=str(d["version"]),
            indicators=indicators,
            cv_limits=_dec_map(d["cv_limits"]),
            tolerance_floor=Decimal(str(d["tolerance_floor"])),
            min_met=int(d["min_met"]),
            split_weights={k: _dec_map(v) for k, v in d["split_weights"].items()},
            base_rates=_dec_map(d["base_rates"]),
            class_caps={k: int(v) for k, v in d["class_caps"].items()},
            school_size_caps={k: int(v) for k, v in d["school_size_caps"].items()},
            room_rule=RoomRule(
                classes_per_room=int(room["classes_per_room"]), min_area_m2=_dec_map(room["min_area_m2"])
            ),
            small_school_students=int(d["small_school_students"]),
            small_point_students=int(d["small_point_students"]),
            special_school_min_per_student=Decimal(str(d["special_school_min_per_student"])),
            survey=SurveyScoring(
                levels=tuple(survey["levels"]),
                level_names_zh=dict(survey.get("level_names_zh", {})),
                counted_levels=tuple(survey["counted_levels"]),
                excluded_levels=tuple(survey.get("excluded_levels", ())),
                min_valid_per_group=int(survey["min_valid_per_group"]),
                groups=_dec_map(survey["groups"]),
                group_names_zh=dict(survey.get("group_names_zh", {})),
                threshold=Decimal(str(survey["threshold"])),
            ),
            veto_codes=tuple(d["veto_codes"]),
            basic_balance_years=int(d.get("basic_balance_years", 3)),
        )
    except KeyError as e:
        raise ValueError(f"standard data lacks {e}") from e
    _check(std)
    return std


def _check(std: Standard) -> None:
    for code in std.veto_codes:
        if code not in std.indicators or std.indicators[code].area != "veto":
            raise ValueError(f"veto code {code} has no veto definition")
    for code in std.resource_codes:
        d = std.indicators[code]
        missing = [s for s in std.cv_limits if s not in d.thresholds]
        if missing or not d.figure or d.per <= 0:
            raise ValueError(f"{code}: resource indicator needs a figure, a positive per and thresholds for {missing}")
    for code, d in std.indicators.items():
        for key, op in d.parts.items():
            if op in (">=", ">", "<=", "<", "==") and key not in d.thresholds:
                raise ValueError(f"{code}: part {key} compares with a threshold that is not given")
    if not 0 < std.min_met <= len(std.resource_codes):
        raise ValueError("min_met must be between 1 and the number of resource indicators")
    if set(std.survey.counted_levels) - set(std.survey.levels):
        raise ValueError("survey counted levels must be among its levels")


def standard_to_dict(s: Standard) -> dict[str, Any]:
    """The JSON-able dict of a Standard (Decimals as strings); `standard_from_dict` reads it back unchanged."""

    def strs(m: Mapping[str, Decimal]) -> dict[str, str]:
        return {k: str(v) for k, v in m.items()}

    return {
        "code": s.code,
        "name": s.name,
        "version": s.version,
        "indicators": [
            {
                "code": i.code,
                "area": i.area,
                "name_zh": i.name_zh,
                "unit_zh": i.unit_zh,
                "level": i.level,
                "source": i.source,
                "comparison": i.comparison,
                "thresholds": strs(i.thresholds),
                "parts": dict(i.parts),
                "figure": i.figure,
                "per": i.per,
                "in_version": i.in_version,
                "note": i.note,
            }
            for i in sorted(s.indicators.values(), key=lambda i: code_key(i.code))
        ],
        "cv_limits": strs(s.cv_limits),
        "tolerance_floor": str(s.tolerance_floor),
        "min_met": s.min_met,
        "split_weights": {k: strs(v) for k, v in s.split_weights.items()},
        "base_rates": strs(s.base_rates),
        "class_caps": dict(s.class_caps),
        "school_size_caps": dict(s.school_size_caps),
        "room_rule": {"classes_per_room": s.room_rule.classes_per_room, "min_area_m2": strs(s.room_rule.min_area_m2)},
        "small_school_students": s.small_school_students,
        "small_point_students": s.small_point_students,
        "special_school_min_per_student": str(s.special_school_min_per_student),
        "survey": {
            "levels": list(s.survey.levels),
            "level_names_zh": dict(s.survey.level_names_zh),
            "counted_levels": list(s.survey.counted_levels),
            "excluded_levels": list(s.survey.excluded_levels),
            "min_valid_per_group": s.survey.min_valid_per_group,
            "groups": strs(s.survey.groups),
            "group_names_zh": dict(s.survey.group_names_zh),
            "threshold": str(s.survey.threshold),
        },
        "veto_codes": list(s.veto_codes),
        "basic_balance_years": s.basic_balance_years,
    }


def national_2017() -> Standard:
    """The national 2017 standard, built afresh (its dicts are plain dicts: a caller's edits stay its own)."""
    return standard_from_dict(NATIONAL_2017_DATA)
