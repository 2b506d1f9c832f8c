"""What-if pages (bureau only): change schools' figures of a round and see the results change, without storing.

The change list travels in a hidden field and is checked again on every request (it comes from the client);
each button posts one action: add a change, remove one, clear, save the scenario, delete it. No script needed.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongqing.decorators import roles_required
from gongqing.roles import BUREAU
from schools.models import CollectionRound

from .. import access
from ..labels import SECTION_LABELS
from ..models import Scenario
from . import changes as rules
from . import scenarios
from .forms import ChangeForm, ScenarioNameForm, changes_from_post

MAX_COMPARED = 3


def _indicator_names(loaded: scenarios.Loaded) -> dict[str, str]:
    return {code: d.name_zh for code, d in loaded.meta["standard"].indicators.items()}


def _remove_index(action: str) -> int | None:
    _prefix, _sep, index = action.partition(":")
    return int(index) if index.isdigit() else None


def _handle_post(request, loaded, scenario, form, name_form):
    """Run the posted action; returns (run, form, name_form, redirect-or-None)."""
    changes = changes_from_post(request.POST)
    action = request.POST.get("action", "run")
    if action == "add":
        form = ChangeForm(request.POST, schools=loaded.school_choices())
        if form.is_valid():
            attempt = scenarios.run(loaded, [*changes, form.change()])
            if not attempt.errors:
                return attempt, ChangeForm(schools=loaded.school_choices()), name_form, None
            current = scenarios.run(loaded, changes)
            current.errors = attempt.errors
            return current, form, name_form, None
    elif action.startswith("remove:"):
        index = _remove_index(action)
        if index is not None and index < len(changes):
            changes.pop(index)
    elif action == "clear":
        changes = []
    elif action == "delete" and scenario is not None:
        rnd = scenario.round
        scenarios.scenario_delete(scenario=scenario, by=request.user, request=request)
        messages.success(request, _("方案已删除。"))
        return None, form, name_form, redirect("indicators:whatif", pk=rnd.pk)
    elif action == "save":
        name_form = ScenarioNameForm(request.POST)
        r = scenarios.run(loaded, changes)
        if not r.changes:
            r.errors = [*r.errors, _("请先添加至少一条调整，再保存方案。")]
        if name_form.is_valid() and not r.errors:
            saved = scenarios.scenario_save(
                round=loaded.round,
                name=name_form.cleaned_data["name"],
                r=r,
                by=request.user,
                scenario=scenario,
                request=request,
            )
            messages.success(request, _("方案已保存。"))
            return r, form, name_form, redirect("indicators:scenario", pk=saved.pk)
        return r, form, name_form, None
    return scenarios.run(loaded, changes), form, name_form, None


def _page(request, rnd: CollectionRound, scenario: Scenario | None = None):
    loaded = scenarios.load(round=rnd)
    form = ChangeForm(schools=loaded.school_choices())
    name_form = ScenarioNameForm(initial={"name": scenario.name} if scenario else None)
    if request.method == "POST":
        r, form, name_form, response = _handle_post(request, loaded, scenario, form, name_form)
        if response is not None:
            return response
    else:
        r = scenarios.run(loaded, list(scenario.changes) if scenario else [])
    context = {
        "round": rnd,
        "scenario": scenario,
        "scenarios": access.scenarios_for(request.user).filter(round=rnd).select_related("created_by"),
        "form": form,
        "name_form": name_form,
        "run": r,
        "changes_json": json.dumps(r.changes, ensure_ascii=False),
        "lines": list(enumerate(r.lines)),
        "baseline_stored": loaded.baseline_stored,
        "names": _indicator_names(loaded),
        "r_codes": rules.R_CODES,
        "section_labels": SECTION_LABELS,
        "policy_labels": rules.POLICY_LABELS,
    }
    return render(request, "indicators/whatif.html", context)


@roles_required(BUREAU)
def whatif(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    return _page(request, rnd)


@roles_required(BUREAU)
def scenario_detail(request, pk):
    scenario = access.scenario_for_user(user=request.user, pk=pk)
    return _page(request, scenario.round, scenario)


def _ids(request) -> list[int]:
    out: list[int] = []
    for value in request.GET.getlist("ids"):
        out += [int(p) for p in value.split(",") if p.strip().isdigit()]
    return list(dict.fromkeys(out))


def _comparison_table(loaded, columns: list[dict]) -> list[dict]:
    """Rows of the side-by-side table: the baseline first, then each scenario (None where it was refused)."""
    cols = [rules.scenario_column(loaded.baseline)] + [c["data"] for c in columns]
    rows = [
        {"label": _("县域结论"), "kind": "verdict", "cells": [c and c["passed"] for c in cols]},
        {"label": _("暂定"), "kind": "bool", "cells": [c and c["provisional"] for c in cols]},
        {"label": _("影响认定的问题（项）"), "kind": "count", "cells": [c and c["blocking"] for c in cols]},
        {"label": _("未达标的学校学段（个）"), "kind": "count", "cells": [c and c["failed_sections"] for c in cols]},
    ]
    names = _indicator_names(loaded)
    for section, table in loaded.baseline["cvs"].items():
        for code, base in table.items():
            label = f"{SECTION_LABELS.get(section, section)} {code} {names.get(code, '')} {_('差异系数')}"
            cells = [c and c["cvs"].get((section, code)) for c in cols]
            rows.append({"label": label, "kind": "cv", "limit": base["limit"], "cells": cells})
    for key in rules.COST_TOTALS:
        label = str(rules.COST_LABELS[key])
        rows.append({"label": label, "kind": "money", "cells": [c and c["costing"][key] for c in cols]})
    return rows


@require_GET
@roles_required(BUREAU)
def scenario_compare(request, pk):
    rnd = get_object_or_404(CollectionRound.objects.select_related("school_year"), pk=pk)
    available = list(access.scenarios_for(request.user).filter(round=rnd))
    ids = _ids(request)
    by_pk = {s.pk: s for s in available}
    chosen = [by_pk[i] for i in ids if i in by_pk]
    context = {"round": rnd, "available": available, "chosen": chosen, "columns": [], "rows": []}
    if ids and not 2 <= len(chosen) <= MAX_COMPARED:
        context["error"] = _("请选择本批次的2至3个方案进行比较。")
    elif chosen:
        loaded = scenarios.load(round=rnd)
        columns = []
        for s in chosen:
            r = scenarios.run(loaded, list(s.changes))
            columns.append(
                {
                    "scenario": s,
                    "errors": r.errors,
                    "lines": r.lines,
                    "data": rules.scenario_column(r.after) if r.after else None,
                }
            )
        context.update(columns=columns, rows=_comparison_table(loaded, columns), baseline_stored=loaded.baseline_stored)
    return render(request, "indicators/scenario_compare.html", context)
