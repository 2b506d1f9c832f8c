"""Pages of the bureau's records: the routing table, projects, external reviews and their findings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS, PARTICIPANTS

from . import access, selectors, services
from . import routing as routing_selectors
from .forms import FindingForm, ProjectForm, ReassignForm, ReviewRecordForm, RoutingForm
from .models import Finding, Project, RectificationItem, Review, RoutingRule

CODE_CHARS = frozenset("RGQSTV0123456789")


@require_safe
@roles_required(BUREAU)
def routing(request):
    return render(request, "supervision/routing.html", {"rows": routing_selectors.routing_rows()})


@roles_required(BUREAU)
def routing_edit(request, code):
    if not code or len(code) > 8 or not set(code) <= CODE_CHARS:
        raise Http404
    rule = RoutingRule.objects.filter(code=code).first()
    bodies = list(rule.bodies) if rule else []
    initial = {"lead": bodies[0] if bodies else "education", "cooperating": bodies[1:]}
    form = RoutingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.routing_save(code=code, bodies=form.bodies(), by=request.user, request=request)
        messages.success(request, _("%(code)s 的责任分工已保存，下次同步台账时用于新增的整改任务。") % {"code": code})
        return redirect("supervision:routing")
    return render(
        request, "supervision/form.html", {"form": form, "title": _("指标责任分工：%(code)s") % {"code": code}}
    )


@roles_required(BUREAU)
def item_reassign(request, pk):
    item = access.item_for_user(user=request.user, pk=pk)
    if access.is_read_only(item):
        raise Http404
    current = list(item.assignments.all())
    initial = {
        "lead": next((a.body_id for a in current if a.role == "lead"), None),
        "cooperating": [a.body_id for a in current if a.role == "cooperating"],
    }
    form = ReassignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        routing_selectors.item_reassign(
            item=item,
            lead=d["lead"],
            cooperating=d["cooperating"],
            reason=d["reason"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("责任单位已调整。"))
        return redirect("supervision:item", pk=item.pk)
    return render(request, "supervision/form.html", {"form": form, "title": _("调整责任单位"), "obj": item})


@require_safe
@roles_required(PARTICIPANTS)
def project_list(request):
    projects = (
        access.projects_for(request.user)
        .select_related("school")
        .prefetch_related(Prefetch("items", queryset=access.items_for(request.user).select_related("school")))
        .order_by("planned_completion", "pk")
    )
    can_manage = access.can_manage(request.user)
    source = selectors.source_round() if can_manage else None
    rows = list(projects)
    for project in rows:
        changes = selectors.project_whatif_changes(project) if source else []
        project.whatif_changes = json.dumps(changes, ensure_ascii=False) if changes else ""
    return render(
        request,
        "supervision/projects.html",
        {"projects": rows, "can_manage": can_manage, "whatif_round": source},
    )


@roles_required(BUREAU)
def project_edit(request, pk=None):
    project = get_object_or_404(Project, pk=pk) if pk else None
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_save(form=form, by=request.user, request=request)
        messages.success(request, _("建设项目已保存。"))
        return redirect("supervision:projects")
    return render(request, "supervision/form.html", {"form": form, "title": _("建设项目"), "obj": project})


@require_safe
@roles_required(OVERSEERS)
def review_list(request):
    reviews = Review.objects.prefetch_related(
        Prefetch(
            "findings",
            queryset=Finding.objects.prefetch_related(
                Prefetch("items", queryset=RectificationItem.objects.select_related("school"))
            ),
        )
    )
    return render(
        request, "supervision/reviews.html", {"reviews": reviews, "can_manage": access.can_manage(request.user)}
    )


@roles_required(BUREAU)
def review_create(request):
    form = ReviewRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.review_save(form=form, by=request.user, request=request)
        messages.success(request, _("外部评估已登记，请逐条录入反馈问题。"))
        return redirect("supervision:reviews")
    return render(request, "supervision/form.html", {"form": form, "title": _("登记外部评估")})


@roles_required(BUREAU)
def finding_edit(request, review_pk, pk=None):
    review = get_object_or_404(Review, pk=review_pk)
    finding = get_object_or_404(Finding, pk=pk, review=review) if pk else None
    form = FindingForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        services.finding_save(form=form, review=review, by=request.user, request=request)
        messages.success(request, _("反馈问题及整改回应已保存。"))
        return redirect("supervision:reviews")
    return render(request, "supervision/form.html", {"form": form, "title": review.title, "obj": finding})
