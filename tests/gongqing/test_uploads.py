"""The one upload checker: type by content, size, ZIP directory limits, macros and XML entity declarations."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongqing import uploads
from gongqing.uploads import UploadRejected, check_upload
from tests.hostile_corpus import (
    csv_zip_of_tables,
    small_entries_zip,
    wide_csv,
    workbook_with_shared_strings,
    workbook_with_styles,
)
from tests.schools.exchange_files import (
    OLE2,
    entity_bomb_workbook,
    macro_workbook,
    many_entries_zip,
    rewrite_member,
    workbook_bytes,
    zip_bomb_workbook,
    zip_bytes,
)

ALL = {"xlsx", "docx", "pptx", "pdf", "png", "jpeg", "csv", "text", "zip"}


def upload(name, content):
    return SimpleUploadedFile(name, content)


def refused(name, content, allowed=frozenset(ALL)) -> str:
    with pytest.raises(UploadRejected) as caught:
        check_upload(upload(name, content), allowed=set(allowed))
    return caught.value.message


def office(marker: str) -> bytes:
    return zip_bytes({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>', marker: b"<x/>"})


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.xlsx", workbook_bytes({"学校填报": [["学校标识码"]]}), "xlsx"),
        ("a.docx", office("word/document.xml"), "docx"),
        ("a.pptx", office("ppt/presentation.xml"), "pptx"),
        ("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        ("a.csv", "学校,人数\r\n甲,1\r\n".encode("gb18030"), "csv"),
        ("a.csv", "\ufeff学校,人数\r\n".encode(), "csv"),
        ("a.zip", zip_bytes({"returns.csv": b"school_year\r\n"}), "zip"),
        ("no-extension", b"%PDF-1.4\n", "pdf"),
    ],
)
def test_it_tells_the_type_from_the_content(name, content, kind):
    checked = check_upload(upload(name, content), allowed=ALL)
    assert checked.kind == kind
    assert checked.size == len(content)
    assert checked.read() == content


def test_it_refuses_a_type_not_allowed_here():
    assert "不支持该文件类型" in refused("a.pdf", b"%PDF-1.7\n", {"xlsx", "csv"})


def test_it_refuses_content_that_contradicts_the_extension():
    assert "与扩展名“.pdf”不符" in refused("a.pdf", b"\x89PNG\r\n\x1a\n\x00")


def test_it_refuses_unknown_binary():
    assert "无法识别" in refused("a.bin", b"\x00\x01\x02\x03" * 10)


@pytest.mark.parametrize("name", ["a.xls", "a.et", "a.xlsm", "a.XLSM", "a.xlsb"])
def test_it_refuses_old_wps_macro_and_binary_workbooks_by_name(name):
    assert "另存为”Excel工作簿（.xlsx）" in refused(name, b"anything")


def test_it_refuses_ole2_content_whatever_the_name():
    assert ".xlsx" in refused("a.xlsx", OLE2)
    assert ".xlsx" in refused("data", OLE2)
    assert ".docx" in refused("a.doc", OLE2)


def test_it_refuses_a_macro_workbook_named_xlsx():
    assert "文件含有宏" in refused("a.xlsx", macro_workbook())


def test_it_refuses_the_macro_enabled_content_type_without_a_vba_member():
    plain = workbook_bytes({"学校填报": [["学校标识码"]]})
    content = rewrite_member(
        plain, "[Content_Types].xml", lambda data: data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
    )
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    assert "文件含有宏" in refused("a.xlsx", content)


def test_it_refuses_files_over_the_size_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert "文件过大" in refused("a.csv", b"a,b\r\n" * 300)
    assert check_upload(upload("a.csv", b"a,b\r\n" * 100), allowed={"csv"}).kind == "csv"


def test_the_default_limit_is_twenty_megabytes(settings):
    del settings.UPLOAD_MAX_BYTES
    assert "文件过大" in refused("a.csv", b"a" * (20 * 1024 * 1024 + 1))


def test_it_refuses_an_empty_file():
    assert "空的" in refused("a.csv", b"")


def test_it_refuses_a_zip_of_too_many_entries():
    assert "压缩包内文件过多（10001个" in refused("a.xlsx", many_entries_zip())


def test_it_refuses_a_zip_bomb_by_ratio():
    assert "压缩比异常" in refused("a.xlsx", zip_bomb_workbook())


def test_it_refuses_a_zip_too_big_once_inflated(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_UNCOMPRESSED", 1024)
    content = zip_bytes({"returns.csv": b"x" * 2000}, compression=zipfile.ZIP_STORED)
    assert "解压后过大" in refused("a.zip", content)


def test_it_refuses_an_xml_entity_bomb():
    assert "文档类型或实体声明" in refused("a.xlsx", entity_bomb_workbook())


def test_it_refuses_a_doctype_split_across_read_chunks(monkeypatch):
    monkeypatch.setattr(uploads, "_CHUNK", 7)
    plain = workbook_bytes({"学校填报": [["学校标识码"]]})
    content = rewrite_member(plain, "xl/workbook.xml", lambda data: b'<?xml version="1.0"?><!DOCTYPE x>' + data[38:])
    assert "文档类型" in refused("a.xlsx", content)


def test_it_counts_rows_and_cells_of_worksheets_across_read_chunks(monkeypatch):
    monkeypatch.setattr(uploads, "_CHUNK", 5)
    monkeypatch.setattr(uploads, "MAX_ROWS_PER_SHEET", 3)
    four_rows = workbook_bytes({"学校填报": [["学校标识码"], [1], [2], [3]]})
    assert check_upload(upload("a.xlsx", four_rows), allowed={"xlsx"}).kind == "xlsx"
    five_rows = workbook_bytes({"学校填报": [["学校标识码"], [1], [2], [3], [4]]})
    assert "工作表超过3行" in refused("a.xlsx", five_rows)


def test_it_refuses_a_workbook_of_too_many_cells(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_CELLS_PER_IMPORT", 11)
    assert check_upload(upload("a.xlsx", workbook_bytes({"a": [[1] * 11]})), allowed={"xlsx"}).kind == "xlsx"
    content = workbook_bytes({"a": [[1] * 6], "b": [[1] * 6]})
    assert "单元格超过11个" in refused("a.xlsx", content)


def test_it_refuses_utf16_xml_that_would_hide_a_doctype():
    plain = workbook_bytes({"学校填报": [["学校标识码"]]})
    content = rewrite_member(plain, "xl/workbook.xml", lambda data: data.decode().encode("utf-16"))
    assert "编码不受支持" in refused("a.xlsx", content)


def test_it_refuses_encrypted_zip_entries():
    content = bytearray(zip_bytes({"returns.csv": b"school_year\r\n"}, compression=zipfile.ZIP_STORED))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = content.find(header)
        flag_offset = at + (6 if header == b"PK\x03\x04" else 8)
        content[flag_offset] |= 0x1
    assert "加密" in refused("a.zip", bytes(content))


def test_it_refuses_a_corrupt_zip():
    assert "损坏" in refused("a.xlsx", b"PK\x03\x04" + b"\x00" * 100)


def test_a_checked_upload_is_rewound_for_the_reader():
    checked = check_upload(upload("a.csv", b"a,b\r\n1,2\r\n"), allowed={"csv"})
    checked.file.read(3)
    assert checked.open().read() == b"a,b\r\n1,2\r\n"


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


# --- issue 11, finding 1: every entry and the archive as a whole, and everything openpyxl would hold ---


def test_every_zip_entry_is_held_to_the_ratio_not_only_those_over_a_megabyte():
    """One of finding 1's CSVs: just under 1 MB, inflating ~270:1, was never checked."""
    content = zip_bytes({"returns.csv": wide_csv(200_000)})
    info = zipfile.ZipFile(io.BytesIO(content)).infolist()[0]
    assert info.file_size < 1024 * 1024 and info.file_size > 100 * info.compress_size
    assert "压缩比异常" in refused("a.zip", content)


def test_small_entries_are_held_to_the_ratio_of_the_whole_archive():
    content = small_entries_zip(entries=900, size=4000)
    infos = zipfile.ZipFile(io.BytesIO(content)).infolist()
    assert all(i.file_size <= uploads.SMALL_ENTRY for i in infos)
    assert "压缩比异常" in refused("a.zip", content)


def test_a_zip_of_innocent_csvs_passes():
    assert check_upload(upload("a.zip", csv_zip_of_tables(files=3)), allowed={"zip"}).kind == "zip"


def test_a_workbook_of_too_many_styles_is_refused_before_openpyxl_builds_them():
    fits = workbook_with_styles(40_000)
    assert check_upload(upload("a.xlsx", fits), allowed={"xlsx"}).kind == "xlsx"
    assert "样式、名称或图表等内容过多" in refused("a.xlsx", workbook_with_styles(60_000))


def test_a_workbook_of_more_shared_strings_than_cells_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_CELLS_PER_IMPORT", 1000)
    assert check_upload(upload("a.xlsx", workbook_with_shared_strings(1000)), allowed={"xlsx"}).kind == "xlsx"
    assert "文本超过1,000条" in refused("a.xlsx", workbook_with_shared_strings(1001))


def test_the_caps_fit_the_largest_county():
    """1,000 schools with ~30,000 class rows in one import (docs/security.md): 1,000 return rows × 28 columns,
    30,000 class rows × 6 and 2,000 room rows × 4 are 1,000·28 + 30,000·6 + 2,000·4 + 3 headers (38) = 216,038
    cells, under the 300,000 cap; the class sheet's 30,000 rows are under the 40,000 rows per sheet."""
    assert uploads.MAX_ROWS_PER_SHEET >= 30_000
    assert uploads.MAX_CELLS_PER_IMPORT >= 1_000 * 28 + 30_000 * 6 + 2_000 * 4 + 38
