"""One verdict vocabulary (GLOSSARY: indicators 达标 / 未达标 / 无数据; sections, areas, the county 通过 / 未通过 with
暂定 and what is missing) and one number format (thousands separators, units; spreadsheets keep numbers)."""

import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from gongqing import numbers
from gongqing.spreadsheets import append_row
from indicators import storing, verdicts
from indicators.domain.evaluate import evaluate
from indicators.domain.inputs import EvaluationInput
from indicators.domain.standard import national_2017
from indicators.domain.status import Finding
from indicators.domain.survey import SurveyResult
from indicators.templatetags.indicator_tags import standard_text, verdict_label
from tests.indicators.domain.builders import all_entries_met, school


def test_one_function_words_the_county_an_area_and_a_section_alike():
    assert verdicts.verdict(passed=True).label == "通过"
    assert verdicts.verdict(passed=False).label == "未通过"
    assert verdicts.verdict(passed=False, provisional=True).label == "未通过（暂定）"
    assert verdicts.verdict(passed=None, provisional=True, missing=["G1"]).label == "暂定"
    assert verdicts.verdict(passed=True, provisional=True).code == "provisional"  # never 通过 while provisional
    assert verdicts.area_verdict({"passed": None, "no_data": ["G1", "G2"]}).missing_text == "G1、G2"
    assert [verdict_label(s) for s in ("passed", "passed_within_tolerance", "failed", "no_data")] == [
        "通过",
        "通过（一项不低于85%）",
        "未通过",
        "暂定",
    ]
    assert [verdicts.indicator_word(s) for s in ("met", "not_met", "no_data")] == ["达标", "未达标", "无数据"]


def test_a_provisional_county_says_what_is_missing():
    summary = {
        "provisional": True,
        "completeness": {"schools_expected": 12, "schools_with_data": 10, "missing_items": ["G1", "S1"]},
        "county": {"passed": None, "not_evaluated": ["G1", "S1", "R5"]},
    }
    v = verdicts.county_verdict(summary)
    assert (v.code, v.label) == ("provisional", "暂定")
    assert v.missing == ("12所学校中10所有审核通过的数据", "未填报：G1、S1", "无数据：R5")


def test_a_survey_short_of_responses_is_no_data_never_a_failure_in_the_problem_list():
    """S1 with too few students' responses is no data: the county's problem list must not call it 未达到要求."""
    std = national_2017()
    short = SurveyResult(None, "no_data", std.survey.threshold, short_groups=("students",))
    ev = evaluate(
        EvaluationInput(
            schools=(school("A", primary=400),),
            expected_school_codes=("A",),
            county_entries=all_entries_met(),
            survey=short,
        )
    )
    meta = {"schools_by_code": {}, "standard": std, "policy_label": "并入"}
    s = storing.summary(ev, meta)
    assert not any("S1" in text for text in s["county"]["blocking"])
    s1 = [text for text in s["county"]["no_data"] if text.startswith("S1")]
    assert s1 == ["S1 社会认可度达到85%以上：无数据（有效问卷不足：学生）"]
    assert verdicts.county_verdict(s).label == "暂定"
    social = next(a for a in s["areas"] if a["area"] == "social")
    assert verdicts.area_verdict(social).label == "暂定" and social["not_met"] == []


def test_a_missing_finding_never_reads_as_a_failure():
    text = storing.describe_finding(Finding("G9", "odd_reason"), {}, {"G9": "培训"}, missing=True)
    assert text == "G9 培训：无数据"


def test_money_and_counts_have_thousands_separators_and_units():
    assert numbers.money(Decimal("7236693.40")) == "7,236,693 元"
    assert numbers.amount(542500) == "542,500"
    assert numbers.amount(Decimal("1234.567"), 2) == "1,234.57"
    assert numbers.amount(None) == "—"


def test_spreadsheet_cells_stay_numbers_with_a_number_format():
    wb = Workbook()
    append_row(wb.active, ["甲小学", 1204, Decimal("7236693.40"), Decimal("0.35")])
    out = io.BytesIO()
    wb.save(out)
    row = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert [c.value for c in row] == ["甲小学", 1204, 7236693.4, 0.35]
    assert [c.number_format for c in row[1:]] == ["#,##0", "#,##0.00", "General"]


class _Result:
    def __init__(self, code, detail, threshold=None):
        self.code, self.detail, self.threshold = code, detail, threshold


def test_the_gaps_page_standard_of_g3_and_g5():
    g3 = _Result("G3", {"required": 2, "music": {"min_area_m2": "96"}, "art": {"min_area_m2": "90"}})
    assert standard_text(g3) == "各 ≥ 2间；音乐 ≥ 96平方米/间；美术 ≥ 90平方米/间"
    g5 = _Result("G5", {"offending": [{"section": "primary", "cap": 45}, {"section": "junior", "cap": 50}]})
    assert standard_text(g5) == "小学每班 ≤ 45人；初中每班 ≤ 50人"
    assert standard_text(_Result("R5", {}, Decimal("7.5"))) == "7.50"
