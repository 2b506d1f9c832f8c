"""The data-quality page as an .xlsx: every text cell through the formula guard (gongqing.spreadsheets)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongqing.spreadsheets import append_row, safe_row

from .selectors import STATUS_LABELS, QualitySheet


def quality_workbook(sheet: QualitySheet) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("数据质量"))
    ws.append(
        safe_row(
            [
                _("乡镇（街道）"),
                _("学校标识码"),
                _("学校名称"),
                _("填报状态"),
                _("规则"),
                _("数据项"),
                _("提示"),
                _("状态"),
                _("说明"),
                _("审核意见"),
            ]
        )
    )
    for r in sheet.rows:
        school = r.school_return.school
        append_row(
            ws,
            [
                school.township.name,
                school.code,
                school.name,
                r.school_return.get_status_display(),
                r.rule_label,
                r.field_label,
                r.message,
                r.status_label,
                r.explanation,
                r.comment,
            ],
        )
    counts = wb.create_sheet(_("按乡镇统计"))
    statuses = list(STATUS_LABELS)
    counts.append(safe_row([_("乡镇（街道）"), _("合计"), *[str(STATUS_LABELS[s]) for s in statuses]]))
    for row in sheet.by_township:
        append_row(counts, [row["name"], row["total"], *[row[s] for s in statuses]])
    rules = wb.create_sheet(_("按规则统计"))
    rules.append(safe_row([_("规则"), _("合计"), *[str(STATUS_LABELS[s]) for s in statuses]]))
    for row in sheet.by_rule:
        append_row(rules, [row["name"], row["total"], *[row[s] for s in statuses]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
