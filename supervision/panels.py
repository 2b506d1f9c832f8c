"""Supervision's blocks on other apps' pages: the one-school plan on a school page, the user's work on the home page."""

from django.template.loader import render_to_string

from . import access, selectors


def school_plan_panel(request, school) -> str:
    """一校一策: the school's failing indicators, gaps, open items, owners, deadlines and projects — as far as the
    user may see the items."""
    if not access.reads_supervision(request.user):
        return ""
    plan = selectors.school_plan(user=request.user, school=school)
    return render_to_string("supervision/_school_plan.html", {"school": school, **plan}, request=request)


def home_panel(request) -> str:
    if not access.reads_supervision(request.user):
        return ""
    counts = selectors.ledger_counts(user=request.user)
    cycle = selectors.current_cycle()
    view = selectors.cycle_view(cycle) if cycle else None
    return render_to_string("supervision/_home_panel.html", {"counts": counts, "view": view}, request=request)
