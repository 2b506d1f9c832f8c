"""The county overview block on the home page of the leadership group and the bureau.

Registered by SupervisionConfig.ready() (not as a side effect of importing the URL configuration, which a worker or a
management command may never do); it goes first, so the county picture is the first thing those readers see.
"""

from django.template.loader import render_to_string

from gongqing.roles import OVERSEERS
from schools import access

from . import pages, selectors


def home_overview_panel(request) -> str:
    if request.user.role not in OVERSEERS:
        return ""
    states = selectors.rounds_with_results()
    state = selectors.pick_state(states, None)
    if state is None:
        return render_to_string("dashboards/_home_panel.html", {"state": None}, request=request)
    schools = access.schools_for(request.user)
    counts = selectors.verdict_counts(round=state.round, schools=schools)
    return render_to_string(
        "dashboards/_home_panel.html",
        {
            "state": state,
            "round": state.round,
            "summary": state.summary or {},
            "counts": [
                (pages.section_label(s), [(pages.verdict_label(st), counts[s].get(st, 0), css) for st, css in STATUSES])
                for s in pages.SECTIONS
                if s in counts
            ],
            "breaches": selectors.class_size_breaches(round=state.round, schools=schools),
        },
        request=request,
    )


STATUSES = (("passed", "met"), ("passed_within_tolerance", "close"), ("failed", "not-met"), ("no_data", "no-data"))


def register() -> None:
    from gongqing.views.home import HOME_PANELS

    if home_overview_panel not in HOME_PANELS:
        HOME_PANELS.insert(0, home_overview_panel)
