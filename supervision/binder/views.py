"""Pages of the evidence binder: the list with the build form, progress, downloads (audited), retry."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongqing.decorators import roles_required
from gongqing.roles import BINDER_READERS

from . import access, selectors, services
from .forms import BinderForm


def _form(data=None):
    cycles = selectors.cycles()
    current = next((c for c in cycles if c.is_current), cycles[0] if cycles else None)
    return BinderForm(data, cycles=cycles, rounds=list(selectors.rounds_with_results()), initial_cycle=current)


@require_GET
@roles_required(BINDER_READERS)
def binder_list(request):
    form = _form()
    rows = selectors.binder_rows(binders=access.binders_for(request.user))
    return render(
        request,
        "binder/list.html",
        {
            "form": form,
            "rows": rows,
            "can_build": access.can_build(request.user),
            "county": access.reads_county(request.user),
        },
    )


@require_POST
@roles_required(BINDER_READERS)
def binder_request(request):
    if not access.can_build(request.user):
        messages.error(request, _("您的账号未关联乡镇（街道），不能生成档案。"))
        return redirect("binder:list")
    form = _form(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("binder:list")
    binder, created = services.binder_request(
        cycle=form.cleaned_data["cycle"],
        round=form.cleaned_data["round"],
        township_id=access.township_scope(request.user),
        by=request.user,
        request=request,
    )
    if created:
        messages.success(request, _("已开始生成档案（第%(v)s版），请稍候。") % {"v": binder.version})
    else:
        messages.info(request, _("相同周期、批次的档案正在生成（第%(v)s版），无需重复提交。") % {"v": binder.version})
    return redirect("binder:list")


@require_GET
@roles_required(BINDER_READERS)
def binder_status(request, pk):
    binder = access.binder_for_user(user=request.user, pk=pk)
    return JsonResponse(
        {
            "id": binder.pk,
            "status": binder.status,
            "label": binder.get_status_display(),
            "progress": binder.progress,
            "error": binder.error,
            "resumed_at": binder.resumed_at.isoformat() if binder.resumed_at else None,
            "download": reverse("binder:download", args=[binder.pk]) if binder.file else "",
        }
    )


def _file(request, pk, field: str, name: str, content_type: str):
    binder = access.binder_for_user(user=request.user, pk=pk)
    file = getattr(binder, field)
    if not file:
        raise Http404
    services.binder_download(binder=binder, part=field, request=request)
    filename = f"{_('档案')}-{binder.round}-v{binder.version}{name}"
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


@require_GET
@roles_required(BINDER_READERS)
def binder_download(request, pk):
    return _file(request, pk, "file", ".zip", "application/zip")


@require_GET
@roles_required(BINDER_READERS)
def index_download(request, pk):
    return _file(request, pk, "index_file", "-目录.pdf", "application/pdf")


@require_POST
@roles_required(BINDER_READERS)
def binder_retry(request, pk):
    binder = access.binder_for_user(user=request.user, pk=pk)
    binder = services.binder_retry(binder=binder, by=request.user, request=request)
    if binder.is_active:
        messages.success(request, _("已重新开始生成档案。"))
    else:
        messages.info(request, _("该档案不是失败状态，无需重试。"))
    return redirect("binder:list")
