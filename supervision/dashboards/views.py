"""Dashboard pages: parse the round and options, call a page builder, render. Read-only for everyone.

Who reads them: bureau staff and administrators, the leadership group and department officers (county readers of
results). Township officials have none (their schools' results are on the school pages, and a dashboard is a county
picture), auditors and the API client none. The bodies' board, like supervision's annual assessment, is for the
bureau and the leadership group only.
"""

from __future__ import annotations

import hashlib
import operator
import os
import tempfile

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS, RESULT_READERS
from gongqing.spreadsheets import append_row
from indicators.domain.warnings import next_as_of
from schools import access

from . import intake as intakes
from . import pages, selectors
from .charts import Table, plain

MATRIX_PAGE_SIZE = 200
DASHBOARD_CACHE_SECONDS = 6 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUND_PAGES = ("overview", "matrix", "trends", "warnings")
# Bumped whenever what a cached entry holds changes shape or meaning (2: cells carry their indicator's direction and
# the school-level items G6, G7, Q4; the warnings list them; 3: the pickled rows and tables moved from
# indicators.dashboards to supervision.dashboards, which old entries could not be unpickled without), so no worker
# reads an entry of the old code.
CACHE_VERSION = 3


def _round(request, *, summary: bool = False):
    states = selectors.rounds_with_results(summary=summary)
    return states, selectors.pick_state(states, request.GET.get("round"))


def _base(request, states, state, page: str) -> dict:
    return {"states": states, "state": state, "round": state.round if state else None, "page": page}


def _section(request) -> str | None:
    section = request.GET.get("section") or None
    return section if section in ("primary", "junior") else None


def build(request, page: str, states, state, *, full: bool = False) -> dict:
    """The content of a round page, shared by the page and its .xlsx downloads (`full`: every row of every list)."""
    schools = access.schools_for(request.user)
    today = timezone.localdate()
    if page == "overview":
        return pages.overview(user=request.user, state=state, schools=schools, on=today)
    if page == "matrix":
        return pages.matrix(
            state=state,
            schools=schools,
            sort=request.GET.get("sort", "township"),
            section=_section(request),
            full=full,
        )
    if page == "trends":
        return pages.trends(states=states)
    if page == "warnings":
        if full:
            return pages.warnings(state=state, schools=schools)
        return _warnings(request, state, schools)
    raise Http404


def _key(request, page: str, state, *parts) -> str:
    """A cache key that changes whenever what the page reads may have changed: the round's data version (a return
    approved or reopened) and its computed version and time (a recompute), the reader's scope and the language."""
    scope = "county" if request.user.reads_whole_county else f"user{request.user.pk}"
    stamp = state.computed_at.timestamp() if state.computed_at else 0
    return ":".join(
        str(p)
        for p in (
            "dash",
            CACHE_VERSION,
            page,
            state.round_id,
            state.data_version,
            state.computed_version,
            stamp,
            scope,
            get_language(),
            *parts,
        )
    )


def _warnings(request, state, schools) -> dict:
    """The early warnings read every section result and class list of the round (about 1.2 s at 10,000 schools) and
    change only with the round's data (see _key), with supervision's projects or with the bureau's grade-1 intake
    estimates, which are few: the key holds a digest of the projects and estimates the page would count, read first.
    The cache keeps the lists' first rows (what the page shows); a download builds them whole."""
    rnd = state.round
    projects = selectors.supervision_projects(after=rnd.as_of, until=next_as_of(rnd.as_of), schools=schools)
    intakes = selectors.intake_estimates(year=rnd.school_year.year + 1, schools=schools)
    digest = hashlib.sha256(repr((projects, sorted(intakes.items()))).encode()).hexdigest()[:16]
    key = _key(request, "warnings", state, digest)
    content = cache.get(key)
    if content is None:
        content = pages.warnings(state=state, schools=schools, projects=projects, intakes=intakes, preview=True)
        lists = ("close_table", "class_table", "area_table")
        page_tables = {id(content[k]): content[k].for_page() for k in lists}  # downloads rebuild with every row
        content.update({k: page_tables[id(content[k])] for k in lists})
        content["tables"] = {k: (title, page_tables.get(id(t), t)) for k, (title, t) in content["tables"].items()}
        cache.set(key, content, DASHBOARD_CACHE_SECONDS)
    return content


def _page(request, page: str, template: str):
    states, state = _round(request, summary=page == "overview")
    context = _base(request, states, state, page)
    if state is not None:
        context.update(build(request, page, states, state))
    return render(request, template, context)


@require_GET
@roles_required(RESULT_READERS)
def overview(request):
    return _page(request, "overview", "dashboards/overview.html")


class CachedRows:
    """The matrix's sorted rows as the Paginator sees them: a length and the slice of one page, read from the cache,
    where the first request for a page stored it with its cells (a page evicted meanwhile is built again)."""

    def __init__(self, key: str, count: int, build_page):
        self.key, self.count, self.build_page = key, count, build_page

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, window: slice):
        chunk_key = f"{self.key}:{window.start // MATRIX_PAGE_SIZE}"
        chunk = cache.get(chunk_key)
        if chunk is None:
            chunk = self.build_page(window)
            cache.set(chunk_key, chunk, DASHBOARD_CACHE_SECONDS)
        return chunk


INDEX_FIELDS = (
    "school_id",
    "code",
    "name",
    "kind",
    "township",
    "township_order",
    "section",
    "students",
    "verdict",
    "met_count",
    "counted",
)


def _matrix_rows(request, state, sort: str, section: str | None) -> tuple[CachedRows, dict]:
    """The matrix pages through the round's school sections sorted (one light query: no cell is read for that, and
    the misses, for that sort, are counted by the database); a page then reads its own rows' cells (one query).
    Both change only with the round's results, so they are kept in the cache (Redis in production, shared by the
    workers) under a key that a recompute changes (see _key): the sorted rows as plain tuples, each page built
    once with its cells ready to show; old entries expire."""
    key = _key(request, "matrix", state, sort, section or "")
    built: dict = {}

    def index() -> list[tuple]:
        if "index" not in built:
            rows = cache.get(f"{key}:index")
            if rows is None:
                content = build(request, "matrix", None, state)
                content.pop("tables")
                rows = list(map(operator.attrgetter(*INDEX_FIELDS), content.pop("rows")))
                cache.set(f"{key}:index", rows, DASHBOARD_CACHE_SECONDS)
                cache.set(key, {"count": len(rows), "content": content}, DASHBOARD_CACHE_SECONDS)
                built["content"] = content
            built["index"] = rows
        return built["index"]

    meta = cache.get(key)
    if meta is None:
        rows = index()
        meta = {"count": len(rows), "content": built["content"]}
    content = meta["content"]

    def build_page(window: slice) -> list:
        rows = [selectors.MatrixRow(*values[:-1], counted=values[-1]) for values in index()[window]]
        return pages.page_rows(
            rows,
            round=state.round,
            codes=content["codes"],
            directions=content["directions"],
            names=content["names"],
            kinds=content["kinds"],
        )

    return CachedRows(key, meta["count"], build_page), content


@require_GET
@roles_required(RESULT_READERS)
def matrix(request):
    states, state = _round(request)
    context = _base(request, states, state, "matrix")
    if state is not None:
        context["sort"] = request.GET.get("sort") if request.GET.get("sort") in pages.SORTS else "township"
        context["section"] = _section(request)
        rows, content = _matrix_rows(request, state, context["sort"], context["section"])
        context.update(content)
        context["page_obj"] = Paginator(rows, MATRIX_PAGE_SIZE).get_page(request.GET.get("p"))
        query = request.GET.copy()
        query.pop("p", None)
        context["query"] = query.urlencode()
    return render(request, "dashboards/matrix.html", context)


@require_GET
@roles_required(RESULT_READERS)
def trends(request):
    return _page(request, "trends", "dashboards/trends.html")


@require_GET
@roles_required(RESULT_READERS)
def warnings(request):
    return _page(request, "warnings", "dashboards/warnings.html")


@require_GET
@roles_required(OVERSEERS)
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


def _xlsx(title: str, table: Table, note: str):
    """The table as an .xlsx in a temporary file (rewound), written by openpyxl's write-only mode row by row: the
    10,000-school matrix is never a whole workbook in memory. Every string is made formula-safe (append_row)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("数据"))
    for i, column in enumerate(table.columns, start=1):  # before any row: a write-only sheet writes them first
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(column)) * 2 + 4))
    append_row(ws, [title])
    append_row(ws, [note])
    append_row(ws, table.columns)
    for row in table.rows:
        append_row(ws, [plain(v) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it after sending, which removes it)
    wb.save(out)
    out.seek(0)
    return out


def _download(request, title: str, table: Table, note: str, filename: str, **detail) -> FileResponse:
    data = _xlsx(title, table, note)
    size = os.fstat(data.fileno()).st_size
    audit.record(action="dashboard.export", request=request, size=size, **detail)
    response = FileResponse(data, content_type=XLSX)  # streamed from the file, in blocks
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@roles_required(RESULT_READERS)
def export(request, page):
    if page not in ROUND_PAGES:
        raise Http404
    states, state = _round(request, summary=page == "overview")
    if state is None:
        raise Http404
    key = request.GET.get("key", "")
    title, table = _find(build(request, page, states, state, full=True), key)
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
@roles_required(OVERSEERS)
def board_export(request):
    today = timezone.localdate()
    key = request.GET.get("key", "")
    content = pages.board(on=today)
    title, table = _find(content, key)
    note = _("统计日期：%(date)s") % {"date": today}
    if content.get("cycle"):
        note += _("；统计周期：%(cycle)s") % {"cycle": content["cycle"]}
    return _download(request, title, table, note, f"dashboard-board-{key}.xlsx", page="board", key=key)


@require_http_methods(["GET", "POST"])
@roles_required(BUREAU)
def intake(request):
    """The bureau's grade-1 intake estimates for the school year after the latest evaluated round (or `?year=`), which
    the early warnings' class-size forecast uses in place of this year's grade 1. All boxes are saved at once; one bad
    box refuses the whole form and changes nothing."""
    states, state = _round(request)
    raw_year = request.GET.get("year", "")
    if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100:
        year = int(raw_year)
    elif state is not None:
        year = state.round.school_year.year + 1
    else:
        year = timezone.localdate().year
    scope = access.schools_for(request.user)
    schools = list(intakes.schools_with_primary(scope, year=year))
    estimates = selectors.intake_estimates(year=year, schools=scope)
    grade1 = {}
    if state is not None and state.round.school_year.year == year - 1:
        counts, _info = selectors.grade_counts(round=state.round, schools=scope)
        grade1 = {g.school_id: g.grades[1].students for g in counts if 1 in g.grades}
    rows = [intakes.IntakeRow(s.pk, s.name, s.township.name, grade1.get(s.pk), estimates.get(s.pk)) for s in schools]
    errors: dict[int, str] = {}
    if request.method == "POST":
        values, errors = intakes.parse(request.POST, [s.pk for s in schools])
        if not errors:
            changed = intakes.intake_estimates_save(year=year, values=values, by=request.user, request=request)
            messages.success(request, _("已保存 %(n)s 所学校的一年级招生预估。") % {"n": changed})
            return redirect(f"{request.path}?year={year}")
        for row in rows:
            row.raw = (request.POST.get(f"n_{row.school_id}") or "").strip()
        messages.error(request, _("未保存：请更正标出的学校。"))
    for row in rows:
        row.error = errors.get(row.school_id, "")
    return render(
        request,
        "dashboards/intake.html",
        {"rows": rows, "year": year, "state": state, "has_errors": bool(errors), "page": "intake"},
        status=400 if errors else 200,
    )
