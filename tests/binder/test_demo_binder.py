"""The binder built from the demo data: folders in the standard's order, each file stored once under the first
folder it bears on and listed under each, an index that names every file and lists the indicators without evidence
first.

The demo's evidence: 第五小学's R6 item carries 第五小学仪器设备采购验收单.pdf (R6 only); measure 1.2 (缺口测算) carries
缺口测算报告.pdf. The routing table gives measure 1.2 the indicators G6 and G7 (PLAN.md: 1.2 → G6, G7), so that file
bears on G6, G7 and 实施方案: stored once under G6 (the first in the standard's order), listed under G7 and 实施方案
with its path G6_….
"""

import io
import zipfile

import pytest

from indicators.models import Evidence
from schools.models import CollectionRound
from supervision.binder import folders, services
from supervision.binder.build import INDEX_NAME
from supervision.binder.models import BinderStatus
from tests.binder.conftest import pdf_text

ORDER = [*folders.INDICATOR_CODES, "实施方案", "阶段报告", "年度考核"]


def _round():
    return CollectionRound.objects.get(name="2024年正式批次")


def _zip(binder) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(binder.file.open("rb").read()))


@pytest.fixture
def built(demo, staff):
    binder = services.build_now(cycle=demo, round=_round(), by=staff)
    assert binder.status == BinderStatus.DONE, binder.error
    return binder


def test_the_zip_has_one_folder_per_indicator_in_the_standards_order_then_the_plans(built):
    dirs = [n.rstrip("/") for n in _zip(built).namelist() if n.endswith("/")]
    assert [d.split("_")[0] for d in dirs] == ORDER
    assert dirs[0] == "R1_" + dirs[0].split("_", 1)[1] and len(dirs) == 7 + 15 + 9 + 1 + 6 + 3
    assert _zip(built).namelist()[0] == INDEX_NAME


def test_a_file_bearing_on_several_folders_is_stored_once_under_the_first(built):
    names = [n for n in _zip(built).namelist() if not n.endswith("/")]
    costing = [n for n in names if "缺口测算报告" in n]
    assert len(costing) == 1 and costing[0].startswith("G6_")
    receipt = [n for n in names if "仪器设备采购验收单" in n]
    assert len(receipt) == 1 and receipt[0].startswith("R6_")
    # the pattern: folder / number _ whose _ what _ date.ext
    assert costing[0].split("/")[1] == "01_措施1.2_缺口测算报告_2026-12-05.pdf"
    assert receipt[0].split("/")[1] == "01_共青城市第五小学_第五小学仪器设备采购验收单_2026-12-05.pdf"
    # each indicator's result table, numbered 00, first in its folder
    tables = [n for n in names if "/00_结果表_" in n and n.endswith(".xlsx")]
    assert [t.split("_")[0] for t in tables] == list(folders.INDICATOR_CODES)


def test_the_index_names_every_file_and_lists_it_under_each_folder_it_bears_on(built, tmp_path):
    text = pdf_text(built.index_file.open("rb").read(), tmp_path)
    names = [n for n in _zip(built).namelist() if not n.endswith("/") and n != INDEX_NAME]
    for name in names:
        assert name in text, name
    costing = next(n for n in names if "缺口测算报告" in n)
    assert text.count(costing) == 3  # under G6 (stored), G7 and 实施方案 (listed, with its path)
    assert text.count("存放于“G6_") == 2


def test_the_index_lists_every_indicator_without_evidence_first_under_its_heading(built, tmp_path):
    text = pdf_text(built.index_file.open("rb").read(), tmp_path)
    bare_part = text.split("缺佐证材料", 2)[2].split("档案目录")[0]  # cover's count line, then the section
    with_evidence = {"R6", "G6", "G7"}
    dirnames = {f.split("_")[0]: f for f in (n.rstrip("/") for n in _zip(built).namelist() if n.endswith("/"))}
    for code in folders.INDICATOR_CODES:
        assert (dirnames[code] in bare_part) is (code not in with_evidence), code
    assert built.bare_count == len(folders.INDICATOR_CODES) - len(with_evidence)
    assert text.index("缺佐证材料") < text.index("R1_")


def test_a_missing_evidence_file_is_listed_as_missing_with_its_record_and_the_build_goes_on(demo, staff, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from indicators.models import CountyEntry

    entry, _ = CountyEntry.objects.get_or_create(school_year=_round().school_year, code="G1")
    ev = Evidence(entry=entry, name="生均公用经费拨付文件.pdf", content_type="application/pdf", size=10)
    ev.file.save("g1.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    ev.save()
    default_storage.delete(ev.file.name)
    binder = services.build_now(cycle=demo, round=_round(), by=staff)
    assert binder.status == BinderStatus.DONE and binder.missing_count == 1
    names = _zip(binder).namelist()
    assert not any("生均公用经费拨付文件" in n for n in names)
    text = pdf_text(binder.index_file.open("rb").read(), tmp_path)
    assert "缺失或无法读取的文件" in text and f"佐证材料#{ev.pk}" in text and "文件不存在" in text
    assert "G1_" in text.split("缺佐证材料", 2)[2].split("档案目录")[0]  # its only file is missing: still bare
