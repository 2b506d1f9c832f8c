"""Pages of supervision. Thin: parse, call access/selectors/services, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.evidence import check_evidence, evidence_response
from gongqing.uploads import UploadRejected

from . import access, rules, selectors, services
from .access import BUREAU, READERS
from .forms import CycleForm, ItemForm, LedgerFilter, MeasureForm, ProgressForm, ReviewForm, ScheduleForm
from .models import Body, Cycle, Stage

PAGE_SIZE = 100


def _current_view():
    cycle = selectors.current_cycle()
    return selectors.cycle_view(cycle) if cycle else None


@require_safe
@roles_required(*READERS)
def home(request):
    view = _current_view()
    timeline = selectors.timeline(user=request.user, view=view) if view else []
    own = access.user_body(request.user)
    for row in timeline:
        # A cell's items open in the ledger filtered by body and stage, where the ledger's filter offers that body.
        row.linkable = access.sees_everything(request.user) or (own is not None and row.body.pk == own.pk)
    context = {
        "view": view,
        "timeline": timeline,
        "counts": selectors.ledger_counts(user=request.user),
        "updates": selectors.recent_updates(user=request.user),
        "body": access.user_body(request.user),
    }
    return render(request, "supervision/home.html", context)


@require_safe
@roles_required(*READERS)
def measure_list(request):
    view = _current_view()
    cycle = view.cycle if view else None
    chosen = request.GET.get("cycle")
    if chosen:
        cycle = Cycle.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if cycle is None:
            raise Http404
    rows = list(selectors.measures(user=request.user, cycle=cycle))
    for m in rows:
        m.shown_assignments = selectors.visible_assignments(request.user, m.assignments.all())
    return render(
        request,
        "supervision/measure_list.html",
        {
            "measures": rows,
            "cycle": cycle,
            "cycles": Cycle.objects.all(),
            "can_manage": access.can_manage(request.user),
        },
    )


@require_safe
@roles_required(*READERS)
def measure_detail(request, pk):
    measure = access.measure_for_user(user=request.user, pk=pk)
    measure = (
        selectors.with_overdue(type(measure).objects.filter(pk=measure.pk))
        .prefetch_related(selectors.MEASURE_ASSIGNMENTS)
        .select_related("stage", "stage__cycle", "cycle")
        .get()
    )
    return render(request, "supervision/measure_detail.html", _work_context(request, measure))


@roles_required(*BUREAU)
def measure_edit(request, pk=None):
    """The bureau adds a measure to the current cycle or edits one; an archived cycle's measures are not editable."""
    if pk is None:
        view = _current_view()
        if view is None or view.cycle.read_only:
            messages.error(request, _("请先设置一个未归档的当前工作周期。"))
            return redirect("supervision:measures")
        measure, cycle = None, view.cycle
    else:
        measure = access.measure_for_user(user=request.user, pk=pk)
        cycle = measure.cycle
        if cycle.read_only:
            raise Http404
    initial = {}
    if measure is not None:
        rows = list(measure.assignments.all())
        initial = {
            "ref": measure.ref,
            "title": measure.title,
            "leads": [a.body_id for a in rows if a.role == "lead"],
            "cooperating": [a.body_id for a in rows if a.role != "lead"],
            "stage": measure.stage_id,
            "due_date": measure.due_date,
        }
    form = MeasureForm(request.POST or None, initial=initial, cycle=cycle, measure=measure)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            measure = services.measure_save(
                cycle=cycle,
                measure=measure,
                ref=d["ref"],
                title=d["title"],
                leads=list(d["leads"]),
                cooperating=list(d["cooperating"]),
                stage=d["stage"],
                due_date=d["due_date"],
                by=request.user,
                request=request,
            )
        except rules.WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("措施已保存。"))
            return redirect(measure_url(measure))
    title = _("编辑措施 %(ref)s") % {"ref": measure.ref} if measure else _("新增措施（%(cycle)s）") % {"cycle": cycle}
    return render(request, "supervision/form.html", {"form": form, "title": title, "obj": measure})


def _work_context(request, obj) -> dict:
    user = request.user
    return {
        "obj": obj,
        "assignments": selectors.visible_assignments(user, obj.assignments.all()),
        "updates": selectors.updates_of(obj, user=user),
        "history": selectors.history_rows(obj),
        "can_update": access.can_post_update(user, obj),
        "can_done": access.can_mark_done(user, obj),
        "can_review": access.can_review(user, obj),
        "can_manage": access.can_manage(user),
        "read_only": access.is_read_only(obj),
        "progress_form": ProgressForm(initial={"percent": obj.percent}),
        "review_form": ReviewForm(),
    }


@require_safe
@roles_required(*READERS)
def ledger(request):
    view = _current_view()
    stages = Stage.objects.filter(cycle=view.cycle) if view else Stage.objects.none()
    bodies = (
        Body.objects.all()
        if access.sees_everything(request.user)
        else Body.objects.filter(pk=getattr(access.user_body(request.user), "pk", None))
    )
    county_wide = access.sees_everything(request.user)
    flt = LedgerFilter(request.GET or None, stages=stages, bodies=bodies, county_wide=county_wide)
    data = flt.cleaned_data if flt.is_bound and flt.is_valid() else {}
    rows = selectors.ledger(
        user=request.user,
        body=data.get("body"),
        state=data.get("state", ""),
        work_status=data.get("work_status", ""),
        stage=data.get("stage"),
        overdue=bool(data.get("overdue")),
        township=data.get("township"),
    )
    page = list(rows[:PAGE_SIZE])
    for item in page:
        item.shown_assignments = selectors.visible_assignments(request.user, item.assignments.all())
    return render(
        request,
        "supervision/ledger.html",
        {
            "filter": flt,
            "items": page,
            "truncated": len(page) == PAGE_SIZE,
            "source": selectors.source_round(),
            "can_manage": access.can_manage(request.user),
        },
    )


@require_POST
@roles_required(*BUREAU)
def ledger_sync(request):
    counts = services.ledger_sync()
    audit.record(action="supervision.ledger_sync", request=request, **counts)
    messages.success(
        request,
        _("台账已按最新评估结果同步：新增%(opened)s项，重新打开%(reopened)s项，销号%(closed)s项。") % counts,
    )
    return redirect("supervision:ledger")


@require_safe
@roles_required(*READERS)
def item_detail(request, pk):
    item = access.item_for_user(user=request.user, pk=pk)
    item = (
        selectors.with_overdue(type(item).objects.filter(pk=item.pk))
        .select_related("school", "stage", "stage__cycle", "source_round", "source_round__school_year")
        .prefetch_related(selectors.ASSIGNMENTS)
        .get()
    )
    context = _work_context(request, item)
    context |= {
        "projects": access.projects_for(request.user).filter(items=item),
        "findings": item.findings.select_related("review") if access.sees_everything(request.user) else [],
    }
    return render(request, "supervision/item_detail.html", context)


def _post_progress(request, obj, back):
    if not access.can_post_update(request.user, obj):
        raise PermissionDenied
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请填写进展情况和0到100之间的完成进度。"))
        return redirect(back)
    files = []
    try:
        for upload in form.cleaned_data["files"]:
            files.append((upload, check_evidence(upload)))
    except UploadRejected as exc:
        audit.record(
            action="supervision.evidence_upload", request=request, obj=obj, result="refused", reason=exc.message
        )
        messages.error(request, exc.message)
        return redirect(back)
    try:
        services.progress_post(
            obj=obj,
            by=request.user,
            text=form.cleaned_data["text"],
            percent=form.cleaned_data["percent"],
            files=files,
            request=request,
        )
    except rules.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("进展已报送。"))
    return redirect(back)


def _post_action(request, obj, back):
    action = request.POST.get("action")
    allowed = access.can_mark_done if action == "done" else access.can_review
    if not allowed(request.user, obj):
        raise PermissionDenied
    try:
        if action == "done":
            services.work_done(obj=obj, by=request.user, request=request)
            messages.success(request, _("已报完成，等待教体局验收。"))
        elif action in ("accept", "send_back"):
            form = ReviewForm({"decision": action, "comment": request.POST.get("comment", "")})
            form.is_valid()
            services.work_review(
                obj=obj,
                by=request.user,
                accept=action == "accept",
                comment=form.cleaned_data.get("comment", ""),
                request=request,
            )
            messages.success(request, _("已验收。") if action == "accept" else _("已退回。"))
        else:
            messages.error(request, _("未知的操作。"))
    except rules.WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@require_POST
@roles_required(*READERS)
def item_progress(request, pk):
    item = access.item_for_user(user=request.user, pk=pk)
    return _post_progress(request, item, item_url(item))


@require_POST
@roles_required(*READERS)
def item_action(request, pk):
    item = access.item_for_user(user=request.user, pk=pk)
    return _post_action(request, item, item_url(item))


@require_POST
@roles_required(*READERS)
def measure_progress(request, pk):
    measure = access.measure_for_user(user=request.user, pk=pk)
    return _post_progress(request, measure, measure_url(measure))


@require_POST
@roles_required(*READERS)
def measure_action(request, pk):
    measure = access.measure_for_user(user=request.user, pk=pk)
    return _post_action(request, measure, measure_url(measure))


def item_url(item) -> str:
    from django.urls import reverse

    return reverse("supervision:item", kwargs={"pk": item.pk})


def measure_url(measure) -> str:
    from django.urls import reverse

    return reverse("supervision:measure", kwargs={"pk": measure.pk})


@roles_required(*BUREAU)
def item_create(request):
    view = _current_view()
    stages = Stage.objects.filter(cycle=view.cycle) if view else Stage.objects.none()
    form = ItemForm(request.POST or None, stages=stages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        item = services.item_create(
            title=d["title"],
            target=d["target"],
            school=d["school"],
            lead=d["lead"],
            cooperating=d["cooperating"],
            stage=d["stage"],
            due_date=d["due_date"] or (d["stage"].ends if d["stage"] else None),
            by=request.user,
            request=request,
        )
        messages.success(request, _("整改任务已添加。"))
        return redirect(item_url(item))
    return render(request, "supervision/form.html", {"form": form, "title": _("添加整改任务")})


@roles_required(*BUREAU)
def item_schedule(request, pk):
    item = access.item_for_user(user=request.user, pk=pk)
    if access.is_read_only(item):
        raise Http404
    view = _current_view()
    stages = Stage.objects.filter(cycle=view.cycle) if view else Stage.objects.none()
    initial = {"target": item.target, "stage": item.stage_id, "due_date": item.due_date}
    form = ScheduleForm(request.POST or None, initial=initial, stages=stages)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.item_schedule(
            item=item, stage=d["stage"], due_date=d["due_date"], target=d["target"], by=request.user, request=request
        )
        messages.success(request, _("已保存。"))
        return redirect(item_url(item))
    return render(request, "supervision/form.html", {"form": form, "title": _("调整阶段和时限"), "obj": item})


@require_safe
@roles_required(*READERS)
def evidence_download(request, pk):
    evidence = access.evidence_for_user(user=request.user, pk=pk)
    audit.record(action="supervision.evidence_download", request=request, obj=evidence)
    return evidence_response(evidence.file, name=evidence.name, content_type=evidence.content_type)


@require_safe
@roles_required(*BUREAU)
def cycle_list(request):
    return render(request, "supervision/cycles.html", {"cycles": selectors.cycles()})


@roles_required(*BUREAU)
def cycle_create(request):
    from .plan import PUBLISHED_STAGES

    names = {n: name for n, name, _starts, _ends in PUBLISHED_STAGES}
    form = CycleForm(request.POST or None, stage_names=names)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        cycle = services.cycle_add(
            name=d["name"],
            note=d["note"],
            stages=form.stages(),
            seed_measures=d["seed_measures"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("工作周期“%(name)s”已建立；需要时请设为当前周期。") % {"name": cycle.name})
        return redirect("supervision:cycles")
    return render(request, "supervision/form.html", {"form": form, "title": _("新建工作周期")})


@require_POST
@roles_required(*BUREAU)
def cycle_current(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    services.cycle_set_current(cycle=cycle, by=request.user, request=request)
    messages.success(request, _("当前工作周期已设为“%(name)s”。") % {"name": cycle.name})
    return redirect("supervision:cycles")
