"""The reports block on the home page for the bureau and the leadership group."""

from django.template.loader import render_to_string

from . import access, selectors


def home_panel(request) -> str:
    if not access.can_read(request.user):
        return ""
    latest = selectors.latest_reports(limit=3)
    return render_to_string("reports/_home_panel.html", {"latest": latest}, request=request)
