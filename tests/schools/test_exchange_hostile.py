"""Hostile uploads are refused with a clear message before any workbook is parsed, and nothing is written."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongqing import uploads
from gongqing.models import AuditEvent
from schools.models import ReturnClass, SchoolReturn
from tests.hostile_corpus import csv_long_line, csv_zip_bomb, csv_zip_of_tables, wide_csv
from tests.schools.exchange_files import (
    CLASS_HEADERS,
    OLE2,
    XLSX,
    entity_bomb_workbook,
    macro_workbook,
    many_entries_zip,
    primary_row,
    returns_workbook,
    workbook_bytes,
    zip_bomb_workbook,
)


@pytest.fixture
def opened(monkeypatch):
    """Records every call of openpyxl.load_workbook: the boundary the checker must not let a hostile file reach."""
    calls = []
    real = openpyxl.load_workbook

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    return calls


@pytest.fixture
def post(login, staff, official_round):
    client = login(staff)

    def _post(*files):
        response = client.post(reverse("schools:exchange_upload", args=[official_round.pk]), {"files": list(files)})
        assert response.status_code == 200
        return response.content.decode()

    return _post


def refused_before_parse(html, opened, text):
    assert 'id="upload-rejected"' in html
    assert text in html
    assert opened == []
    assert SchoolReturn.objects.count() == 0
    assert ReturnClass.objects.count() == 0
    assert AuditEvent.objects.filter(action="import", result="failed").count() == 1


@pytest.mark.parametrize("name", ["学校填报.xls", "学校填报.et", "学校填报.xlsm"])
def test_old_wps_and_macro_formats_are_refused_asking_for_xlsx(post, opened, name):
    html = post(SimpleUploadedFile(name, OLE2))
    refused_before_parse(html, opened, "另存为”Excel工作簿（.xlsx）")


def test_an_old_workbook_renamed_to_xlsx_is_refused_by_its_content(post, opened):
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", OLE2, XLSX)), opened, "另存为”Excel工作簿（.xlsx）")


def test_a_macro_workbook_named_xlsx_is_refused(post, opened):
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", macro_workbook(), XLSX)), opened, "文件含有宏")


def test_a_50_mb_file_is_refused(post, opened):
    big = SimpleUploadedFile("学校填报.xlsx", b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024), XLSX)
    refused_before_parse(post(big), opened, "文件过大")


def test_a_zip_bomb_is_refused_by_its_compression_ratio(post, opened):
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", zip_bomb_workbook(), XLSX)), opened, "压缩比异常")


def test_a_zip_of_ten_thousand_entries_is_refused(post, opened):
    refused_before_parse(
        post(SimpleUploadedFile("学校填报.xlsx", many_entries_zip(), XLSX)), opened, "压缩包内文件过多"
    )


def test_an_xml_entity_bomb_is_refused(post, opened):
    html = post(SimpleUploadedFile("学校填报.xlsx", entity_bomb_workbook(), XLSX))
    refused_before_parse(html, opened, "文档类型或实体声明")


def test_a_picture_named_xlsx_is_refused(post, opened):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", png, XLSX)), opened, "不支持该文件类型")


def test_a_zip_that_is_not_a_workbook_but_named_xlsx_is_refused(post, opened):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    html = post(SimpleUploadedFile("学校填报.xlsx", buffer.getvalue(), XLSX))
    refused_before_parse(html, opened, "与扩展名“.xlsx”不符")


def test_no_file_at_all_is_refused(post, opened):
    refused_before_parse(post(), opened, "请选择要上传的文件")


def test_a_sheet_past_the_row_cap_is_refused_before_parsing(post, opened, ganlu_school, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS_PER_SHEET", 2_000)
    rows = [[ganlu_school.code, "", "小学", 1, f"{i}班", 1] for i in range(2_001)]
    content = workbook_bytes({"学校填报": [["学校标识码"], [ganlu_school.code]], "班级": [CLASS_HEADERS, *rows]})
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", content, XLSX)), opened, "工作表超过2,000行")


def test_a_csv_past_the_row_cap_is_refused_and_nothing_written(post, ganlu_school, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS_PER_SHEET", 2_000)
    lines = "".join(f"{ganlu_school.code},primary,1,{i}班,1\r\n" for i in range(2_001))
    html = post(SimpleUploadedFile("classes.csv", ("school_code,section,grade,name,students\r\n" + lines).encode()))
    assert "“classes.csv”超过2,000行" in html
    assert ReturnClass.objects.count() == 0


def test_a_sheet_that_hides_rows_past_its_declared_size_is_still_read_whole(post, ganlu_school):
    """A workbook whose <dimension> claims one row: the reader must not silently drop the rest."""
    from tests.schools.exchange_files import rewrite_member

    content = returns_workbook([primary_row(ganlu_school, students=-1)]).read()

    def claim_header_only(data: bytes) -> bytes:
        assert b'<dimension ref="A1:R2" />' in data
        return data.replace(b'<dimension ref="A1:R2" />', b'<dimension ref="A1:R1" />')

    content = rewrite_member(content, "xl/worksheets/sheet1.xml", claim_header_only)
    html = post(SimpleUploadedFile("学校填报.xlsx", content, XLSX))
    assert "学校填报 第2行 ‘小学在校生数’：不能为负数" in html


def test_defusedxml_guards_openpyxl():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_200000_row_sheet_is_refused_before_parsing(post, opened, ganlu_school):
    """SECURITY.md row 9's 200,000 rows: the sheet's XML is written by hand (openpyxl takes seconds to build it)."""
    from tests.schools.exchange_files import rewrite_member

    content = workbook_bytes({"学校填报": [["学校标识码"], [ganlu_school.code]]})
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>' for i in range(1, 200_001))

    def two_hundred_thousand_rows(data: bytes) -> bytes:
        start, end = data.index(b"<sheetData"), data.index(b"</worksheet>")
        return data[:start] + f"<sheetData>{rows}</sheetData>".encode() + data[end:]

    content = rewrite_member(content, "xl/worksheets/sheet1.xml", two_hundred_thousand_rows)
    refused_before_parse(post(SimpleUploadedFile("学校填报.xlsx", content, XLSX)), opened, "工作表超过40,000行")


# --- issue 11, finding 1: CSVs and ZIPs of CSVs are bounded before and while they are read ---


@pytest.fixture
def csv_reads(monkeypatch):
    """Records every CSV the reader opens: the boundary a refused ZIP must not reach."""
    from schools.exchange import reader

    calls = []
    real = reader.read_csv

    def spy(open_binary, title, budget=None):
        calls.append(title)
        return real(open_binary, title, budget)

    monkeypatch.setattr(reader, "read_csv", spy)
    return calls


def test_a_small_zip_of_wide_csvs_is_refused_before_any_csv_is_read(post, csv_reads):
    """Finding 1 scaled down (12 CSVs of 200 KB instead of 95 of 1 MB): each inflates ~270:1."""
    html = post(SimpleUploadedFile("returns.zip", csv_zip_bomb(files=12, size=200_000)))
    assert 'id="upload-rejected"' in html and "压缩比异常" in html
    assert csv_reads == []
    assert SchoolReturn.objects.count() == 0


def test_a_zip_of_more_csvs_than_tables_is_refused_from_its_directory(post, csv_reads):
    html = post(SimpleUploadedFile("returns.zip", csv_zip_of_tables(files=4)))
    assert "压缩包中最多3个CSV文件" in html and "该压缩包有4个" in html
    assert csv_reads == []


def test_a_wide_csv_is_refused_at_the_cell_cap_of_the_import(post):
    """200 columns × 1,501 lines = 300,200 cells, past the 300,000 cells an import may hold (as for a workbook)."""
    content = wide_csv(size=1500 * 601, columns=200)  # lines of 200 × "xx," = 601 bytes
    assert content.count(b"\r\n") == 1501
    html = post(SimpleUploadedFile("returns.csv", content))
    assert 'id="upload-rejected"' in html and "单元格超过300,000个" in html
    assert AuditEvent.objects.filter(action="import", result="failed").count() == 1


def test_the_cell_cap_counts_every_csv_of_one_import(post, monkeypatch, ganlu_school):
    monkeypatch.setattr(uploads, "MAX_CELLS_PER_IMPORT", 40)
    returns = f"school_year,school_code\r\n2024,{ganlu_school.code}\r\n".encode()  # 4 cells
    classes = "school_code,section,grade,name,students\r\n" + f"{ganlu_school.code},primary,1,1班,40\r\n" * 7
    html = post(SimpleUploadedFile("returns.csv", returns), SimpleUploadedFile("classes.csv", classes.encode()))
    assert "单元格超过40个" in html  # 4 + 5 header cells + 6 × 5 = 39 would fit; the 7th class row makes 44
    assert ReturnClass.objects.count() == 0


def test_a_csv_line_past_the_line_cap_is_refused_not_read_into_memory(post):
    html = post(SimpleUploadedFile("classes.csv", csv_long_line(200_000)))
    assert "“classes.csv”中有一行超过65,536个字符" in html


def test_a_csv_header_is_judged_before_its_rows_are_decoded(post):
    """The first line names no table; past the first 64 KB (where the type is told) the file is not text in any
    encoding the portal reads. The header is read first and refused: the rest is never decoded into rows."""
    content = b"name,value\r\n" + b"a,1\r\n" * 15_000 + b"\xff\xfe\x80\x81" * 1000
    html = post(SimpleUploadedFile("data.csv", content))
    assert "无法识别“data.csv”：表头应为" in html
