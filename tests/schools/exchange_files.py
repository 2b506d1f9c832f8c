"""Hand-made exchange files for the exchange tests: workbooks built with openpyxl, CSVs and ZIPs built by hand."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RETURN_HEADERS = [
    "学校标识码",
    "学校名称",
    "小学在校生数",
    "小学班级数",
    "小学专任教师数",
    "小学高于规定学历专任教师数",
    "小学县级及以上骨干教师数",
    "小学体育、艺术专任教师数",
    "小学持有教师资格证专任教师数",
    "教学及辅助用房面积（平方米）",
    "体育运动场馆面积（平方米）",
    "教学仪器设备值（元）",
    "网络多媒体教室数",
    "年度公用经费（元）",
    "教师培训经费（元）",
    "学校占地面积（平方米）",
    "普通教室数",
    "其中“班班通”教室数",
]
CLASS_HEADERS = ["学校标识码", "学校名称", "学段", "年级", "班级名称", "学生数"]
ROOM_HEADERS = ["学校标识码", "学校名称", "功能室", "面积（平方米）"]


def primary_row(school, students=120, classes=3, teachers=10, equipment=500000):
    """A primary school's row under RETURN_HEADERS."""
    return [
        *(school.code, school.name, students, classes, teachers, 8, 2, 2, 10),
        *(2600, 3500, equipment, 3, 300000, 20000, 12000, classes, classes),
    ]


def class_rows(school, students=120, classes=3):
    per = students // classes
    rows = [[school.code, school.name, "小学", i + 1, f"{i + 1}年级1班", per] for i in range(classes)]
    rows[-1][-1] += students - per * classes
    return rows


def room_rows(school):
    return [[school.code, school.name, "音乐", 90], [school.code, school.name, "美术", 85.5]]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_upload(sheets: dict[str, list[list]], name="学校填报.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(sheets), content_type=XLSX)


def returns_workbook(returns, classes=None, rooms=None, headers=RETURN_HEADERS) -> SimpleUploadedFile:
    sheets = {"学校填报": [headers, *returns]}
    if classes is not None:
        sheets["班级"] = [CLASS_HEADERS, *classes]
    if rooms is not None:
        sheets["功能室"] = [ROOM_HEADERS, *rooms]
    return xlsx_upload(sheets)


def read_sheets(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def rewrite_member(xlsx: bytes, member: str, transform) -> bytes:
    """A copy of a workbook with one member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, transform(data) if info.filename == member else data)
    return out.getvalue()


def with_extra_members(xlsx: bytes, members: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for name, data in members.items():
            target.writestr(name, data)
    return out.getvalue()


ENTITY_BOMB = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def entity_bomb_workbook() -> bytes:
    plain = workbook_bytes({"学校填报": [["学校标识码"], ["2136000001"]]})
    return rewrite_member(plain, "xl/worksheets/sheet1.xml", lambda _data: ENTITY_BOMB)


def macro_workbook() -> bytes:
    """A workbook saved with macros but named .xlsx: vbaProject.bin and the macro-enabled content type."""
    plain = workbook_bytes({"学校填报": [["学校标识码"], ["2136000001"]]})
    plain = rewrite_member(
        plain,
        "[Content_Types].xml",
        lambda data: data.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ),
    )
    return with_extra_members(plain, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 512})


def zip_bomb_workbook(size=40 * 1024 * 1024) -> bytes:
    """A real workbook plus one member that inflates ~1000:1 (below the 50 MB total, above the ratio)."""
    plain = workbook_bytes({"学校填报": [["学校标识码"], ["2136000001"]]})
    return with_extra_members(plain, {"xl/media/padding.xml": b"\x20" * size})


def many_entries_zip(entries=10_000) -> bytes:
    return zip_bytes(
        {f"xl/worksheets/s{i}.xml": b"<x/>" for i in range(entries)} | {"[Content_Types].xml": b"<Types/>"}
    )


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048
