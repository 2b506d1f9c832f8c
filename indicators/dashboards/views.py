"""Dashboard pages: parse the round and options, call a page builder, render. Read-only for everyone.

Who reads them: bureau staff and administrators, the leadership group and department officers (county readers of
results). Township officials have none (their schools' results are on the school pages, and a dashboard is a county
picture), auditors and the API client none. The bodies' board, like supervision's annual assessment, is for the
bureau and the leadership group only.
"""

from __future__ import annotations

import io

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.roles import Role
from gongqing.spreadsheets import append_row
from schools import access

from . import pages, selectors
from .charts import Table

READERS = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.LEADERSHIP, Role.DEPARTMENT_OFFICER)
BOARD_READERS = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.LEADERSHIP)
MATRIX_PAGE_SIZE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUND_PAGES = ("overview", "matrix", "trends", "warnings")


def _round(request):
    states = selectors.rounds_with_results()
    return states, selectors.pick_state(states, request.GET.get("round"))


def _base(request, states, state, page: str) -> dict:
    return {"states": states, "state": state, "round": state.round if state else None, "page": page}


def _section(request) -> str | None:
    section = request.GET.get("section") or None
    return section if section in ("primary", "junior") else None


def build(request, page: str, states, state) -> dict:
    """The content of a round page, shared by the page and its .xlsx downloads."""
    schools = access.schools_for(request.user)
    today = timezone.localdate()
    if page == "overview":
        return pages.overview(user=request.user, state=state, schools=schools, on=today)
    if page == "matrix":
        return pages.matrix(
            state=state, schools=schools, sort=request.GET.get("sort", "township"), section=_section(request)
        )
    if page == "trends":
        return pages.trends(states=states)
    if page == "warnings":
        return pages.warnings(state=state, schools=schools)
    raise Http404


def _page(request, page: str, template: str):
    states, state = _round(request)
    context = _base(request, states, state, page)
    if state is not None:
        context.update(build(request, page, states, state))
    return render(request, template, context)


@require_GET
@roles_required(*READERS)
def overview(request):
    return _page(request, "overview", "dashboards/overview.html")


@require_GET
@roles_required(*READERS)
def matrix(request):
    states, state = _round(request)
    context = _base(request, states, state, "matrix")
    if state is not None:
        context.update(build(request, "matrix", states, state))
        paginator = Paginator(context["rows"], MATRIX_PAGE_SIZE)
        context["page_obj"] = paginator.get_page(request.GET.get("p"))
        context["sort"] = request.GET.get("sort") if request.GET.get("sort") in pages.SORTS else "township"
        context["section"] = _section(request)
        query = request.GET.copy()
        query.pop("p", None)
        context["query"] = query.urlencode()
    return render(request, "dashboards/matrix.html", context)


@require_GET
@roles_required(*READERS)
def trends(request):
    return _page(request, "trends", "dashboards/trends.html")


@require_GET
@roles_required(*READERS)
def warnings(request):
    return _page(request, "warnings", "dashboards/warnings.html")


@require_GET
@roles_required(*BOARD_READERS)
def board(request):
    today = timezone.localdate()
    context = {"page": "board", "on": today, **pages.board(on=today)}
    return render(request, "dashboards/board.html", context)


def _find(content: dict, key: str) -> tuple[str, Table]:
    chart = content["charts"].get(key)
    if chart is not None:
        return chart.title, chart.table
    if key in content["tables"]:
        title, table = content["tables"][key]
        return title, table() if callable(table) else table
    raise Http404


def _xlsx(title: str, table: Table, note: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("数据")
    append_row(ws, [title])
    append_row(ws, [note])
    append_row(ws, table.columns)
    for row in table.plain_rows():
        append_row(ws, row)
    for i, column in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(column)) * 2 + 4))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _download(request, title: str, table: Table, note: str, filename: str, **detail) -> HttpResponse:
    data = _xlsx(title, table, note)
    audit.record(action="dashboard.export", request=request, size=len(data), **detail)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@roles_required(*READERS)
def export(request, page):
    if page not in ROUND_PAGES:
        raise Http404
    states, state = _round(request)
    if state is None:
        raise Http404
    key = request.GET.get("key", "")
    title, table = _find(build(request, page, states, state), key)
    note = _("数据来源：%(round)s 已存储的评估结果") % {"round": state.round}
    if state.provisional:
        note += _("（暂定）")
    return _download(
        request,
        title,
        table,
        note,
        f"dashboard-{page}-{key}-{state.round_id}.xlsx",
        page=page,
        key=key,
        round=state.round_id,
    )


@require_GET
@roles_required(*BOARD_READERS)
def board_export(request):
    today = timezone.localdate()
    key = request.GET.get("key", "")
    title, table = _find(pages.board(on=today), key)
    note = _("统计日期：%(date)s") % {"date": today}
    return _download(request, title, table, note, f"dashboard-board-{key}.xlsx", page="board", key=key)
