"""A special school returns its full-time and certified teachers (GLOSSARY: special_teachers,
special_teachers_certified) through the form, the XLSX template, the CSV and the API, and G12 counts them.

Hand-worked: 特殊教育学校 returns 60 pupils, 18 full-time teachers, 17 of them certified: 17 / 18 = 94.44% < 100%,
so G12 (持证上岗率100%) is 未达标 at that school with one teacher to certify, and the county's G12 fails with it
although the one primary school (24 of 24 certified) meets it.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import EvaluationState, SchoolResult
from schools.models import FIGURE_FIELDS, SchoolReturn
from tests.factories import SchoolFactory, make_return, primary_figures
from tests.schools.exchange_files import read_sheets

SPECIAL = {
    "special_students": 60,
    "special_teachers": 18,
    "special_teachers_certified": 17,
    "public_funds_yuan": Decimal("400000"),
}


@pytest.fixture
def special_school(ganlu):
    return SchoolFactory(code="2136100009", name="共青城市特殊教育学校", township=ganlu, kind="special")


def test_an_uncertified_special_school_teacher_makes_g12_not_met(
    special_school, ganlu_school, official_round, login, staff
):
    make_return(school=ganlu_school, round=official_round, status="approved", figures=primary_figures())
    make_return(school=special_school, round=official_round, status="approved", figures=SPECIAL, with_rows=False)
    indicator_services.mark_stale_now(round=official_round)
    indicator_services.recompute_round(round_id=official_round.pk)

    special = SchoolResult.objects.get(round=official_round, school=special_school, code="G12")
    assert special.status == "not_met"
    assert special.value.quantize(Decimal("0.01")) == Decimal("94.44")
    assert (special.detail["teachers"], special.detail["certified"], special.detail["uncertified"]) == (18, 17, 1)
    assert SchoolResult.objects.get(round=official_round, school=ganlu_school, code="G12").status == "met"
    state = EvaluationState.objects.get(round=official_round)
    assert state.result["items"]["G12"]["status"] == "not_met"
    guarantee = next(a for a in state.summary["areas"] if a["area"] == "guarantee")
    assert "G12" in guarantee["not_met"]


def test_the_form_asks_a_special_school_for_its_teachers_and_an_ordinary_school_not(
    special_school, ganlu_school, official_round, login, staff
):
    client = login(staff)
    special = make_return(school=special_school, round=official_round, figures=SPECIAL, with_rows=False)
    ordinary = make_return(school=ganlu_school, round=official_round)
    special_page = client.get(reverse("schools:return_edit", args=[special.pk])).content.decode()
    ordinary_page = client.get(reverse("schools:return_edit", args=[ordinary.pk])).content.decode()
    for field in ("special_teachers", "special_teachers_certified"):
        assert f'name="{field}"' in special_page
        assert f'name="{field}"' not in ordinary_page
    assert "特殊教育学校专任教师数" in special_page and "特殊教育学校持有教师资格证专任教师数" in special_page


def test_the_xlsx_template_has_the_special_school_teacher_columns(special_school, ganlu, official_round, login, staff):
    make_return(school=special_school, round=official_round, figures=SPECIAL, with_rows=False)
    response = login(staff).get(reverse("schools:exchange_template", args=[official_round.pk, ganlu.pk]))
    header, *rows = read_sheets(response.content)["学校填报"]
    row = next(r for r in rows if r[0] == special_school.code)
    assert row[header.index("特殊教育学校专任教师数")] == 18
    assert row[header.index("特殊教育学校持有教师资格证专任教师数")] == 17


def test_the_csv_carries_the_special_school_teachers(special_school, official_round, login, staff):
    values = {**dict.fromkeys(FIGURE_FIELDS), **SPECIAL}
    header = ["school_year", "school_code", *FIGURE_FIELDS]
    row = ["2024", special_school.code, *("" if values[f] is None else str(values[f]) for f in FIGURE_FIELDS)]
    text = ",".join(header) + "\r\n" + ",".join(row) + "\r\n"
    upload = SimpleUploadedFile("returns.csv", text.encode("utf-8-sig"), content_type="text/csv")
    response = login(staff).post(reverse("schools:exchange_upload", args=[official_round.pk]), {"files": [upload]})
    assert 'id="import-result"' in response.content.decode()
    ret = SchoolReturn.objects.get(school=special_school, round=official_round)
    assert (ret.special_teachers, ret.special_teachers_certified) == (18, 17)
