"""Pages of the statistics return: upload, map the columns (the first time a format is seen), close a year, pre-fill
the official round. Thin: every file passes gongqing.uploads.check_upload first, reading is reader.py, the mapping
mapping.py, writes services.py. The bureau only: the statistics return is the county's."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongqing.decorators import roles_required
from gongqing.roles import BUREAU
from gongqing.uploads import UploadRejected, check_upload
from schools.models import CollectionRound, RoundKind, SchoolYear

from . import services
from .labels import figure_label
from .mapping import STAT_FIGURES, default_mapping
from .models import StatisticsUpload, StatisticsYear
from .reader import Sheet, read_uploads
from .selectors import prefilled_summary
from .services import ImportFailed, ResolutionRefused

MAX_FILES = 8
SHOWN_PROBLEMS = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _index_context(request, **extra):
    years = SchoolYear.objects.order_by("-year")
    stat_years = {s.school_year_id: s for s in StatisticsYear.objects.select_related("format")}
    officials = {r.school_year_id: r for r in CollectionRound.objects.filter(kind=RoundKind.OFFICIAL)}
    rows = [{"year": y, "stat": stat_years.get(y.pk), "round": officials.get(y.pk)} for y in years]
    pending = StatisticsUpload.objects.select_related("school_year").order_by("-pk").first()
    return {"rows": rows, "years": years, "pending": pending, "prefilled": prefilled_summary(), **extra}


@require_GET
@roles_required(BUREAU)
def statistics_index(request):
    context = {}
    imported = StatisticsYear.objects.filter(pk=request.GET.get("imported") or 0).first()
    if imported is not None:
        context = {"imported": imported, "imported_count": imported.schools.count()}
    return render(request, "statistics/index.html", _index_context(request, **context))


def _read(files) -> list[Sheet]:
    if not files:
        raise UploadRejected(_("请选择要上传的文件。"))
    if len(files) > MAX_FILES:
        raise UploadRejected(_("一次最多上传%(n)s个文件。") % {"n": MAX_FILES})
    return read_uploads([check_upload(f, allowed={"xlsx"}) for f in files])


@require_POST
@roles_required(BUREAU)
def statistics_upload(request):
    year = SchoolYear.objects.filter(pk=request.POST.get("school_year") or 0).first()
    files = request.FILES.getlist("files")
    source = "、".join(f.name for f in files)[:300]
    context = {}
    try:
        if year is None:
            raise UploadRejected(_("请选择学年。"))
        sheets = _read(files)
        outcome, obj = services.statistics_upload(
            school_year=year, sheets=sheets, source=source, by=request.user, request=request
        )
        if outcome == "pending":
            return redirect("statistics:mapping", pk=obj.pk)
        context["imported"] = obj
        context["imported_count"] = obj.schools.count()
    except UploadRejected as exc:
        context["rejected"] = exc.message
    except ImportFailed as exc:
        context["problems"] = exc.problems[:SHOWN_PROBLEMS]
        context["problem_count"] = len(exc.problems)
    return render(request, "statistics/index.html", _index_context(request, **context))


def _mapping_from_post(post, sheets: list[Sheet]) -> dict:
    known = {(s.ident, c.key) for s in sheets for c in s.columns}
    figures = {}
    for figure in STAT_FIGURES:
        picked = []
        for value in post.getlist(f"map_{figure}"):
            ident, _sep, key = value.partition("|")
            if (ident, key) in known:
                picked.append([ident, key])
        if picked:
            figures[figure] = picked
    bands = []
    for value in post.getlist("bands"):
        ident, _sep, key = value.partition("|")
        if (ident, key) in known:
            bands.append([ident, key])
    return {"figures": figures, "bands": bands}


@roles_required(BUREAU)
def statistics_mapping(request, pk):
    pending = get_object_or_404(StatisticsUpload.objects.select_related("school_year"), pk=pk)
    sheets = [Sheet.from_json(s) for s in pending.sheets]
    mapping = default_mapping(sheets)
    context = {"pending": pending, "sheets": sheets}
    if request.method == "POST":
        mapping = _mapping_from_post(request.POST, sheets)
        try:
            if not mapping["figures"]:
                raise ResolutionRefused(_("请至少为一项数据选择对应的列。"))
            stat_year = services.statistics_map_and_import(
                pending=pending, mapping=mapping, name=request.POST.get("name", ""), by=request.user, request=request
            )
            return redirect(f"{reverse('statistics:index')}?imported={stat_year.pk}")
        except ResolutionRefused as exc:
            context["rejected"] = exc.message
        except ImportFailed as exc:
            context["problems"] = exc.problems[:SHOWN_PROBLEMS]
            context["problem_count"] = len(exc.problems)
    context["rows"] = _mapping_rows(sheets, mapping)
    context["band_options"] = _options(sheets, {tuple(p) for p in mapping["bands"]})
    return render(request, "statistics/mapping.html", context)


def _options(sheets: list[Sheet], chosen: set[tuple[str, str]]) -> list[dict]:
    return [
        {
            "value": f"{s.ident}|{c.key}",
            "label": f"{s.key} · {c.letter} {c.key}",
            "selected": (s.ident, c.key) in chosen,
        }
        for s in sheets
        for c in s.columns
        if c.index not in (s.code_index, s.level_index)
    ]


def _mapping_rows(sheets: list[Sheet], mapping: dict) -> list[dict]:
    return [
        {
            "figure": figure,
            "label": figure_label(figure),
            "options": _options(sheets, {tuple(p) for p in mapping["figures"].get(figure, [])}),
        }
        for figure in STAT_FIGURES
    ]


@require_POST
@roles_required(BUREAU)
def statistics_close(request, pk):
    stat_year = get_object_or_404(StatisticsYear, pk=pk)
    services.statistics_year_close(
        stat_year=stat_year, closed=request.POST.get("closed") == "1", by=request.user, request=request
    )
    return redirect("statistics:index")


@require_POST
@roles_required(BUREAU)
def statistics_prefill(request, round_pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=round_pk)
    context = {}
    try:
        context["prefill_result"] = services.official_round_prefill(round=rnd, by=request.user, request=request)
    except ResolutionRefused as exc:
        context["rejected"] = exc.message
    return render(request, "statistics/index.html", _index_context(request, **context))


@require_GET
@roles_required(BUREAU)
def statistics_demo_export(request, year):
    from .demo import demo_export_bytes

    content = demo_export_bytes(year)
    if content is None:  # no demo data: nothing to offer
        return redirect("statistics:index")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"statistics_demo_{year}.xlsx")
    return response
