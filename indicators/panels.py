"""The indicator panel on a school's page (shown to everyone who may see the school)."""

from django.template.loader import render_to_string

from . import selectors, services
from .labels import SECTION_LABELS, UNIT_LABELS
from .models import EvaluationState, SchoolResult


def school_results_panel(request, school):
    state = (
        EvaluationState.objects.filter(computed_version__gt=0, round__school_results__school=school)
        .select_related("round", "round__school_year")
        .order_by("-round__school_year__year", "-round__as_of")
        .first()
    )
    if state is None:
        return ""
    rnd = state.round
    schools = type(school).objects.filter(pk=school.pk)
    results = list(SchoolResult.objects.filter(round=rnd, school=school).order_by("code"))  # sections and items at once
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
