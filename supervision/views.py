"""Pages of supervision. Thin: parse, call access/selectors/services, render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.evidence import check_evidence, evidence_response
from gongqing.roles import BUREAU, PARTICIPANTS
from gongqing.uploads import UploadRejected

from . import access, rules, selectors, services
from .forms import CycleForm, ItemForm, LedgerFilter, MeasureForm, ProgressForm, ReviewForm, ScheduleForm
from .models import Cycle, Stage

PAGE_SIZE = 100


def _current_view():
    cycle = selectors.current_cycle()
    return selectors.cycle_view(cycle) if cycle else None


@require_safe
@roles_required(PARTICIPANTS)
def home(request):
    view = _current_view()
    timeline = selectors.timeline(user=request.user, view=view) if view else []
    for row in timeline:
        # A cell's items open in the ledger filtered by body and stage, where the ledger's filter offers that body.
        row.linkable = access.opens_ledger_of(request.user, row.body)
    context = {
        "view": view,
        "timeline": timeline,
        "counts": selectors.ledger_counts(user=request.user),
        "updates": selectors.recent_updates(user=request.user),
        "body": access.user_body(request.user),
    }
    return render(request, "supervision/home.html", context)


def _with_bodies_shown(user, rows) -> list:
    """The rows of a list page, each with the bodies its reader may see (`shown_assignments`)."""
    rows = list(rows)
    for row in rows:
        row.shown_assignments = selectors.visible_assignments(user, row.assignments.all())
    return rows


@require_safe
@roles_required(PARTICIPANTS)
def measure_list(request):
    view = _current_view()
    cycle = view.cycle if view else None
    chosen = request.GET.get("cycle")
    if chosen:
        cycle = Cycle.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        if cycle is None:
            raise Http404
    rows = _with_bodies_shown(request.user, selectors.measures(user=request.user, cycle=cycle))
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


@roles_required(BUREAU)
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
        done, saved = _attempt(
            request,
            _("措施已保存。"),
            services.measure_save,
            cycle=cycle,
            measure=measure,
            ref=d["ref"],
            title=d["title"],
            leads=list(d["leads"]),
            cooperating=list(d["cooperating"]),
            stage=d["stage"],
            due_date=d["due_date"],
        )
        if done:
            return redirect(saved)
    title = _("编辑措施 %(ref)s") % {"ref": measure.ref} if measure else _("新增措施（%(cycle)s）") % {"cycle": cycle}
    return render(request, "supervision/form.html", {"form": form, "title": title, "obj": measure})


def _attempt(request, success: str, service, **kwargs) -> tuple[bool, object]:
    """Call a workflow service as the signed-in user: its refusal (rules.WorkflowError) becomes an error message,
    else `success` a success message. (whether it went through, what it returned)."""
    try:
        result = service(**kwargs, by=request.user, request=request)
    except rules.WorkflowError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, result


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
@roles_required(PARTICIPANTS)
def ledger(request):
    view = _current_view()
    stages = Stage.objects.filter(cycle=view.cycle) if view else Stage.objects.none()
    bodies = access.ledger_bodies_for(request.user)
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
    page = _with_bodies_shown(request.user, rows[:PAGE_SIZE])
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
@roles_required(BUREAU)
def ledger_sync(request):
    counts = services.ledger_sync()
    audit.record(action="supervision.ledger_sync", request=request, **counts)
    messages.success(
        request,
        _("台账已按最新评估结果同步：新增%(opened)s项，重新打开%(reopened)s项，销号%(closed)s项。") % counts,
    )
    return redirect("supervision:ledger")


@dataclass(frozen=True)
class WorkKind:
    """What differs between the two kinds of work, measures and ledger items, for their shared pages."""

    for_user: Callable
    template: str
    related: tuple[str, ...]
    assignments: Prefetch
    extra: Callable[[HttpRequest, object], dict] = lambda request, obj: {}


def _item_links(request, item) -> dict:
    return {
        "projects": access.projects_for(request.user).filter(items=item),
        "findings": access.findings_for(request.user).filter(items=item).select_related("review"),
    }


KINDS = {
    "measure": WorkKind(
        for_user=access.measure_for_user,
        template="supervision/measure_detail.html",
        related=("stage", "stage__cycle", "cycle"),
        assignments=selectors.MEASURE_ASSIGNMENTS,
    ),
    "item": WorkKind(
        for_user=access.item_for_user,
        template="supervision/item_detail.html",
        related=("school", "stage", "stage__cycle", "source_round", "source_round__school_year"),
        assignments=selectors.ASSIGNMENTS,
        extra=_item_links,
    ),
}


@require_safe
@roles_required(PARTICIPANTS)
def work_detail(request, pk, kind):
    """The page of a measure or an item: its facts, bodies, updates, history and the work forms."""
    spec = KINDS[kind]
    obj = spec.for_user(user=request.user, pk=pk)
    obj = (
        selectors.with_overdue(type(obj).objects.filter(pk=obj.pk))
        .select_related(*spec.related)
        .prefetch_related(spec.assignments)
        .get()
    )
    return render(request, spec.template, _work_context(request, obj) | spec.extra(request, obj))


@require_POST
@roles_required(PARTICIPANTS)
def work_progress(request, pk, kind):
    """A progress update, with evidence, on a measure or an item."""
    obj = KINDS[kind].for_user(user=request.user, pk=pk)
    back = obj.get_absolute_url()
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
    text, percent = form.cleaned_data["text"], form.cleaned_data["percent"]
    _attempt(request, _("进展已报送。"), services.progress_post, obj=obj, text=text, percent=percent, files=files)
    return redirect(back)


@require_POST
@roles_required(PARTICIPANTS)
def work_action(request, pk, kind):
    """Done, accepted or sent back: the workflow of a measure or an item."""
    obj = KINDS[kind].for_user(user=request.user, pk=pk)
    back = obj.get_absolute_url()
    action = request.POST.get("action")
    allowed = access.can_mark_done if action == "done" else access.can_review
    if not allowed(request.user, obj):
        raise PermissionDenied
    if action == "done":
        _attempt(request, _("已报完成，等待教体局验收。"), services.work_done, obj=obj)
    elif action in ("accept", "send_back"):
        form = ReviewForm({"decision": action, "comment": request.POST.get("comment", "")})
        form.is_valid()
        accept, comment = action == "accept", form.cleaned_data.get("comment", "")
        _attempt(
            request,
            _("已验收。") if accept else _("已退回。"),
            services.work_review,
            obj=obj,
            accept=accept,
            comment=comment,
        )
    else:
        messages.error(request, _("未知的操作。"))
    return redirect(back)


@roles_required(BUREAU)
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
        return redirect(item)
    return render(request, "supervision/form.html", {"form": form, "title": _("添加整改任务")})


@roles_required(BUREAU)
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
        return redirect(item)
    return render(request, "supervision/form.html", {"form": form, "title": _("调整阶段和时限"), "obj": item})


@require_safe
@roles_required(PARTICIPANTS)
def evidence_download(request, pk):
    evidence = access.evidence_for_user(user=request.user, pk=pk)
    audit.record(action="supervision.evidence_download", request=request, obj=evidence)
    return evidence_response(evidence.file, name=evidence.name, content_type=evidence.content_type)


@require_safe
@roles_required(BUREAU)
def cycle_list(request):
    return render(request, "supervision/cycles.html", {"cycles": selectors.cycles()})


@roles_required(BUREAU)
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
@roles_required(BUREAU)
def cycle_current(request, pk):
    cycle = get_object_or_404(Cycle, pk=pk)
    services.cycle_set_current(cycle=cycle, by=request.user, request=request)
    messages.success(request, _("当前工作周期已设为“%(name)s”。") % {"name": cycle.name})
    return redirect("supervision:cycles")
