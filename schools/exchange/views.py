"""Pages and downloads of the exchange: the XLSX template, the upload, and exports as XLSX or a ZIP of CSVs.

Thin: every upload passes gongqing.uploads.check_upload first, reading is in reader.py, checking in importer.py,
writing in services.py. Township officials see and enter only their own township (schools.access).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongqing import audit, uploads
from gongqing.decorators import roles_required
from gongqing.refusals import get_in_scope
from gongqing.roles import DATA_ENTRY
from gongqing.uploads import UploadRejected, check_upload
from schools import access
from schools.models import CollectionRound

from . import services
from .guide import field_guide
from .importer import ImportFailed
from .locked import is_locked
from .reader import CellBudget, Table, read_csv, read_csv_zip, read_workbook
from .selectors import baselines, round_returns
from .writer import XLSX_CONTENT_TYPE, ExportRow, csv_zip_bytes, workbook_bytes

ALLOWED_UPLOADS = {"xlsx", "csv", "zip"}
MAX_FILES = 3
SHOWN_PROBLEMS = 300


def _round(pk) -> CollectionRound:
    return get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@roles_required(DATA_ENTRY)
def exchange_index(request):
    rounds = CollectionRound.objects.select_related("school_year").order_by("-is_open", "-as_of", "-pk")
    return render(request, "schools/exchange/index.html", {"rounds": rounds})


@roles_required(DATA_ENTRY)
def exchange_upload(request, round_pk):
    rnd = _round(round_pk)
    caps = {
        "rows": f"{uploads.MAX_ROWS_PER_SHEET:,}",
        "cells": f"{uploads.MAX_CELLS_PER_IMPORT:,}",
        "size": settings.UPLOAD_MAX_BYTES,
    }
    context = {"round": rnd, "townships": access.townships_for(request.user), "caps": caps, "guide": field_guide()}
    if request.method == "POST":
        files = request.FILES.getlist("files")
        source = "、".join(f.name for f in files)[:300]
        try:
            tables = _read_upload(files)
            context["result"] = services.returns_import(
                user=request.user, round=rnd, tables=tables, source=source, request=request
            )
        except UploadRejected as exc:
            services.import_refused(
                user=request.user, round=rnd, source=source, messages=[exc.message], request=request
            )
            context["rejected"] = exc.message
        except ImportFailed as exc:
            context["problems"] = exc.problems[:SHOWN_PROBLEMS]
            context["problem_count"] = len(exc.problems)
            context["hidden_problems"] = max(len(exc.problems) - SHOWN_PROBLEMS, 0)
    return render(request, "schools/exchange/upload.html", context)


def _read_upload(files) -> list[Table]:
    if not files:
        raise UploadRejected(_("请选择要上传的文件。"))
    if len(files) > MAX_FILES:
        raise UploadRejected(_("一次最多上传%(n)s个文件。") % {"n": MAX_FILES})
    checked = [check_upload(f, allowed=ALLOWED_UPLOADS) for f in files]
    kinds = {c.kind for c in checked}
    if kinds & {"xlsx", "zip"} and len(checked) > 1:
        raise UploadRejected(_("Excel工作簿或ZIP压缩包请单独上传（一次一个文件）。"))
    try:
        if "xlsx" in kinds:
            return list(read_workbook(checked[0]).values())
        if "zip" in kinds:
            return read_csv_zip(checked[0])
        budget = CellBudget()
        return [read_csv(c.stream, c.name, budget) for c in checked]
    except UploadRejected:
        raise
    except Exception:  # any parser failure on a file that passed the checks is a bad file
        raise UploadRejected(_("无法读取该文件，文件可能已损坏。请用Excel或WPS重新保存为.xlsx后再上传。")) from None


@require_GET
@roles_required(DATA_ENTRY)
def exchange_template(request, round_pk, township_pk):
    rnd = _round(round_pk)
    township = get_in_scope(access.townships_for(request.user), township_pk)
    schools = access.schools_for(request.user).open_in(rnd.school_year.year).filter(township=township).order_by("code")
    every_school = request.GET.get("schools") == "all"
    rows = [
        ExportRow(b.school, b.source)
        for b in baselines(round=rnd, schools=schools)
        if every_school or not is_locked(b.current)
    ]
    content = workbook_bytes(rows)
    audit.record(
        action="export",
        request=request,
        obj=rnd,
        format="xlsx",
        what="template",
        township=township.name,
        schools="all" if every_school else "to_fill",
        rows=len(rows),
    )
    return _download(content, f"template_{rnd.school_year.year}_{rnd.pk}_{township.code}.xlsx", XLSX_CONTENT_TYPE)


def _export_rows(request, rnd) -> list[ExportRow]:
    return [ExportRow(r.school, r) for r in round_returns(round=rnd, schools=access.schools_for(request.user))]


@require_GET
@roles_required(DATA_ENTRY)
def exchange_export(request, round_pk):
    rnd = _round(round_pk)
    rows = _export_rows(request, rnd)
    content = workbook_bytes(rows)
    audit.record(action="export", request=request, obj=rnd, format="xlsx", what="returns", rows=len(rows))
    return _download(content, f"returns_{rnd.school_year.year}_{rnd.pk}.xlsx", XLSX_CONTENT_TYPE)


@require_GET
@roles_required(DATA_ENTRY)
def exchange_export_csv(request, round_pk):
    rnd = _round(round_pk)
    rows = _export_rows(request, rnd)
    content = csv_zip_bytes(rows, school_year=rnd.school_year.year)
    audit.record(action="export", request=request, obj=rnd, format="csv", what="returns", rows=len(rows))
    return _download(content, f"returns_{rnd.school_year.year}_{rnd.pk}.zip", "application/zip")
