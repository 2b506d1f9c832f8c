"""A township official's binder holds their own schools' files only: none of another township's, no county document
(county entries' evidence, the plan's measures, stage reports, the assessment)."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from indicators.models import CountyEntry, Evidence
from schools.models import CollectionRound, School
from supervision.binder import access, services
from supervision.binder.build import INDEX_NAME
from supervision.binder.models import BinderStatus
from supervision.models import EvidenceFile, ProgressUpdate, RectificationItem
from tests.binder.conftest import pdf_text


def _evidence(item, name):
    update = ProgressUpdate.objects.create(item=item, text="进展", percent=50)
    f = EvidenceFile(update=update, name=name, content_type="application/pdf", size=10)
    f.file.save(name, ContentFile(b"%PDF-1.4 x"), save=False)
    f.save()


@pytest.fixture
def two_townships(demo):
    """第五小学's township (with the demo's R6 receipt) and another township's item with a file of its own."""
    fifth = School.objects.get(name="共青城市第五小学")
    other = RectificationItem.objects.filter(school__isnull=False).exclude(school__township=fifth.township).first()
    _evidence(other, "外乡镇整改验收单.pdf")
    rnd = CollectionRound.objects.get(name="2024年正式批次")
    entry, _ = CountyEntry.objects.get_or_create(school_year=rnd.school_year, code="G1")
    ev = Evidence(entry=entry, name="县级经费文件.pdf", content_type="application/pdf", size=10)
    ev.file.save("g1.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    ev.save()
    return fifth.township, other.school, rnd


def test_a_township_binder_holds_none_of_another_townships_files(demo, two_townships, tmp_path):
    township, other_school, rnd = two_townships
    binder = services.build_now(cycle=demo, round=rnd, township_id=township.pk)
    assert binder.status == BinderStatus.DONE, binder.error
    zf = zipfile.ZipFile(io.BytesIO(binder.file.open("rb").read()))
    names = zf.namelist()
    files = [n for n in names if not n.endswith("/") and n != INDEX_NAME]
    assert any("第五小学仪器设备采购验收单" in n for n in files)  # its own school's evidence is there
    assert not any("外乡镇整改验收单" in n or "县级经费文件" in n or "缺口测算报告" in n for n in files)
    assert not any(n.startswith(("实施方案", "阶段报告", "年度考核")) for n in names)
    own = set(School.objects.filter(township=township).values_list("code", flat=True))
    others = School.objects.exclude(township=township)
    seen_schools = set()
    for name in files:
        if name.endswith(".xlsx"):
            ws = load_workbook(io.BytesIO(zf.read(name))).active
            codes = {str(row[0]) for row in ws.iter_rows(values_only=True) if row and str(row[0] or "").isdigit()}
            assert codes <= own, (name, codes - own)
            seen_schools |= codes
    assert seen_schools  # the result tables did list the township's own schools
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    for school in others:
        assert school.name not in text, school.name
    assert other_school.township.name not in text


def test_a_county_binder_holds_both_townships_files_and_the_county_documents(demo, two_townships, staff):
    _township, _other, rnd = two_townships
    binder = services.build_now(cycle=demo, round=rnd, by=staff)
    names = zipfile.ZipFile(io.BytesIO(binder.file.open("rb").read())).namelist()
    for part in ("第五小学仪器设备采购验收单", "外乡镇整改验收单", "县级经费文件", "缺口测算报告"):
        assert sum(part in n for n in names) == 1, part


def test_officials_see_and_build_only_their_townships_binders(
    demo, two_townships, ganlu_official, jiangyi_official, staff
):
    _township, _other, rnd = two_townships
    ganlu_id = access.township_scope(ganlu_official)
    mine, _ = services.binder_request(
        cycle=demo, round=rnd, township_id=ganlu_id, by=ganlu_official, enqueue_task=False
    )
    county, _ = services.binder_request(cycle=demo, round=rnd, township_id=None, by=staff, enqueue_task=False)
    assert list(access.binders_for(ganlu_official)) == [mine]
    assert not access.binders_for(jiangyi_official).exists()
    assert set(access.binders_for(staff)) == {mine, county}
    assert access.township_scope(staff) is None and access.township_scope(jiangyi_official) != ganlu_id
