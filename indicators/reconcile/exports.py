"""The reconciliation as an .xlsx: the county's verdict both ways, then one row per difference (flips first)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongqing import audit
from gongqing.spreadsheets import append_row

from .present import changed_text, figure_name, verdict_word

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "学校标识码",
    "学校名称",
    "数据项",
    "本系统（审核通过）",
    "统计基表",
    "差异",
    "差异（%）",
    "影响指标",
    "指标变化",
    "学校结论（本系统）",
    "学校结论（按基表）",
    "处理方式",
    "说明",
)


def workbook_bytes(rec) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("差异")
    append_row(
        ws,
        [
            _("%(year)s 统计基表核对") % {"year": rec.round.school_year},
            _("县域结论：本系统 %(a)s；按基表 %(b)s")
            % {"a": verdict_word(rec.county_portal), "b": verdict_word(rec.county_statistics)},
        ],
    )
    append_row(ws, [_(h) for h in HEADER])
    for row in rec.rows:
        for d, changed, res in row.differences:
            append_row(
                ws,
                [
                    row.school.code,
                    row.school.name,
                    figure_name(d.figure),
                    d.portal,
                    d.statistics,
                    d.diff,
                    round(d.percent, 2) if d.percent is not None else None,
                    "、".join(d.indicators),
                    changed_text(changed),
                    verdict_word(row.portal_verdict),
                    verdict_word(row.statistics_verdict),
                    res.get_kind_display() if res else _("未处理"),
                    res.text if res else "",
                ],
            )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def workbook_response(request, rec) -> HttpResponse:
    content = workbook_bytes(rec)
    audit.record(action="export", request=request, obj=rec.stat_year, format="xlsx", what="reconciliation")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"reconciliation_{rec.year}.xlsx")
    response["Cache-Control"] = "no-store"
    return response
