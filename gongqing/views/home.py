from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongqing.decorators import roles_required
from gongqing.refusals import get_in_scope
from gongqing.roles import PEOPLE

# Higher apps add role-specific blocks to the home page (e.g. the county overview for leadership).
HOME_PANELS: list = []


def healthz(request):
    """Anonymous liveness and database check for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@roles_required(PEOPLE)
def home(request):
    panels = [html for panel in HOME_PANELS if (html := panel(request))]
    notices = request.user.notices.filter(read_at__isnull=True)[:10]
    return render(request, "home.html", {"notices": notices, "panels": panels})


@roles_required(PEOPLE)
def notice_list(request):
    return render(request, "notices.html", {"notices": request.user.notices.all()[:200]})


@require_POST
@roles_required(PEOPLE)
def notice_read(request, pk):
    notice = get_in_scope(request.user.notices.all(), pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return redirect(notice.link or "notices")
