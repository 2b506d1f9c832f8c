"""The server-error page: 503 with a clear message when the database cannot be reached, else the plain 500.

While PostgreSQL restarts (or SQLite waits past its busy timeout) every request that touches the database fails with
OperationalError or InterfaceError. That is not a bug of the page: the answer is 503 "稍后重试" with Retry-After, JSON
for the API. Nothing here touches the database, the session or the user (they are what failed).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 15


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def handler500(request):
    exc = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if database_unavailable(exc):
        message = _("数据库暂时无法连接（可能正在重启或维护），您的操作未完成。请稍后重试；已保存的数据不受影响。")
        if api:
            body = {"error": {"code": "service_unavailable", "message": message, "fields": {}}}
            response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        body = {"error": {"code": "server_error", "message": _("服务器出现错误，错误已记录。"), "fields": {}}}
        return JsonResponse(body, status=500, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(loader.render_to_string("500.html"), status=500)
