"""The results export: an .xlsx of a round's stored results for the schools the user may see.

Filters come from the query string as on the results page (township, kind, location, q, section; `section`
restricts the 学校指标 sheet). Every cell goes through gongqing.spreadsheets (no user text becomes a formula);
numbers are written as numbers. When the results are provisional every sheet's first row says 暂定 with
"N of M schools", and the county sheet lists what is missing. County verdict, CVs and blocking list are the
county's (one verdict for the whole county), the school sheets only the filtered, visible schools.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.roles import RESULT_READERS
from gongqing.spreadsheets import append_row
from schools import access
from schools.forms import SchoolFilter
from schools.models import CollectionRound

from . import selectors, services, verdicts
from .domain.display import status_zh
from .labels import RESOURCE_LABELS, SECTION_LABELS, UNIT_LABELS
from .models import EvaluationState
from .templatetags.indicator_tags import verdict_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_KEYS = ("q", "township", "kind", "location", "section")


def _verdict_text(summary: dict) -> str:
    """The county verdict's words; what is missing has rows of its own below."""
    return verdicts.county_verdict(summary).label


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else _("是") if value else _("否")


def _first_row(rnd: CollectionRound, title: str, state: EvaluationState | None) -> list:
    row: list = [f"{rnd} · {title}"]
    if state is None or not state.computed_version:
        row.append(_("尚未计算评估结果"))
    elif state.provisional:
        c = state.summary.get("completeness", {})
        note = _("暂定：%(m)s所学校中已有%(n)s所审核通过的数据") % {
            "n": c.get("schools_with_data", 0),
            "m": c.get("schools_expected", 0),
        }
        basis = verdicts.basis_text(state.summary)
        if basis:  # this round's approvals and earlier rounds' carried forward, counted apart
            note += f"（{basis}）"
        row.append(note)
        if (verdicts.data_basis(state.summary) or {}).get("round_open"):
            row.append(_("本批次仍在填报中"))
    if state is not None and state.is_stale:
        row.append(_("数据已变更，结果正在重新计算"))
    return row


def _county_sheet(ws, rnd, state) -> None:
    summary = selectors.summary_document(state)
    county = summary.get("county", {})
    c = summary.get("completeness", {})
    computed = timezone.localtime(state.computed_at).strftime("%Y-%m-%d %H:%M") if state and state.computed_at else ""
    for row in (
        [_("评估标准"), summary.get("standard_label", "")],
        [_("教学点处理方式"), summary.get("policy_label", "")],
        [_("计算时间"), computed],
        [_("县域结论"), _verdict_text(summary) if state and state.computed_version else ""],
        [_("暂定"), _yes_no(summary.get("provisional")) if summary else ""],
        [_("应参评学校数"), c.get("schools_expected")],
        [_("已有审核通过数据的学校数"), c.get("schools_with_data")],
        [_("数据依据"), verdicts.basis_text(summary)],
        [_("缺少数据的学校"), "、".join(c.get("missing_schools", []))],
        [_("尚未填报的县级指标"), "、".join(c.get("missing_items", []))],
        [_("未评估的指标"), "、".join(county.get("not_evaluated", []))],
    ):
        append_row(ws, row)
    append_row(ws, [])
    append_row(ws, [_("方面"), _("结论"), _("未达标"), _("无数据")])
    for a in summary.get("areas", []):
        word = verdicts.area_verdict(a).label
        append_row(ws, [a.get("name", ""), word, "、".join(a.get("not_met", [])), "、".join(a.get("no_data", []))])
    append_row(ws, [])
    append_row(ws, [_("序号"), _("影响认定的问题")])
    for i, text in enumerate(county.get("blocking", []), start=1):
        append_row(ws, [i, text])
    append_row(ws, [])
    append_row(ws, [_("序号"), _("无数据的项目")])
    for i, text in enumerate(county.get("no_data", []), start=1):
        append_row(ws, [i, text])


def _cv_sheet(ws, cvs, names) -> None:
    append_row(
        ws,
        [
            _("学段"),
            _("指标"),
            _("指标名称"),
            _("县域均值"),
            _("标准差"),
            _("差异系数"),
            _("限值"),
            _("是否达标"),
            _("学校数"),
        ],
    )
    for section, rows in cvs.items():
        for cv in rows:
            append_row(
                ws,
                [
                    str(SECTION_LABELS.get(section, section)),
                    cv.code,
                    names.get(cv.code, ""),
                    cv.mean,
                    cv.sd,
                    cv.cv,
                    cv.limit,
                    _yes_no(cv.met) if cv.met is not None else _("无数据"),
                    cv.schools,
                ],
            )


def _school_sheet(ws, rows) -> None:
    header = [_("学校标识码"), _("学校名称"), _("乡镇（街道）"), _("学段"), _("学生数")]
    for code in selectors.R_CODES:
        header += [code, _("%(code)s状态") % {"code": code}]
    append_row(ws, [*header, _("达标项数"), _("结论")])
    for row in rows:
        school, verdict = row.school, row.verdict
        values = [school.code, school.name, school.township.name, str(SECTION_LABELS.get(row.section, ""))]
        values.append(verdict.students if verdict else None)
        for code in selectors.R_CODES:
            cell = row.cells.get(code)
            values += [cell.value if cell else None, status_zh(cell.status) if cell else ""]
        values += [verdict.met_count if verdict else None, str(verdict_label(verdict.status)) if verdict else ""]
        append_row(ws, values)


def _items_sheet(ws, schools, items) -> None:
    header = [_("学校标识码"), _("学校名称"), _("乡镇（街道）")]
    for code in selectors.SCHOOL_G_CODES:
        header += [_("%(code)s值") % {"code": code}, _("%(code)s状态") % {"code": code}]
    append_row(ws, header)
    for school in schools:
        cells = items.get(school.pk, {})
        values = [school.code, school.name, school.township.name]
        for code in selectors.SCHOOL_G_CODES:
            r = cells.get(code)
            values += [r.value if r else None, status_zh(r.status) if r else ""]
        append_row(ws, values)


def _gap_sheet(ws, gaps, names) -> None:
    append_row(
        ws,
        [
            _("学校标识码"),
            _("学校名称"),
            _("乡镇（街道）"),
            _("学段"),
            _("指标"),
            _("指标名称"),
            _("现值"),
            _("标准"),
            _("状态"),
            _("缺口"),
            _("单位"),
        ],
    )
    for g in gaps:
        unit = (g.detail or {}).get("unit", "")
        append_row(
            ws,
            [
                g.school.code,
                g.school.name,
                g.school.township.name,
                str(SECTION_LABELS.get(g.section, g.section)),
                g.code,
                names.get(g.code, ""),
                g.value,
                g.threshold,
                status_zh(g.status),
                g.gap,
                str(UNIT_LABELS.get(unit, unit)),
            ],
        )


def _costing_sheet(ws, costing) -> None:
    append_row(ws, [_("项目"), _("缺口合计"), _("资金（元）"), _("用地（平方米）"), _("编制（人）"), _("未计价项数")])
    for resource, t in costing.by_resource.items():
        label = str(RESOURCE_LABELS.get(resource, resource))
        append_row(ws, [label, t.quantity, t.money, t.land_m2, t.posts, t.uncosted])
    append_row(ws, [])
    for label, value in (
        (_("一次性投入（元）"), costing.money_one_off),
        (_("每年经常性投入（元/年）"), costing.money_recurring),
        (_("需新增用地（平方米）"), costing.land_m2),
        (_("需新增教师编制（人）"), costing.posts),
        (_("未计价项目数"), Decimal(len(costing.uncosted))),
    ):
        append_row(ws, [label, value])


def build_workbook(*, round: CollectionRound, schools, section: str | None) -> bytes:
    """The workbook of a round's stored results for `schools` (already access-filtered)."""
    state = selectors.evaluation_state(round)
    names = services.indicator_names(school_year=round.school_year)
    schools = schools.select_related("township").order_by("township__order", "code")
    wb = Workbook()
    sheets = [
        (_("县域结论"), lambda ws: _county_sheet(ws, round, state)),
        (_("差异系数"), lambda ws: _cv_sheet(ws, selectors.section_cvs(round=round), names)),
        (
            _("学校指标"),
            lambda ws: _school_sheet(ws, selectors.section_rows(round=round, schools=schools, section=section)),
        ),
        (
            _("学校保障项目"),
            lambda ws: _items_sheet(ws, schools, selectors.school_item_rows(round=round, schools=schools)),
        ),
        (_("缺口"), lambda ws: _gap_sheet(ws, selectors.gap_results(round=round, schools=schools), names)),
        (_("测算"), lambda ws: _costing_sheet(ws, services.costing_for_round(round=round, schools=schools))),
    ]
    for i, (title, fill) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        append_row(ws, _first_row(round, title, state))
        fill(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@require_GET
@roles_required(RESULT_READERS)
def round_export(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    schools = SchoolFilter(request.GET, queryset=access.schools_for(request.user)).qs
    section = request.GET.get("section") or None
    if section not in (None, "primary", "junior"):
        section = None
    data = build_workbook(round=rnd, schools=schools, section=section)
    filters = {k: request.GET.get(k, "")[:80] for k in FILTER_KEYS if request.GET.get(k)}
    audit.record(action="results.export", request=request, obj=rnd, filters=filters, size=len(data))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="results-{rnd.school_year.year}-round-{rnd.pk}.xlsx"'
    return response
