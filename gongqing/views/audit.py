from django.core.paginator import Paginator
from django.shortcuts import render

from gongqing.decorators import roles_required
from gongqing.models import AuditEvent
from gongqing.roles import Role


@roles_required(Role.AUDITOR, Role.BUREAU_ADMIN)
def audit_log(request):
    events = AuditEvent.objects.all()
    q = request.GET.get("q", "").strip()
    if q:
        events = events.filter(username__icontains=q) | events.filter(action__icontains=q)
    page = Paginator(events.order_by("-at"), 100).get_page(request.GET.get("page"))
    return render(request, "audit_log.html", {"page": page, "q": q})
