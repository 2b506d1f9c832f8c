"""The standards page: every parameter with its Chinese label and unit, never a data key or an internal note."""

import copy
import re

import pytest
from django.urls import reverse

from indicators.domain.standard import NATIONAL_2017_DATA
from indicators.loading import national_standard_row
from indicators.models import Standard

RAW_KEYS = (
    "percent",
    "rotated_percent",
    "backbone_percent",
    "primary_percent",
    "junior_percent",
    "difference_rate",
    "care_system",
    "survey.threshold",
    "teacher_pay",
    "civil_servant_pay",
    "performance_pay_budgeted",
    "rural_tilt",
    "occurred",
    "met",
)


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture
def page(db, staff, login):
    def _page(row):
        return _visible_text(login(staff).get(reverse("indicators:standard", args=[row.pk])).content.decode())

    return _page


def test_every_threshold_reads_in_chinese_with_its_unit(page):
    text = page(national_standard_row())
    for shown in (
        "5年360学时培训完成率 ≥ 100%",
        "交流轮岗教师占符合条件教师比例 ≥ 10%",
        "骨干教师占交流轮岗教师比例 ≥ 20%",
        "学业质量达到的水平 ≥ Ⅲ级",
        "校际差异率 ＜ 0.15",
        "教师年平均工资收入 ≥ 当地公务员年平均工资收入",
        "总体满意度 ≥ 85%",
        "小学 ≥ 4.2；初中 ≥ 5.3 人/百名学生",
        "生均公用经费 ≥ 6000元/生",
        "小学每班 ≤ 45人；初中每班 ≤ 50人",
        "未达标项不低于标准的85%",
        "每类对象有效问卷不少于30份",
        "优质高中招生名额分配到初中比例 ≥ 50%；其中分配到农村初中的名额比例：如实填报；名额分配向农村初中倾斜：是",
        "评估学年前至少3年通过县域义务教育基本均衡发展认定",
    ):
        assert shown in text, shown
    words = set(re.findall(r"[A-Za-z_.]+", text))
    assert not words & set(RAW_KEYS), words & set(RAW_KEYS)


def test_internal_notes_are_not_shown(page):
    data = copy.deepcopy(NATIONAL_2017_DATA)
    for ind in data["indicators"]:
        if ind["code"] in ("G7", "G10"):
            ind["note"] = (
                "6000元为待核实数字（to confirm）" if ind["code"] == "G7" else "表述待核实（wording to confirm）"
            )
    row = Standard.objects.create(code="local-notes", name="本地标准", version="x", data=data)
    text = page(row)
    assert "待核实" not in text and "to confirm" not in text
    assert "特殊教育学校生均公用经费不低于6000元" in text
