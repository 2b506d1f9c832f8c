"""The plan's own pages: "实施方案" (the plan as published, with the measures' bodies and the stages as the portal holds
them) and the annual assessment (督导考核, measure 5.3) with its method and its export."""

from __future__ import annotations

from io import BytesIO

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS, PARTICIPANTS
from gongqing.spreadsheets import append_row

from . import access, plan_settings, plan_text, selectors
from . import assessment as annual
from .forms import MethodForm, TargetForm
from .models import BodyRole, PlanTarget
from .plan import MEASURES, PUBLISHED_STAGES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@roles_required(PARTICIPANTS)
def plan(request):
    """Basis documents, guiding idea, goal and the 2022 target, the measures with their bodies (the current cycle's,
    as the bureau keeps them; else the plan's), the stages of the published plan and of the current cycle."""
    cycle = selectors.current_cycle()
    measures = list(selectors.measures(user=request.user, cycle=cycle)) if cycle else []
    rows = [
        {
            "ref": m.ref,
            "title": m.title,
            "lead": [a.body.name for a in m.assignments.all() if a.role == BodyRole.LEAD],
            "cooperating": [
                a.body.name
                for a in selectors.visible_assignments(request.user, m.assignments.all())
                if a.role == BodyRole.COOPERATING
            ],
            "due_date": m.due_date,
        }
        for m in measures
    ]
    context = {
        "text": plan_text,
        "measures": rows,
        "plan_measures": [] if rows else [(ref, title) for ref, title, *_rest in MEASURES],
        "published_stages": PUBLISHED_STAGES,
        "cycle": selectors.cycle_view(cycle) if cycle else None,
        "targets": PlanTarget.objects.all(),
        "can_manage": access.can_manage(request.user),
    }
    return render(request, "supervision/plan.html", context)


def _year(request) -> tuple[int, list[int]]:
    years = selectors.assessment_years()
    today = selectors.today()
    year = request.GET.get("year", "")
    if year.isdigit() and 2000 <= int(year) <= 2100:
        return int(year), years
    return (today.year if today.year in years or not years else years[0]), years


@require_safe
@roles_required(OVERSEERS)
def assessment(request):
    year, years = _year(request)
    today = selectors.today()
    context = {
        "rows": selectors.assessment(year=year, on=today),
        "year": year,
        "years": years,
        "method": annual.method().text(),
        "as_of": annual.assessment_date(year, today),
        "can_manage": access.can_manage(request.user),
    }
    return render(request, "supervision/assessment.html", context)


@require_safe
@roles_required(OVERSEERS)
def assessment_export(request):
    year, _years = _year(request)
    today = selectors.today()
    rows = selectors.assessment(year=year, on=today)
    wb = Workbook()
    ws = wb.active
    ws.title = _("考核结果")
    append_row(ws, [_("%(year)s年度乡镇（街道）和部门履行教育职责督导考核") % {"year": year}])
    append_row(
        ws, [_("考核单位：领导小组办公室（设在市教体局）；状态截至 %(d)s") % {"d": annual.assessment_date(year, today)}]
    )
    append_row(ws, [_("考核方法：") + annual.method().text()])
    append_row(ws, [])
    append_row(ws, [_("名次"), _("责任单位"), _("计分工作（项）"), _("未设时限（项）"), _("得分")])
    for r in rows:
        score = str(r.score) if r.score is not None else _("无考核事项")
        append_row(ws, [r.rank or "—", r.body.name, len(r.scored), len(r.undated), score])
    detail = wb.create_sheet(_("考核明细"))
    append_row(
        detail, [_("责任单位"), _("类别"), _("工作"), _("职责"), _("完成时限"), _("状态"), _("权重"), _("得分率（%）")]
    )
    for r in rows:
        for ln in r.lines:
            append_row(
                detail,
                [
                    r.body.name,
                    _("主要措施") if ln.work.kind == "measure" else _("整改任务"),
                    ln.work.title,
                    str(ln.role_label),
                    ln.work.due_date.isoformat() if ln.work.due_date else _("未设"),
                    str(ln.state_label),
                    str(ln.weight) if ln.weight is not None else "—",
                    str(ln.share) if ln.share is not None else "—",
                ],
            )
    out = BytesIO()
    wb.save(out)
    audit.record(action="supervision.assessment_export", request=request, year=year)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{year}.xlsx"'
    return response


@roles_required(BUREAU)
def target_edit(request, code):
    target = get_object_or_404(PlanTarget, code=code)
    form = TargetForm(request.POST or None, initial={"threshold": target.threshold})
    if request.method == "POST" and form.is_valid():
        plan_settings.target_save(
            target=target, threshold=form.cleaned_data["threshold"], by=request.user, request=request
        )
        messages.success(request, _("%(code)s 的标准已保存，下次同步台账时生效。") % {"code": target.code})
        return redirect("supervision:plan")
    title = _("实施方案目标：%(code)s %(name)s") % {"code": target.code, "name": target.name}
    return render(request, "supervision/form.html", {"form": form, "title": title})


@roles_required(BUREAU)
def method_edit(request):
    form = MethodForm(request.POST or None, instance=plan_settings.method_row())
    if request.method == "POST" and form.is_valid():
        plan_settings.method_save(form=form, by=request.user, request=request)
        messages.success(request, _("督导考核方法已保存。"))
        return redirect("supervision:assessment")
    return render(request, "supervision/form.html", {"form": form, "title": _("督导考核方法")})
