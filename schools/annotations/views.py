"""The side-by-side review page, explanations, the reviewer's marks, attachments and the data-quality page.
Thin: parse, check access (schools.access), call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.evidence import check_evidence, evidence_response
from gongqing.refusals import OutOfScope
from gongqing.roles import BUREAU, DATA_ENTRY, OVERSEERS
from gongqing.uploads import CONTENT_TYPES, UploadRejected
from schools import access
from schools.models import CollectionRound, School
from schools.services import ReturnInvalid, WorkflowError

from . import selectors, services
from .exports import quality_workbook
from .forms import AttachmentForm, FigureForm, QualityFilter, WarningForm

EXPLAIN_PREFIX = "explain:"


def _review_context(request, ret, **extra):
    user = request.user
    return {
        "ret": ret,
        "school": ret.school,
        "sheet": selectors.review_sheet(school_return=ret),
        "can_edit": access.can_edit_return(user, ret),
        "can_review": access.can_review_return(user, ret),
        "can_attach": access.can_enter_data(user, ret.school),
        "is_bureau": user.is_bureau,
        "field_choices": selectors.field_choices(ret),
        "attachment_form": AttachmentForm(field_choices=selectors.field_choices(ret)),
        **extra,
    }


def _report(request, exc) -> None:
    if isinstance(exc, ReturnInvalid):
        for p in exc.problems:
            messages.error(request, p.message)
    else:
        messages.error(request, str(exc))


@require_safe
@roles_required(DATA_ENTRY)
def return_review(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    return render(request, "annotations/review.html", _review_context(request, ret))


@require_POST
@roles_required(DATA_ENTRY)
def explanations_save(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    if not access.can_edit_return(request.user, ret):
        raise PermissionDenied
    texts = {k.removeprefix(EXPLAIN_PREFIX): v for k, v in request.POST.items() if k.startswith(EXPLAIN_PREFIX)}
    submit = "submit" in request.POST
    try:
        services.explanations_save(school_return=ret, texts=texts, submit=submit, by=request.user, request=request)
    except (ReturnInvalid, WorkflowError) as exc:
        _report(request, exc)
        if submit:
            messages.error(request, _("说明已保存，但填报未提交。"))
        return redirect("annotations:review", pk=ret.pk)
    if submit:
        messages.success(request, _("说明已保存，填报已提交，等待教体局审核。"))
        return redirect("schools:return_detail", pk=ret.pk)
    messages.success(request, _("说明已保存。"))
    return redirect("annotations:review", pk=ret.pk)


@require_POST
@roles_required(BUREAU)
def explanation_accept(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    form = WarningForm(request.POST)
    if not access.can_review_return(request.user, ret) or not form.is_valid():
        raise PermissionDenied
    try:
        services.explanation_accept(school_return=ret, **form.cleaned_data, by=request.user, request=request)
    except WorkflowError as exc:
        _report(request, exc)
    else:
        messages.success(request, _("已接受说明。"))
    return redirect("annotations:review", pk=ret.pk)


@require_POST
@roles_required(BUREAU)
def figure_follow_up(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    form = FigureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要跟进的数据项。"))
        return redirect("annotations:review", pk=ret.pk)
    on = request.POST.get("on") != "0"
    try:
        services.figure_follow_up(school_return=ret, **form.cleaned_data, on=on, by=request.user, request=request)
    except ReturnInvalid as exc:
        _report(request, exc)
    else:
        messages.success(request, _("已标记跟进。") if on else _("已解除跟进。"))
    return redirect("annotations:review", pk=ret.pk)


@require_POST
@roles_required(DATA_ENTRY)
def attachment_add(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    if not access.can_enter_data(request.user, ret.school):
        raise OutOfScope(School, ret.school_id)
    form = AttachmentForm(request.POST, request.FILES, field_choices=selectors.field_choices(ret))
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件和相关数据项。"))
        return redirect("annotations:review", pk=ret.pk)
    upload = form.cleaned_data["file"]
    try:
        checked = check_evidence(upload)
        services.attachment_add(
            school_return=ret,
            upload=upload,
            checked=checked,
            field=form.cleaned_data["field"],
            title=form.cleaned_data["title"],
            by=request.user,
            request=request,
        )
    except UploadRejected as exc:
        messages.error(request, exc.message)
    except ReturnInvalid as exc:
        _report(request, exc)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("annotations:review", pk=ret.pk)


@require_safe
@roles_required(DATA_ENTRY)
def attachment_download(request, pk):
    attachment = access.attachment_for_user(user=request.user, pk=pk)
    audit.record(action="attachment.download", request=request, obj=attachment)
    return evidence_response(attachment.file, name=attachment.name, content_type=attachment.content_type)


def _quality(request):
    townships = access.townships_for(request.user)
    form = QualityFilter(request.GET or None, townships=townships)
    data = form.cleaned_data if form.is_valid() else {}
    rnd = data.get("round") or CollectionRound.objects.select_related("school_year").order_by("-as_of", "-pk").first()
    sheet = None
    if rnd is not None:
        sheet = selectors.quality_sheet(
            round=rnd,
            schools=access.schools_for(request.user),
            township=data.get("township"),
            rule=data.get("rule") or "",
            status=data.get("status") or "",
        )
    return form, sheet


@require_safe
@roles_required(OVERSEERS)
def quality(request):
    form, sheet = _quality(request)
    return render(request, "annotations/quality.html", {"form": form, "sheet": sheet, "query": request.GET.urlencode()})


@require_safe
@roles_required(OVERSEERS)
def quality_export(request):
    form, sheet = _quality(request)
    if sheet is None:
        messages.error(request, _("还没有采集批次。"))
        return redirect("annotations:quality")
    audit.record(action="quality.export", request=request, obj=sheet.round, rows=len(sheet.rows))
    response = HttpResponse(quality_workbook(sheet), content_type=CONTENT_TYPES["xlsx"])
    name = f"data-quality-{sheet.round.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
