"""Pages of the self-assessment reports: stages of a cycle, the narrative, render requests, progress, downloads."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS
from supervision.models import Cycle, Stage

from . import access, exports, selectors, services
from .forms import DraftForm, RequestForm


def _stage(pk: int) -> Stage:
    return get_object_or_404(Stage.objects.select_related("cycle"), pk=pk)


@require_GET
@roles_required(OVERSEERS)
def report_list(request):
    cycles = list(Cycle.objects.all())
    cycle = None
    if request.GET.get("cycle", "").isdigit():
        cycle = next((c for c in cycles if c.pk == int(request.GET["cycle"])), None)
    cycle = cycle or next((c for c in cycles if c.is_current), None) or (cycles[0] if cycles else None)
    rows = selectors.stage_rows(cycle=cycle) if cycle else []
    return render(
        request,
        "reports/list.html",
        {"cycles": cycles, "cycle": cycle, "rows": rows, "can_edit": access.can_edit(request.user)},
    )


@require_GET
@roles_required(OVERSEERS)
def stage_detail(request, pk):
    stage = _stage(pk)
    rounds = list(selectors.rounds_with_results())
    form = RequestForm(rounds=rounds, initial_round=selectors.stage_round(stage=stage))
    return render(
        request,
        "reports/stage.html",
        {
            "stage": stage,
            "draft": selectors.stage_draft(stage=stage),
            "reports": selectors.stage_reports(stage=stage),
            "form": form,
            "can_edit": access.can_edit(request.user),
        },
    )


@roles_required(BUREAU)
def draft_edit(request, pk):
    stage = _stage(pk)
    draft = services.draft_for(stage=stage)
    form = DraftForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.draft_save(stage=stage, data=data, by=request.user, request=request)
        messages.success(request, _("报告文稿已保存。"))
        return redirect("reports:stage", pk=stage.pk)
    return render(request, "reports/draft_form.html", {"stage": stage, "form": form})


@require_POST
@roles_required(BUREAU)
def render_request(request, pk):
    stage = _stage(pk)
    form = RequestForm(request.POST, rounds=list(selectors.rounds_with_results()))
    if not form.is_valid():
        for error in form.errors.get("round", []):
            messages.error(request, error)
        return redirect("reports:stage", pk=stage.pk)
    report, created = services.report_request(
        stage=stage, round=form.cleaned_data["round"], by=request.user, request=request
    )
    if created:
        messages.success(request, _("已开始生成报告（第%(v)s版），请稍候。") % {"v": report.version})
    else:
        messages.info(request, _("相同内容的报告正在生成（第%(v)s版），无需重复提交。") % {"v": report.version})
    return redirect("reports:stage", pk=stage.pk)


@require_GET
@roles_required(OVERSEERS)
def report_status(request, pk):
    report = access.report_for_user(user=request.user, pk=pk)
    return JsonResponse(
        {
            "id": report.pk,
            "status": report.status,
            "label": report.get_status_display(),
            "progress": report.progress,
            "error": report.error,
            "resumed_at": report.resumed_at.isoformat() if report.resumed_at else None,
            "download": reverse("reports:download", args=[report.pk]) if report.file else "",
        }
    )


def _file_response(request, report, field: str, suffix: str):
    file = getattr(report, field)
    if not file:
        raise Http404
    audit.record(action="report.download", request=request, obj=report, version=report.version, part=field)
    name = f"{report.title or 'report'}-v{report.version}{suffix}.pdf"
    return FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@require_GET
@roles_required(OVERSEERS)
def report_download(request, pk):
    report = access.report_for_user(user=request.user, pk=pk)
    return _file_response(request, report, "file", "")


@require_GET
@roles_required(OVERSEERS)
def annex_download(request, pk):
    report = access.report_for_user(user=request.user, pk=pk)
    return _file_response(request, report, "annex_file", "-附件")


@require_POST
@roles_required(BUREAU)
def report_retry(request, pk):
    report = access.report_for_user(user=request.user, pk=pk)
    report = services.report_retry(report=report, by=request.user, request=request)
    if report.is_active:
        messages.success(request, _("已重新开始生成报告。"))
    else:
        messages.info(request, _("该报告不是失败状态，无需重试。"))
    return redirect("reports:stage", pk=report.stage_id)


@require_GET
@roles_required(OVERSEERS)
def annex_tables(request, pk):
    report = access.report_for_user(user=request.user, pk=pk)
    data = exports.annex_workbook(report=report)
    audit.record(action="report.tables_export", request=request, obj=report, size=len(data))
    response = HttpResponse(data, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="report-{report.pk}-v{report.version}-tables.xlsx"'
    return response
