"""Pages of the indicator engine: results, gaps and costing, county entries, standards, what-if."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongqing import audit
from gongqing.decorators import roles_required
from gongqing.evidence import check_evidence, evidence_response
from gongqing.roles import ADMINS, BUREAU, RESULT_READERS
from gongqing.uploads import UploadRejected
from schools import access
from schools.forms import SchoolFilter
from schools.models import CollectionRound, SchoolYear

from . import loading, selectors, services, standard_display, standards
from .county_items import COUNTY_ITEM_PARTS
from .domain.standard import standard_from_dict
from .forms import CostSettingsForm, CountyEntryForm, YearSettingsForm
from .labels import RESOURCE_LABELS, SECTION_LABELS, UNIT_LABELS
from .models import CountyEntry, Evidence, Standard, YearSettings
from .standards import DeriveForm


@roles_required(RESULT_READERS)
def results_home(request):
    rnd = None
    if request.GET.get("round", "").isdigit():
        rnd = CollectionRound.objects.filter(pk=request.GET["round"]).first()
    rnd = rnd or selectors.latest_round_with_results()
    rnd = rnd or CollectionRound.objects.order_by("-school_year__year", "-as_of").first()
    if rnd is None:
        return render(request, "indicators/no_results.html")
    return redirect("indicators:round_results", pk=rnd.pk)


def _filtered_schools(request):
    flt = SchoolFilter(request.GET, queryset=access.schools_for(request.user))
    return flt, flt.qs


@roles_required(RESULT_READERS)
def round_results(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    flt, schools = _filtered_schools(request)
    section = request.GET.get("section") or None
    if section not in (None, "primary", "junior"):
        section = None
    state = selectors.evaluation_state(rnd)
    if state is not None:
        state.summary = selectors.summary_document(state)  # the page lists every blocking sentence
    context = {
        "round": rnd,
        "rounds": CollectionRound.objects.select_related("school_year"),
        "state": state,
        "filter": flt,
        "section": section,
        "rows": selectors.section_rows(round=rnd, schools=schools, section=section),
        "cvs": selectors.section_cvs(round=rnd),
        "school_items": selectors.school_item_rows(round=rnd, schools=schools),
        "r_codes": selectors.R_CODES,
        "g_codes": selectors.SCHOOL_G_CODES,
        "query": request.GET.urlencode(),
        "names": services.indicator_names(school_year=rnd.school_year),
    }
    return render(request, "indicators/round_results.html", context)


@roles_required(RESULT_READERS)
def round_gaps(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    flt, schools = _filtered_schools(request)
    state = selectors.evaluation_state(rnd)
    context = {
        "round": rnd,
        "state": state,
        "filter": flt,
        "gaps": selectors.gap_results(round=rnd, schools=schools),
        "costing": services.costing_for_round(round=rnd, schools=schools),
        "cv_plans": (state.result.get("cv_improvements", {}) if state else {}),
        "names": services.indicator_names(school_year=rnd.school_year),
        "school_names": dict(schools.values_list("code", "name")),
        "resource_labels": RESOURCE_LABELS,
        "unit_labels": UNIT_LABELS,
        "section_labels": SECTION_LABELS,
    }
    return render(request, "indicators/round_gaps.html", context)


@require_POST
@roles_required(BUREAU)
def round_recompute(request, pk):
    rnd = get_object_or_404(CollectionRound, pk=pk)
    services.request_recompute(round=rnd)
    audit.record(action="results.recompute", request=request, obj=rnd)
    messages.success(request, _("已安排重新计算，稍后刷新页面查看结果。"))
    return redirect("indicators:round_results", pk=rnd.pk)


@roles_required(RESULT_READERS)
def county_entries(request, year):
    school_year = get_object_or_404(SchoolYear, year=year)
    entries = {e.code: e for e in CountyEntry.objects.filter(school_year=school_year).prefetch_related("evidence")}
    names = services.indicator_names(school_year=school_year)
    rows = [
        {"code": code, "name": names.get(code, ""), "parts": parts, "entry": entries.get(code)}
        for code, parts in COUNTY_ITEM_PARTS.items()
    ]
    return render(
        request,
        "indicators/county_entries.html",
        {"school_year": school_year, "rows": rows, "round": school_year.rounds.order_by("-as_of").first()},
    )


@roles_required(BUREAU)
def county_entry_edit(request, year, code):
    school_year = get_object_or_404(SchoolYear, year=year)
    if code not in COUNTY_ITEM_PARTS:
        raise Http404
    entry = CountyEntry.objects.filter(school_year=school_year, code=code).first()
    initial = {"note": entry.note if entry else ""}
    if entry:
        for key, v in entry.value.items():
            initial[key] = ("true" if v else "false") if isinstance(v, bool) else v
    form = CountyEntryForm(request.POST or None, code=code, initial=initial)
    upload_error = None
    if request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("evidence")
        try:
            checked = [check_evidence(f) for f in files]
        except UploadRejected as exc:
            upload_error = str(exc)
        else:
            entry = services.county_entry_save(
                school_year=school_year,
                code=code,
                value=form.value(),
                note=form.cleaned_data["note"],
                files=list(zip(files, checked, strict=True)),
                by=request.user,
                request=request,
            )
            messages.success(request, _("已保存，评估结果将重新计算。"))
            return redirect("indicators:county_entries", year=year)
    names = services.indicator_names(school_year=school_year)
    return render(
        request,
        "indicators/county_entry_form.html",
        {
            "form": form,
            "code": code,
            "name": names.get(code, ""),
            "school_year": school_year,
            "entry": entry,
            "upload_error": upload_error,
        },
    )


@roles_required(RESULT_READERS)
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("entry"), pk=pk)
    audit.record(action="evidence.download", request=request, obj=evidence)
    return evidence_response(evidence.file, name=evidence.name, content_type=evidence.content_type)


@roles_required(RESULT_READERS)
def standard_list(request):
    return render(
        request,
        "indicators/standard_list.html",
        {
            "standards": Standard.objects.select_related("based_on"),
            "years": YearSettings.objects.select_related("school_year", "standard"),
            "school_years": SchoolYear.objects.all(),
        },
    )


@roles_required(RESULT_READERS)
def standard_detail(request, pk):
    row = get_object_or_404(Standard, pk=pk)
    std = standard_from_dict(row.data)
    context = {
        "row": row,
        "parameters": standard_display.parameters(std),
        "indicators": standard_display.indicator_rows(std),
    }
    return render(request, "indicators/standard_detail.html", context)


@roles_required(ADMINS)
def standard_derive(request, pk):
    base = get_object_or_404(Standard, pk=pk)
    form = DeriveForm(request.POST or None, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            row = standards.standard_derive(base=base, cleaned=form.cleaned_data, by=request.user, request=request)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建本地标准，可在学年评估设置中选用。"))
            return redirect("indicators:standard", pk=row.pk)
    return render(request, "indicators/standard_derive.html", {"form": form, "base": base})


@roles_required(ADMINS)
def year_settings(request, year):
    school_year = get_object_or_404(SchoolYear, year=year)
    instance = YearSettings.objects.filter(school_year=school_year).first() or YearSettings(
        school_year=school_year, standard=loading.national_standard_row()
    )
    form = YearSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.year_settings_save(form=form, by=request.user, request=request)
        messages.success(request, _("已保存，该学年的评估结果将重新计算。"))
        return redirect("indicators:standards")
    return render(request, "indicators/year_settings.html", {"form": form, "school_year": school_year})


@roles_required(ADMINS)
def cost_settings(request):
    form = CostSettingsForm(request.POST or None, initial=services.unit_costs())
    if request.method == "POST" and form.is_valid():
        services.unit_costs_save(costs=form.cleaned_data, by=request.user, request=request)
        messages.success(request, _("单位成本已保存。"))
        return redirect("indicators:cost_settings")
    return render(request, "indicators/cost_settings.html", {"form": form})
