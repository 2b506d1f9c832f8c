"""Pages of the registry, the collection rounds and the returns. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongqing.decorators import roles_required
from gongqing.models import Notice
from gongqing.roles import ADMINS, BUREAU, DATA_ENTRY, PARTICIPANTS

from . import access, reminders, services
from .annotations import services as annotations
from .forms import (
    ClassFormSet,
    CountyProfileForm,
    ReasonForm,
    ReturnFiguresForm,
    RoomFormSet,
    RoundForm,
    SchoolFilter,
    SchoolForm,
    formset_rows,
)
from .history import group_edits, school_history
from .models import CollectionRound, CountyProfile, ReturnStatus, SchoolReturn
from .quality.display import annotate_form
from .quality.findings import findings_for_return
from .selectors import last_approved_return, round_status_counts


@roles_required(PARTICIPANTS)
def school_list(request):
    schools = access.schools_for(request.user).select_related("township", "parent")
    flt = SchoolFilter(request.GET, queryset=schools)
    flt.form.fields["township"].queryset = access.townships_for(request.user)
    return render(request, "schools/school_list.html", {"filter": flt, "schools": flt.qs})


@roles_required(PARTICIPANTS)
def school_detail(request, pk):
    school, teaching_points = access.school_and_teaching_points(user=request.user, pk=pk)
    returns = list(
        school.returns.select_related("round", "round__school_year").order_by("-round__as_of", "-round__pk")
    )  # read once: the table, the rounds open for entry and the history use them
    open_rounds = (
        CollectionRound.objects.filter(is_open=True)
        .exclude(pk__in=[r.round_id for r in returns])  # live returns only
        .select_related("school_year")
    )
    context = {
        "school": school,
        "returns": returns,
        "open_rounds": open_rounds if access.can_enter_data(request.user, school) else [],
        "edits": group_edits(school_history(school=school, returns=returns)),
        "teaching_points": teaching_points,
        "extra_panels": school_page_panels(request, school),
    }
    return render(request, "schools/school_detail.html", context)


# Higher apps (indicators, supervision) register callables here to add panels to the school page.
SCHOOL_PAGE_PANELS: list = []


def school_page_panels(request, school) -> list:
    return [html for panel in SCHOOL_PAGE_PANELS if (html := panel(request, school))]


@roles_required(BUREAU)
def school_edit(request, pk=None):
    school = access.school_for_user(user=request.user, pk=pk) if pk else None
    form = SchoolForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        school = services.school_save(form=form, by=request.user, request=request)
        messages.success(request, _("学校信息已保存。"))
        return redirect("schools:detail", pk=school.pk)
    return render(request, "schools/school_form.html", {"form": form, "school": school})


@roles_required(ADMINS)
def county_profile(request):
    profile = CountyProfile.get()
    form = CountyProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.county_profile_save(form=form, by=request.user, request=request)
        messages.success(request, _("县域概况已保存。"))
        return redirect("schools:county_profile")
    return render(request, "schools/county_profile.html", {"form": form})


@roles_required(DATA_ENTRY)
def round_list(request):
    rounds = CollectionRound.objects.select_related("school_year")
    return render(request, "schools/round_list.html", {"rounds": rounds})


@roles_required(BUREAU)
def round_edit(request, pk=None):
    instance = get_object_or_404(CollectionRound, pk=pk) if pk else None
    form = RoundForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        rnd = services.round_save(form=form, by=request.user, request=request)
        messages.success(request, _("采集批次已保存。"))
        return redirect("schools:round_board", pk=rnd.pk)
    return render(request, "schools/round_form.html", {"form": form, "round": instance})


@roles_required(DATA_ENTRY)
def round_board(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    schools = access.schools_for(request.user)
    open_schools = schools.open_in(rnd.school_year.year).select_related("township")
    returns = {
        r.school_id: r
        for r in SchoolReturn.objects.filter(round=rnd, school__in=open_schools).only(
            "pk", "school_id", "status", "updated_at"
        )
    }
    rows = [(s, returns.get(s.pk)) for s in open_schools]
    counts = round_status_counts(round=rnd, schools=schools)
    if request.user.is_bureau:
        last = reminders.last_reminders(round=rnd)
        for c in counts:
            c["last_reminded"] = last.get(c["township__name"])
            c["may_remind"] = reminders.may_remind(c["last_reminded"])
    context = {
        "round": rnd,
        "counts": counts,
        "rows": rows,
        "days_left": (rnd.due_date - timezone.localdate()).days,
    }
    return render(request, "schools/round_board.html", context)


@require_POST
@roles_required(BUREAU)
def round_remind(request, pk, township_pk):
    rnd = get_object_or_404(CollectionRound, pk=pk)
    township = get_object_or_404(access.townships_for(request.user), pk=township_pk)
    done = reminders.round_remind(round=rnd, township=township, by=request.user, request=request)
    if done.sent:
        messages.success(
            request, _("已提醒%(township)s的%(n)s名填报员。") % {"township": township, "n": done.recipients}
        )
    else:
        at = timezone.localtime(done.last_at).strftime("%Y-%m-%d %H:%M")
        messages.info(
            request,
            _("%(township)s已于%(at)s提醒过，一天内不再重复提醒。") % {"township": township, "at": at},
        )
    return redirect("schools:round_board", pk=rnd.pk)


@require_POST
@roles_required(DATA_ENTRY)
def return_start(request, school_pk, round_pk):
    school = access.school_for_user(user=request.user, pk=school_pk, write=True)
    rnd = get_object_or_404(CollectionRound, pk=round_pk, is_open=True)
    ret = services.return_start(school=school, round=rnd, by=request.user, request=request)
    return redirect("schools:return_edit", pk=ret.pk)


def _return_context(request, ret, **extra):
    user = request.user
    return {
        "ret": ret,
        "school": ret.school,
        "can_edit": access.can_edit_return(user, ret),
        "can_review": access.can_review_return(user, ret),
        "can_reopen": access.can_reopen_return(user, ret),
        "reason_form": ReasonForm(),
        **extra,
    }


@roles_required(PARTICIPANTS)
def return_detail(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    ret = (
        SchoolReturn.objects.prefetch_related("classes", "rooms")
        .select_related("school", "round", "round__school_year", "submitted_by", "approved_by")
        .get(pk=ret.pk)
    )
    form = ReturnFiguresForm(instance=ret, school=ret.school, initial={"version": ret.version})
    return render(request, "schools/return_detail.html", _return_context(request, ret, form=form))


@roles_required(DATA_ENTRY)
def return_edit(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    if not access.can_edit_return(request.user, ret):
        messages.info(request, _("该填报当前不可修改。"))
        return redirect("schools:return_detail", pk=ret.pk)
    conflict = None
    warnings = []
    if request.method == "POST":
        form = ReturnFiguresForm(request.POST, instance=ret, school=ret.school)
        classes = ClassFormSet(request.POST, prefix="classes")
        rooms = RoomFormSet(request.POST, prefix="rooms")
        if form.is_valid() and classes.is_valid() and rooms.is_valid():
            try:
                warnings = services.return_save(
                    school_return=ret,
                    figures=form.figures(),
                    classes=formset_rows(classes, "classes"),
                    rooms=formset_rows(rooms, "rooms"),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    request=request,
                )
            except services.ReturnInvalid as exc:
                _attach_problems(form, classes, rooms, exc.problems)
            except services.ReturnConflict as exc:
                conflict = exc.current
                data = request.POST.copy()
                data["version"] = conflict.version
                form = ReturnFiguresForm(data, instance=ret, school=ret.school)
                form.is_valid()
            except services.WorkflowError as exc:
                messages.error(request, str(exc))
                return redirect("schools:return_detail", pk=ret.pk)
            else:
                for w in warnings:
                    messages.warning(request, w.message)
                messages.success(request, _("已保存草稿。"))
                if "submit" in request.POST:
                    return return_submit(request, ret.pk)
                return redirect("schools:return_edit", pk=ret.pk)
        if conflict is None:
            messages.error(request, _("填报有误，未保存。请按提示修改后再保存。"))
    else:
        form = ReturnFiguresForm(instance=ret, school=ret.school, initial={"version": ret.version})
        classes = ClassFormSet(
            prefix="classes",
            initial=[
                {"section": c.section, "grade": c.grade, "name": c.name, "students": c.students}
                for c in ret.classes.all()
            ],
        )
        rooms = RoomFormSet(prefix="rooms", initial=[{"room": r.room, "area_m2": r.area_m2} for r in ret.rooms.all()])
    # The saved figures' data-quality warnings beside their fields (server-side), and the G5 note of each class above
    # the cap; a refused POST shows its errors instead (its figures are not the saved ones).
    found = findings_for_return(ret) if request.method != "POST" else []
    general_findings = annotate_form(form, classes, found)
    previous = last_approved_return(school=ret.school, before_round=ret.round)
    return render(
        request,
        "schools/return_edit.html",
        _return_context(
            request,
            ret,
            form=form,
            classes=classes,
            rooms=rooms,
            conflict=conflict,
            previous=previous,
            conflict_values=_conflict_values(form, conflict),
            general_findings=general_findings,
        ),
    )


def _conflict_values(form, conflict):
    if conflict is None:
        return {}
    return {name: getattr(conflict, name) for name in form.fields if name != "version"}


def _attach_problems(form, classes, rooms, problems):
    for p in problems:
        if p.field in form.fields:
            form.add_error(p.field, p.message)
        elif p.field == "rooms":
            rooms._non_form_errors = rooms.error_class([*rooms.non_form_errors(), p.message])
        elif p.field != "classes":
            form.add_error(None, p.message)  # a whole-return rule, or a figure the form does not show
        else:
            classes._non_form_errors = classes.error_class([*classes.non_form_errors(), p.message])


@require_POST
@roles_required(DATA_ENTRY)
def return_submit(request, pk):
    ret = access.return_for_user(user=request.user, pk=pk)
    if not access.can_edit_return(request.user, ret):
        raise PermissionDenied
    try:
        services.return_submit(school_return=ret, by=request.user, request=request)
    except services.ReturnInvalid as exc:
        for p in exc.problems:
            messages.error(request, p.message)
        messages.error(request, _("填报不完整，未提交。"))
        return redirect("schools:return_edit", pk=ret.pk)
    messages.success(request, _("已提交，等待教体局审核。"))
    return redirect("schools:return_detail", pk=ret.pk)


@require_POST
@roles_required(BUREAU)
def return_review(request, pk, action):
    ret = access.return_for_user(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    comment = form.data.get("comment", "")
    try:
        if action == "approve":
            if not access.can_review_return(request.user, ret):
                raise PermissionDenied
            services.return_approve(school_return=ret, by=request.user, request=request)
            messages.success(request, _("已审核通过，数据已锁定。"))
        elif action == "send_back":
            if not access.can_review_return(request.user, ret):
                raise PermissionDenied
            annotations.return_send_back(
                school_return=ret,
                comment=comment,
                field=form.data.get("field", ""),
                by=request.user,
                request=request,
            )
            _notify_enterers(ret, _("%(school)s的填报被退回：%(comment)s") % {"school": ret.school, "comment": comment})
            messages.success(request, _("已退回修改。"))
        elif action == "reopen":
            if not access.can_reopen_return(request.user, ret):
                raise PermissionDenied
            services.return_reopen(school_return=ret, reason=comment, by=request.user, request=request)
            _notify_enterers(
                ret, _("%(school)s的填报已重新打开：%(comment)s") % {"school": ret.school, "comment": comment}
            )
            messages.success(request, _("已重新打开，填报员可修改。"))
        else:
            raise Http404
    except services.ReturnInvalid as exc:
        for p in exc.problems:
            messages.error(request, p.message)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    return redirect("schools:return_detail", pk=ret.pk)


def _notify_enterers(ret, text):
    officials = access.township_officials(ret.school.township_id)
    link = reverse("schools:return_detail", args=[ret.pk])
    Notice.objects.bulk_create([Notice(user=u, text=text[:500], link=link) for u in officials])


@roles_required(BUREAU)
def review_queue(request):
    returns = (
        SchoolReturn.objects.filter(status=ReturnStatus.SUBMITTED)
        .select_related("school", "school__township", "round", "round__school_year", "submitted_by")
        .prefetch_related(Prefetch("school__teaching_points"))
        .order_by("submitted_at")
    )
    return render(request, "schools/review_queue.html", {"returns": returns})
