"""What the bureau enters for each county-level item: the parts of each entry, their kind and Chinese label.

Percentages are entered as percent numbers (95 means 95%). A veto item's entry says whether the bad thing
happened (true blocks recognition).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    kind: str  # "bool" | "percent" | "amount" | "decimal" | "level"


YES = (Part("met", _("是否达到要求"), "bool"),)

COUNTY_ITEM_PARTS: dict[str, tuple[Part, ...]] = {
    "G1": YES,
    "G2": YES,
    "G8": (
        Part("teacher_pay", _("教师年平均工资收入（元）"), "amount"),
        Part("civil_servant_pay", _("当地公务员年平均工资收入（元）"), "amount"),
        Part("performance_pay_budgeted", _("绩效工资足额纳入预算"), "bool"),
    ),
    "G9": (Part("percent", _("5年360学时培训完成率（%）"), "percent"),),
    "G10": YES,
    "G11": (
        Part("rotated_percent", _("交流轮岗教师占符合条件教师比例（%）"), "percent"),
        Part("backbone_percent", _("骨干教师占交流轮岗教师比例（%）"), "percent"),
    ),
    "G13": (
        Part("primary_percent", _("城区和镇区公办小学就近入学比例（%）"), "percent"),
        Part("junior_percent", _("城区和镇区公办初中就近入学比例（%）"), "percent"),
    ),
    "G14": (
        Part("percent", _("优质高中招生名额分配到初中比例（%）"), "percent"),
        Part("rural_percent", _("其中分配到农村初中的名额比例（%）"), "percent"),
        Part("rural_tilt", _("名额分配向农村初中倾斜"), "bool"),
    ),
    "G15": (
        Part("percent", _("随迁子女在公办学校（含政府购买学位）就读比例（%）"), "percent"),
        Part("care_system", _("建立留守儿童关爱体系"), "bool"),
    ),
    "Q1": (Part("percent", _("初中三年巩固率（%）"), "percent"),),
    "Q2": (Part("percent", _("残疾儿童少年入学率（%）"), "percent"),),
    "Q3": YES,
    "Q5": YES,
    "Q6": YES,
    "Q7": YES,
    "Q8": YES,
    "Q9": (
        Part("level", _("学业质量达到的水平（Ⅰ–Ⅳ级，填数字）"), "level"),
        Part("difference_rate", _("校际差异率"), "decimal"),
    ),
    **{f"V{i}": (Part("occurred", _("是否存在该情形"), "bool"),) for i in range(1, 7)},
}
