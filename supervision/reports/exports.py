"""Every table of a report's annexes (and the main result tables) as one .xlsx, from the same context as the PDF.

Cells go through gongqing.spreadsheets, so no text becomes a formula. The figures are those stored for the report's
round now (the same as the PDF unless the round was recomputed since).
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from gongqing.spreadsheets import append_row

from . import context
from .models import Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _schools(ws, ctx):
    append_row(
        ws,
        [
            _("学校标识码"),
            _("学校"),
            _("乡镇（街道）"),
            _("类型"),
            _("城乡"),
            _("小学生"),
            _("初中生"),
            _("班级"),
            _("小学教师"),
            _("初中教师"),
            _("教学及辅助用房（平方米）"),
            _("体育场馆（平方米）"),
            _("仪器设备值（元）"),
            _("多媒体教室"),
            _("数据批次"),
        ],
    )
    for s in ctx.annex_schools:
        append_row(
            ws,
            [
                s["code"],
                s["name"],
                s["township"],
                s["kind"],
                s["location"],
                s["primary_students"],
                s["junior_students"],
                s["classes"],
                s["primary_teachers"],
                s["junior_teachers"],
                s["teaching_area"],
                s["sports_area"],
                s["equipment"],
                s["multimedia"],
                s["round"],
            ],
        )


def _resource(ws, ctx):
    for section in ctx.resource:
        append_row(ws, [section["label"], _("差异系数限值"), section["limit"]])
        append_row(ws, [_("指标"), _("名称"), _("学校标准"), _("县域均值"), _("差异系数"), _("结论")])
        for c in section["cvs"]:
            append_row(ws, [c["code"], c["name"], c["threshold"], c["mean"], c["cv_text"], c["label"]])
        append_row(ws, [])
        append_row(ws, [_("学校"), _("学生数"), *context.R_CODES, _("达标项数"), _("结论")])
        for row in section["schools"]:
            cells = [f"{c['value']} {c['mark']}".strip() for c in row["cells"]]
            append_row(ws, [row["name"], row["students"], *cells, row["met_count"], row["verdict"]])
        append_row(ws, [])


def _cv(ws, ctx):
    append_row(ws, [_("学段"), _("指标"), _("学校"), _("学生数 P_i"), _("指标值 X_i"), _("权重 P_i/P"), _("加权项")])
    for t in ctx.annex_cv:
        for row in t["rows"]:
            append_row(
                ws, [t["section"], t["code"], row["school"], row["students"], row["value"], row["weight"], row["term"]]
            )
        append_row(
            ws,
            [
                t["section"],
                t["code"],
                _("合计 / 结果"),
                t["total_students"],
                f"X̄={t['mean']}",
                f"S={t['sd']}",
                f"CV={t['cv']}",
            ],
        )


def _items(ws, ctx):
    append_row(
        ws, [_("代码"), _("指标"), _("达成情况"), _("结论"), _("未达标或无数据的学校"), _("佐证材料"), _("说明")]
    )
    for i in [*ctx.guarantee, *ctx.quality, *ctx.veto]:
        append_row(
            ws,
            [
                i["code"],
                i["name"],
                i["value"],
                i["label"],
                "、".join(i["failing"]),
                "；".join(i["evidence"]),
                i["note"],
            ],
        )


def _ledger(ws, ctx):
    append_row(
        ws,
        [
            _("整改任务"),
            _("现值"),
            _("标准"),
            _("缺口"),
            _("牵头单位"),
            _("配合单位"),
            _("完成时限"),
            _("工作状态"),
            _("台账状态"),
        ],
    )
    for p in ctx.rectification:
        append_row(
            ws,
            [p["title"], p["value"], p["threshold"], p["gap"], p["lead"], p["others"], p["due"], p["work"], p["state"]],
        )


def _evidence(ws, ctx):
    append_row(ws, [_("序号"), _("所属事项"), _("材料名称"), _("上传日期")])
    for i, e in enumerate(ctx.annex_evidence, start=1):
        append_row(ws, [i, e["source"], e["name"], e["date"]])


def annex_workbook(*, report: Report) -> bytes:
    ctx = context.build_context(stage=report.stage, round=report.round, narrative=report.narrative)
    wb = Workbook()
    sheets = [
        (_("学校基本数据"), _schools),
        (_("资源配置"), _resource),
        (_("差异系数计算"), _cv),
        (_("保障质量与否决项"), _items),
        (_("整改台账"), _ledger),
        (_("佐证材料"), _evidence),
    ]
    for i, (title, fill) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        first = [f"{ctx.title} · {title}", ctx.round["label"]]
        if ctx.provisional:
            first.append(ctx.provisional_note)
        append_row(ws, first)
        fill(ws, ctx)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
