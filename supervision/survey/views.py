"""Survey pages: the public questionnaire (no login) and the bureau's pages (tallies, paper entry, import/export).

The public views take no user and store nothing about the request: the device cookie is the only state, and the
audit log is not written for answers (it would record an address).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongqing import audit, json_input
from gongqing.decorators import roles_required
from gongqing.roles import BUREAU, OVERSEERS

from . import exchange, limits, selectors, services
from .forms import ImportForm, ItemsForm, PaperTallyForm, ResponseForm, SurveyCreateForm, SurveyForm
from .models import PaperTally, Survey
from .qr import qr_svg


def public_url(request, survey: Survey) -> str:
    path = reverse("survey:public", args=[survey.token])
    base = survey.public_base_url.rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


# --- public -------------------------------------------------------------------------------------------------------


def _public_survey(token: str) -> Survey:
    return get_object_or_404(Survey.objects.select_related("school_year"), token=token)


def _public(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, f"survey/{template}", context, status=status)
    limits.ensure_device_cookie(request, response)
    response["Cache-Control"] = "no-store"
    return response


def _public_groups(survey: Survey) -> list[tuple[str, str]]:
    scoring = selectors.scoring_for_year(survey.school_year.year)
    with_items = set(survey.questions.values_list("group", flat=True))
    return [(key, name) for key, name in selectors.survey_groups(scoring) if key in with_items]


@require_GET
def public(request, token):
    survey = _public_survey(token)
    context = {
        "survey": survey,
        "groups": _public_groups(survey),
        "open": survey.is_open_on(timezone.localdate()),
        "answered": services.device_has_answered(survey=survey, device_token=limits.device_token(request)),
    }
    return _public(request, "public.html", context)


@require_http_methods(["GET", "POST"])
def public_form(request, token, group):
    survey = _public_survey(token)
    groups = dict(_public_groups(survey))
    if group not in groups:
        raise Http404
    scoring = selectors.scoring_for_year(survey.school_year.year)
    levels = [(lv, scoring.level_names_zh.get(lv, lv)) for lv in scoring.levels]
    questions = list(survey.questions.filter(group=group).order_by("position"))
    context = {"survey": survey, "group": group, "group_name": groups[group]}
    today = timezone.localdate()
    device = limits.device_token(request)
    if not survey.is_open_on(today):
        return _public(request, "public_closed.html", context, status=403 if request.method == "POST" else 200)
    if services.device_has_answered(survey=survey, device_token=device):
        context["message"] = _("本设备已提交过这份问卷，感谢您的参与。")
        return _public(request, "public_done.html", context, status=409 if request.method == "POST" else 200)
    form = ResponseForm(request.POST or None, questions=questions, levels=levels)
    if request.method == "POST":
        if device is None:
            context["message"] = _("请允许浏览器保存Cookie（用于保证每台设备只提交一次），然后重新提交。")
            return _public(request, "public_form.html", {**context, "form": form}, status=400)
        if not limits.allow_submission(survey_token=survey.token, device=device):
            context["message"] = _("提交过于频繁，请稍后再试。")
            return _public(request, "public_form.html", {**context, "form": form}, status=429)
        if form.is_valid():
            try:
                services.response_submit(
                    survey=survey, group=group, answers=form.answers(), device_token=device, today=today
                )
            except services.AlreadyAnswered as exc:
                context["message"] = exc.message
                return _public(request, "public_done.html", context, status=409)
            except services.SurveyError as exc:
                context["message"] = exc.message
                return _public(request, "public_form.html", {**context, "form": form}, status=400)
            return redirect("survey:public_done", token=survey.token)
    return _public(request, "public_form.html", {**context, "form": form})


@require_GET
def public_done(request, token):
    survey = _public_survey(token)
    return _public(request, "public_done.html", {"survey": survey, "message": _("提交成功，感谢您的参与！")})


# --- bureau and leadership -----------------------------------------------------------------------------------------


@require_GET
@roles_required(OVERSEERS)
def survey_list(request):
    surveys = Survey.objects.select_related("school_year").order_by("-school_year__year")
    return render(request, "survey/survey_list.html", {"surveys": surveys, "today": timezone.localdate()})


def _changed(request, form, change, done: str, *, survey=None):
    """Run `change` (a service call; it returns the survey when `survey` is not given): a SurveyError goes onto the
    form (None: the form is shown again), else `done` is flashed and the survey's page follows."""
    try:
        result = change()
    except services.SurveyError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, done)
    return redirect("survey:detail", pk=(survey or result).pk)


@require_http_methods(["GET", "POST"])
@roles_required(BUREAU)
def survey_create(request):
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ("school_year", "title", "intro", "opens_on", "closes_on", "public_base_url")
        done = _changed(
            request,
            form,
            lambda: services.survey_create(**{f: data[f] for f in fields}, by=request.user, request=request),
            _("已创建满意度调查，可在下方修改各群体的题目。"),
        )
        if done is not None:
            return done
    return render(request, "survey/survey_form.html", {"form": form, "creating": True})


@require_GET
@roles_required(OVERSEERS)
def survey_detail(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    context = {
        "survey": survey,
        "tally": selectors.survey_tally(survey),
        "public_url": public_url(request, survey),
        "paper": selectors.paper_tallies(survey),
        "open": survey.is_open_on(timezone.localdate()),
        "can_manage": request.user.role in BUREAU,
    }
    return render(request, "survey/survey_detail.html", context)


@require_http_methods(["GET", "POST"])
@roles_required(BUREAU)
def survey_edit(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    scoring = selectors.scoring_for_year(survey.school_year.year)
    groups = selectors.survey_groups(scoring)
    locked = {g for g, _name in groups if services.group_has_answers(survey, g)}
    items = selectors.items_by_group(survey)
    form = SurveyForm(request.POST or None, instance=survey)
    items_form = ItemsForm(request.POST or None, groups=groups, items=items, locked=locked)
    if request.method == "POST" and form.is_valid() and items_form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SurveyForm.Meta.fields}
        survey.refresh_from_db()
        done = _changed(
            request,
            form,
            lambda: services.survey_update(
                survey=survey, fields=fields, items=items_form.items(), by=request.user, request=request
            ),
            _("已保存。"),
            survey=survey,
        )
        if done is not None:
            return done
    context = {"form": form, "items_form": items_form, "survey": survey, "creating": False}
    return render(request, "survey/survey_form.html", context)


@require_POST
@roles_required(BUREAU)
def survey_close(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    closed = request.POST.get("closed", "1") == "1"
    services.survey_set_closed(survey=survey, closed=closed, by=request.user, request=request)
    messages.success(request, _("问卷已结束，S1 将按当前答卷重新计算。") if closed else _("问卷已重新开放。"))
    return redirect("survey:detail", pk=survey.pk)


@require_POST
@roles_required(BUREAU)
def survey_refresh(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    services.s1_refresh(survey=survey, by=request.user, request=request)
    messages.success(request, _("已安排按当前答卷重新计算 S1。"))
    return redirect("survey:detail", pk=survey.pk)


@require_GET
@roles_required(OVERSEERS)
def survey_qr(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    response = HttpResponse(qr_svg(public_url(request, survey)), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.school_year.year}-qr.svg"'
    return response


@require_GET
@roles_required(BUREAU)
def survey_export(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    try:
        body = exchange.export_bytes(survey, by=request.user, request=request)
    except exchange.ExportRefused as exc:
        messages.error(request, exc.message)
        return redirect("survey:detail", pk=survey.pk)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.school_year.year}.json"'
    return response


@require_http_methods(["GET", "POST"])
@roles_required(BUREAU)
def survey_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > exchange.MAX_FILE_BYTES:
                raise exchange.ExportRefused(json_input.too_large(upload.size, exchange.MAX_FILE_BYTES).message)
            result = exchange.import_export(upload.read(), by=request.user, request=request)
        except exchange.ExportRefused as exc:
            form.add_error("file", exc.message)
            audit.record(
                action="survey.import", user=request.user, request=request, result="refused", reason=exc.message
            )
        else:
            messages.success(
                request,
                _("导入完成：新增答卷%(added)s份，已存在%(present)s份（未重复导入）。")
                % {"added": result.added, "present": result.present},
            )
            return redirect("survey:detail", pk=result.survey.pk)
    status = 400 if form.errors else 200
    return render(request, "survey/survey_import.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@roles_required(BUREAU)
def paper_add(request, pk, group):
    survey = get_object_or_404(Survey.objects.select_related("school_year"), pk=pk)
    scoring = selectors.scoring_for_year(survey.school_year.year)
    names = dict(selectors.survey_groups(scoring))
    questions = list(survey.questions.filter(group=group).order_by("position"))
    if group not in names or not questions:
        raise Http404
    levels = [(lv, scoring.level_names_zh.get(lv, lv)) for lv in scoring.levels]
    form = PaperTallyForm(request.POST or None, questions=questions, levels=levels)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _changed(
            request,
            form,
            lambda: services.paper_tally_add(
                survey=survey,
                group=group,
                label=data["label"],
                forms=data["valid_forms"],
                counts=form.counts(),
                by=request.user,
                request=request,
            ),
            _("已录入纸质问卷汇总。"),
            survey=survey,
        )
        if done is not None:
            return done
    context = {"survey": survey, "group": group, "group_name": names[group], "form": form, "levels": levels}
    return render(request, "survey/paper_form.html", context)


@require_POST
@roles_required(BUREAU)
def paper_delete(request, pk, tally_pk):
    tally = get_object_or_404(PaperTally.objects.select_related("survey__school_year"), pk=tally_pk, survey_id=pk)
    services.paper_tally_delete(tally=tally, by=request.user, request=request)
    messages.success(request, _("已删除该批纸质问卷汇总。"))
    return redirect("survey:detail", pk=pk)
