"""Small statistics exports built for the tests: a title row merged over the width, two header rows with merged
cells (vertical for single columns, horizontal over the sub-columns), then the data rows."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

PUPILS_TOP = ["学校标识码", "年级", "班数", "在校生数", "班额情况", None, None]
PUPILS_SUB = [None, None, None, None, "35人及以下", "36-45人", "46人及以上"]
PUPILS_MERGES = [(2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 3, 3), (2, 4, 3, 4), (2, 5, 2, 7)]
BUILDINGS_TOP = ["学校标识码", "教学及辅助用房", None, "运动场地面积", "教学仪器设备值（万元）"]
BUILDINGS_SUB = [None, "教室", "体育馆", None, None]
BUILDINGS_MERGES = [(2, 1, 3, 1), (2, 2, 2, 3), (2, 4, 3, 4), (2, 5, 3, 5)]
TEACHERS_TOP = ["学校标识码", "学段", "专任教师合计", "学历", None, None, "任教学科", None, None]
TEACHERS_SUB = [None, None, None, "研究生", "本科", "专科", "体育", "音乐", "美术"]
TEACHERS_MERGES = [(2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 3, 3), (2, 4, 2, 6), (2, 7, 2, 9)]


def add_sheet(wb, name, top, sub, merges, rows, title=True):
    ws = wb.create_sheet(name)
    if title:
        ws.append([f"{name}（2024年）"] + [None] * (len(top) - 1))
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    offset = 1 if title else 0
    ws.append(top)
    if sub is not None:
        ws.append(sub)
    for r1, c1, r2, c2 in merges:
        ws.merge_cells(start_row=r1 - 1 + offset, start_column=c1, end_row=r2 - 1 + offset, end_column=c2)
    for row in rows:
        ws.append(row)
    return ws


def export(pupils=(), buildings=(), teachers=()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, "学生及班级", PUPILS_TOP, PUPILS_SUB, PUPILS_MERGES, pupils)
    add_sheet(wb, "校舍及设备", BUILDINGS_TOP, BUILDINGS_SUB, BUILDINGS_MERGES, buildings)
    add_sheet(wb, "专任教师", TEACHERS_TOP, TEACHERS_SUB, TEACHERS_MERGES, teachers)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "基表.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def primary_rows(code: str, students: int = 400, classes: int = 10):
    """Grade rows of a primary school: `students` spread over six grades (the first grades take the remainder)."""
    per, extra = divmod(students, 6)
    per_class, class_extra = divmod(classes, 6)
    rows = []
    for g in range(6):
        n = per_class + (1 if g < class_extra else 0)
        rows.append([code, f"{'一二三四五六'[g]}年级", n, per + (1 if g < extra else 0), 0, n, 0])
    return rows
