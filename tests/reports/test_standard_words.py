"""The veto items in the standard's own words (INDICATORS.md, 教督〔2017〕6号), wherever they are printed."""

import copy
import importlib
import io

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from indicators.domain.standard import NATIONAL_2017_DATA, national_2017
from indicators.models import EvaluationState, Standard
from supervision.reports import context
from tests.reports.conftest import stage

VETO_WORDS = {
    "V1": "有以考试方式招生的",
    "V2": "存在违规择校行为的",
    "V3": "存在重点学校或重点班的",
    "V4": "存在“有编不补”或长期聘用编外教师情况的",
    "V5": "教育系统存在重大安全责任事故和严重违纪违规事件的",
    "V6": "有弄虚作假行为的",
}


def test_the_2017_standard_words_v1_to_v6_as_the_standard_does():
    std = national_2017()
    assert {code: std.indicators[code].name_zh for code in std.codes("veto")} == VETO_WORDS


def test_the_report_veto_self_check_prints_the_standards_words(county, cycle, official_round):
    ctx = context.build_context(stage=stage(cycle, 4), round=official_round)
    assert {v["code"]: v["name"] for v in ctx.veto} == VETO_WORDS


def test_the_county_entries_page_shows_the_standards_words(county, staff, login, official_round):
    page = login(staff).get(reverse("indicators:county_entries", args=[official_round.school_year.year]))
    text = page.content.decode()
    for words in VETO_WORDS.values():
        assert words.replace("“", "&ldquo;") in text or words in text
    assert "长期借用教师" not in text and "义务教育阶段重大安全" not in text


def test_the_results_export_names_the_veto_items_in_the_standards_words(county, staff, login, official_round):
    response = login(staff).get(reverse("indicators:round_export", args=[official_round.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["县域结论"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for code, words in VETO_WORDS.items():
        assert any(cell.startswith(f"{code} {words}") for cell in cells), code


@pytest.mark.django_db
def test_the_migration_rewords_stored_standards_and_marks_results_stale(official_round):
    old = copy.deepcopy(NATIONAL_2017_DATA)
    for ind in old["indicators"]:
        if ind["code"] == "V4":
            ind["name_zh"] = "存在“有编不补”或长期借用教师现象"
        if ind["code"] == "G7":
            ind["note"] = "6000元为待核实数字（to confirm）"
    Standard.objects.create(code="national-2017", name="n", version="2017", builtin=True, data=old)
    local = Standard.objects.create(code="local", name="l", version="x", builtin=False, data=copy.deepcopy(old))
    state = EvaluationState.objects.create(round=official_round, data_version=3, computed_version=3)
    migration = importlib.import_module("indicators.migrations.0004_standard_words")
    migration.refresh(apps, None)
    for row in Standard.objects.all():
        words = {i["code"]: i["name_zh"] for i in row.data["indicators"]}
        notes = {i["code"]: i.get("note", "") for i in row.data["indicators"]}
        assert words["V4"] == VETO_WORDS["V4"] and notes["G7"] == "", row.code
    local.refresh_from_db()
    assert local.data["code"] == old["code"]  # a local variant keeps its own data otherwise
    state.refresh_from_db()
    assert state.data_version == 4 and state.is_stale
