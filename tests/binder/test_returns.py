"""The returns' files in the binder (issue 19 item 1): explanations of flagged figures, attachments on a figure and
the resolutions of differences with the statistics return, each under the indicators the figure feeds; a township's
binder holds none of another township's."""

import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from schools.annotations.models import Explanation, ExplanationStatus, ReturnAttachment
from schools.models import CollectionRound, School, SchoolReturn
from schools.statistics.models import Resolution, ResolutionKind, StatisticsYear
from supervision.binder import returns, services, sources
from supervision.binder.build import INDEX_NAME
from supervision.binder.models import BinderStatus
from tests.binder.conftest import pdf_text

AT = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_each_figure_bears_on_the_indicators_that_read_it():
    # Students enter every per-student R-item, the school size (G4) and the small schools' funding floor (G6).
    assert returns.figure_indicators("primary_students") == ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "G4", "G6")
    assert returns.figure_indicators("junior_teachers_backbone") == ("R2",)  # the standard's R2 figure
    assert returns.figure_indicators("equipment_value_yuan") == ("R6",)
    assert returns.figure_indicators("public_funds_yuan") == ("G6", "G7", "Q4")
    assert returns.figure_indicators("special_teachers_certified") == ("G12",)
    assert returns.figure_indicators("bands_primary") == ("G5",)
    assert returns.figure_indicators("classrooms_connected") == (sources.PLAN,)  # the plan's target T2
    assert returns.figure_indicators("") == ()


def test_the_sources_are_registered_after_the_binders_own():
    names = list(sources.BINDER_SOURCES)
    assert names[-3:] == ["explanations", "return_attachments", "resolutions"]
    assert names.index("assessment") < names.index("explanations")


@pytest.fixture
def annotated(demo, staff, ganlu_official, jiangyi_official):
    """In the 2024 official round: 第五小学 (甘露) explains its backbone teachers and its equipment value and attaches
    an invoice to the equipment value; a school of another township explains its equipment value and attaches a file;
    each has a resolution of a difference with the statistics return."""
    rnd = CollectionRound.objects.get(name="2024年正式批次")
    fifth = School.objects.get(name="共青城市第五小学")
    other = (
        School.objects.filter(returns__round=rnd, returns__deleted_at__isnull=True)
        .exclude(township=fifth.township)
        .order_by("code")
        .first()
    )
    own_ret = SchoolReturn.objects.get(school=fifth, round=rnd, deleted_at__isnull=True)
    other_ret = SchoolReturn.objects.get(school=other, round=rnd, deleted_at__isnull=True)
    Explanation.objects.create(
        school_return=own_ret, rule_code="backbone_jump", field="primary_teachers_backbone",
        text="本校骨干教师认定名单已于2024年9月更新", written_by=ganlu_official, written_at=AT,
        status=ExplanationStatus.ACCEPTED, reviewed_by=staff, reviewed_at=AT, review_comment="同意",
    )  # fmt: skip
    Explanation.objects.create(
        school_return=own_ret, rule_code="equipment_jump", field="equipment_value_yuan",
        text="第五小学新购实验室设备", written_by=ganlu_official, written_at=AT,
    )  # fmt: skip
    Explanation.objects.create(
        school_return=other_ret, rule_code="equipment_jump", field="equipment_value_yuan",
        text="外乡镇学校的仪器说明", written_by=jiangyi_official, written_at=AT,
    )  # fmt: skip
    for ret, name in ((own_ret, "第五小学设备发票.pdf"), (other_ret, "外乡镇设备发票.pdf")):
        a = ReturnAttachment(
            school_return=ret, field="equipment_value_yuan", name=name, content_type="application/pdf", size=10
        )
        a.file.save(name, ContentFile(b"%PDF-1.4 x"), save=False)
        a.save()
    stat_year, _ = StatisticsYear.objects.get_or_create(school_year=rnd.school_year)
    Resolution.objects.create(
        stat_year=stat_year, school=fifth, figure="primary_teachers_backbone", kind=ResolutionKind.STATISTICS,
        text="第五小学统计系统漏报骨干教师", portal_value="12", statistics_value="10", by=staff,
    )  # fmt: skip
    Resolution.objects.create(
        stat_year=stat_year, school=other, figure="primary_teachers_backbone", kind=ResolutionKind.EXPLAINED,
        text="外乡镇学校的差异说明", portal_value="7", statistics_value="6", by=staff,
    )  # fmt: skip
    return rnd, fifth, other


def _zip(binder) -> zipfile.ZipFile:
    assert binder.status == BinderStatus.DONE, binder.error
    return zipfile.ZipFile(io.BytesIO(binder.file.open("rb").read()))


def _cells(zf: zipfile.ZipFile, name: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(zf.read(name))).active.iter_rows(values_only=True))


def _one(names: list[str], folder: str, part: str) -> str:
    found = [n for n in names if n.startswith(folder + "_") and part in n]
    assert len(found) == 1, (folder, part, found)
    return found[0]


def test_an_explanation_of_an_r_figure_is_in_its_indicators_sheet_and_the_index(
    demo, annotated, staff, ganlu_official, tmp_path
):
    rnd, fifth, other = annotated
    binder = services.build_now(cycle=demo, round=rnd, by=staff)
    zf = _zip(binder)
    names = zf.namelist()
    r2 = _one(names, "R2", "数据说明")
    rows = _cells(zf, r2)
    backbone = [r for r in rows if r[5] == "本校骨干教师认定名单已于2024年9月更新"]
    assert len(backbone) == 1
    row = backbone[0]
    assert row[:3] == (fifth.code, fifth.name, fifth.township.name)
    assert row[3] == str(SchoolReturn._meta.get_field("primary_teachers_backbone").verbose_name)
    assert (row[4], row[6], row[7], row[8], row[9], row[11]) == (
        "backbone_jump",
        str(ganlu_official),
        "2026-11-20 09:30",
        "已接受",
        str(staff),
        "同意",
    )
    assert not any(r[5] == "第五小学新购实验室设备" for r in rows)  # the equipment value feeds R6, not R2
    r6_texts = {r[5] for r in _cells(zf, _one(names, "R6", "数据说明"))}
    assert {"第五小学新购实验室设备", "外乡镇学校的仪器说明"} <= r6_texts
    # The resolutions of R2's figure, with both values and the kind.
    res = [r for r in _cells(zf, _one(names, "R2", "差异处理")) if r[0] == fifth.code]
    assert res == [
        (fifth.code, fifth.name, fifth.township.name, row[3], "12", "10", "将在统计系统更正",
         "第五小学统计系统漏报骨干教师", str(staff), res[0][9]),
    ]  # fmt: skip
    # The attachment on the equipment value: stored under R6 (its only indicator), once per school.
    assert sum("第五小学设备发票" in n for n in names) == 1
    assert _one(names, "R6", "第五小学设备发票").endswith(".pdf")
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    assert r2.replace(" ", "") in text  # the R2 sheet is listed in the index
    assert _one(names, "R6", "第五小学设备发票") in text


def test_a_figure_feeding_several_indicators_is_listed_under_each(demo, annotated, staff, tmp_path):
    rnd, fifth, _other = annotated
    ret = SchoolReturn.objects.get(school=fifth, round=rnd, deleted_at__isnull=True)
    a = ReturnAttachment(school_return=ret, field="public_funds_yuan", name="公用经费拨付单.pdf", size=10)
    a.file.save("funds.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    a.save()
    scope = sources.Scope(cycle=demo, round=rnd)
    files = [f for f in returns.attachments(scope) if "公用经费拨付单" in f.title]
    assert [f.keys for f in files] == [("G6", "G7", "Q4")]
    Explanation.objects.create(
        school_return=ret, rule_code="funds_drop", field="public_funds_yuan", text="=1+1 公用经费按实拨付",
        written_by=staff, written_at=AT,
    )  # fmt: skip
    binder = services.build_now(cycle=demo, round=rnd, by=staff)
    zf = _zip(binder)
    names = zf.namelist()
    assert sum("公用经费拨付单" in n for n in names) == 1
    assert _one(names, "G6", "公用经费拨付单")  # stored under the first; G7 and Q4 list it with its G6 path
    # The explanation of a G-figure: a row of each sheet of the indicators it feeds, never of another's.
    for code in ("G6", "G7", "Q4"):
        texts = [r[5] for r in _cells(zf, _one(names, code, "数据说明"))]
        assert texts.count("'=1+1 公用经费按实拨付") == 1, (code, texts)  # formula-safe: stored as text
    assert not any("公用经费按实拨付" in str(r[5]) for r in _cells(zf, _one(names, "R6", "数据说明")))
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    assert text.count(_one(names, "G6", "公用经费拨付单")) >= 3  # listed in G6's, G7's and Q4's sections


def test_a_township_binder_holds_none_of_another_townships_explanations(demo, annotated, tmp_path):
    rnd, fifth, other = annotated
    binder = services.build_now(cycle=demo, round=rnd, township_id=fifth.township_id)
    zf = _zip(binder)
    names = zf.namelist()
    assert any("第五小学设备发票" in n for n in names)
    assert not any("外乡镇设备发票" in n for n in names)
    seen = []
    for name in names:
        if name.endswith(".xlsx"):
            for row in _cells(zf, name):
                assert other.code not in row and other.name not in row, (name, row)
                seen += [c for c in row if isinstance(c, str)]
    assert "第五小学新购实验室设备" in seen and "第五小学统计系统漏报骨干教师" in seen
    assert "外乡镇学校的仪器说明" not in seen and "外乡镇学校的差异说明" not in seen
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    assert other.name not in text and "外乡镇设备发票" not in text
    assert INDEX_NAME in names


def test_the_sources_read_the_other_townships_rows_not_at_all(demo, annotated, django_assert_max_num_queries):
    rnd, fifth, _other = annotated
    own = frozenset(School.objects.filter(township=fifth.township).values_list("pk", flat=True))
    scope = sources.Scope(cycle=demo, round=rnd, township_id=fifth.township_id, school_ids=own)
    with django_assert_max_num_queries(4):
        files = list(returns.explanations(scope)) + list(returns.attachments(scope)) + list(returns.resolutions(scope))
    assert files and all(f.school_ids and f.school_ids <= own for f in files)


def test_an_explanation_of_a_whole_return_goes_to_the_other_folder(demo, annotated, staff):
    rnd, fifth, _other = annotated
    ret = SchoolReturn.objects.get(school=fifth, round=rnd, deleted_at__isnull=True)
    Explanation.objects.create(
        school_return=ret, rule_code="late", field="", text="整份填报的说明", written_by=staff, written_at=AT
    )
    files = list(returns.explanations(sources.Scope(cycle=demo, round=rnd)))
    other = [f for f in files if f.keys == ("other",)]
    assert len(other) == 1 and other[0].school_ids == frozenset({fifth.pk})
    rows = list(load_workbook(io.BytesIO(other[0].data)).active.iter_rows(values_only=True))
    assert [r[3:6] for r in rows[2:]] == [("（整份填报）", "late", "整份填报的说明")]
    r2 = next(f for f in files if f.keys == ("R2",))
    assert r2.school_ids == frozenset({fifth.pk})  # only 第五小学 explained a backbone figure
