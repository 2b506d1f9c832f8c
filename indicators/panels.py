"""The indicator panel on a school's page (shown to everyone who may see the school)."""

from django.db.models import Subquery
from django.template.loader import render_to_string

from . import selectors, services
from .labels import SECTION_LABELS, UNIT_LABELS
from .models import EvaluationState, SchoolResult

STATE_UNSHOWN = ("result", "dirty_schools", "claim", "lease_until", "sent_at", "resumed_at")


def school_results_panel(request, school):
    # The latest computed round with results for the school, read with those results, the round and its state (the
    # state's result document and recompute bookkeeping left out: the panel shows its flags and summary).
    latest = (
        EvaluationState.objects.filter(computed_version__gt=0, round__school_results__school=school)
        .order_by("-round__school_year__year", "-round__as_of")
        .values("round_id")[:1]
    )
    results = list(  # sections and items at once
        SchoolResult.objects.filter(school=school, round_id=Subquery(latest))
        .select_related("round__school_year", "round__evaluation")
        .defer(*(f"round__evaluation__{name}" for name in STATE_UNSHOWN))
        .order_by("code")
    )
    if not results:
        return ""
    rnd = results[0].round
    state = rnd.evaluation
    schools = type(school).objects.filter(pk=school.pk)
    rows = selectors.section_rows(round=rnd, schools=schools, results=[r for r in results if r.section])
    items = [r for r in results if not r.section]
    return render_to_string(
        "indicators/_school_panel.html",
        {
            "state": state,
            "round": rnd,
            "school_code": school.code,
            "rows": rows,
            "items": items,
            "r_codes": selectors.R_CODES,
            "names": services.indicator_names(school_year=rnd.school_year),
            "section_labels": SECTION_LABELS,
            "unit_labels": UNIT_LABELS,
        },
        request=request,
    )
