"""The reconciliation page, the resolution of one difference and the .xlsx export.

Readers: the bureau and the leadership (the statistics return is the county's and the county verdict is shown);
resolutions: the bureau. Thin: selectors.reconciliation reads and compares, schools.statistics.services writes.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS
from schools import access
from schools.statistics import services as statistics_services
from schools.statistics.models import ResolutionKind

from .exports import workbook_response
from .present import changed_text, figure_name, number, verdict_word
from .selectors import reconciliation


def _reconciliation(request, year: int):
    rec = reconciliation(year=year, schools=access.schools_for(request.user))
    if rec is None:
        raise Http404(_("该学年没有正式批次或尚未导入统计基表。"))
    return rec


def _rows(rec):
    for row in rec.rows:
        for d, changed, res in row.differences:
            yield {
                "row": row,
                "d": d,
                "name": figure_name(d.figure),
                "portal": number(d.portal),
                "statistics": number(d.statistics),
                "diff": number(d.diff),
                "percent": number(d.percent) if d.percent is not None else "—",
                "changed": changed_text(changed),
                "bands": d.bands,
                "res": res,
                "flip": f"{verdict_word(row.portal_verdict)} → {verdict_word(row.statistics_verdict)}",
            }


@require_GET
@roles_required(OVERSEERS)
def reconcile(request, year):
    rec = _reconciliation(request, year)
    kinds = [
        (k, label) for k, label in ResolutionKind.choices if k != ResolutionKind.STATISTICS or not rec.stat_year.closed
    ]
    context = {
        "rec": rec,
        "rows": list(_rows(rec)),
        "kinds": kinds,
        "county_portal": verdict_word(rec.county_portal),
        "county_statistics": verdict_word(rec.county_statistics),
        "error": request.session.pop("reconcile_error", None),
    }
    return render(request, "indicators/reconcile.html", context)


@require_POST
@roles_required(BUREAU)
def reconcile_resolve(request, year):
    rec = _reconciliation(request, year)
    school = get_object_or_404(access.schools_for(request.user), pk=request.POST.get("school") or 0)
    figure = request.POST.get("figure", "")
    found = next(
        (
            (d, row)
            for row in rec.rows
            if row.school.pk == school.pk
            for d, _c, _r in row.differences
            if d.figure == figure
        ),
        None,
    )
    if found is None:
        raise Http404(_("没有这项差异。"))
    d, _row = found
    try:
        statistics_services.resolution_save(
            stat_year=rec.stat_year,
            school=school,
            figure=figure,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            portal_value=number(d.portal),
            statistics_value=number(d.statistics),
            by=request.user,
            request=request,
        )
    except statistics_services.ResolutionRefused as exc:
        request.session["reconcile_error"] = exc.message
    return redirect(reverse("indicators:reconcile", args=[year]) + f"#s{school.pk}")


@require_GET
@roles_required(OVERSEERS)
def reconcile_export(request, year):
    rec = _reconciliation(request, year)
    return workbook_response(request, rec)
