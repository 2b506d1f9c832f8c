"""`SURVEY_ONLY`: the same code on a public host serves the public questionnaire, static files and /healthz only."""

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, resolve

PUBLIC_ROUTES = frozenset({"public", "public_form", "public_done"})


def is_public_path(path: str) -> bool:
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path == "/healthz":
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace == "survey" and match.url_name in PUBLIC_ROUTES


class SurveyOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SURVEY_ONLY and not is_public_path(request.path_info):
            raise Http404
        return self.get_response(request)
