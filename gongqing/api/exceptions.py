"""One error shape for the whole API: {"error": {"code", "message", "fields"}}; Chinese messages, English codes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("与当前状态冲突。")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, extra: dict | None = None):
        super().__init__(detail, code)
        self.extra = extra or {}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("请求的前提条件不成立：数据已变化。")
    default_code = "precondition_failed"


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy("请求无法处理。")
    default_code = "unprocessable"


GENERIC_MESSAGES = {
    400: gettext_lazy("提交的数据有误。"),
    401: gettext_lazy("需要登录或提供有效的令牌。"),
    403: gettext_lazy("您没有执行该操作的权限。"),
    404: gettext_lazy("未找到。"),
    405: gettext_lazy("不支持该请求方法。"),
    406: gettext_lazy("无法提供所请求的格式。"),
    415: gettext_lazy("不支持的请求内容类型。"),
    429: gettext_lazy("请求过于频繁，请稍后再试。"),
}


def _code_of(detail, default: str) -> str:
    return getattr(detail, "code", None) or default


def _field_errors(detail) -> dict:
    """DRF's nested error details as {field: [{"code", "message"}]}; nested rows as "classes[2].students"."""
    out: dict[str, list] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                if isinstance(key, int):
                    walk(f"{prefix}[{key}]", sub)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(
                    {"code": _code_of(v, "invalid"), "message": str(v)} for v in value
                )
            else:
                for i, sub in enumerate(value):
                    if sub:
                        walk(f"{prefix}[{i}]", sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(
                {"code": _code_of(value, "invalid"), "message": str(value)}
            )

    walk("", detail)
    return out


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def api_exception_handler(exc, context):
    if isinstance(exc, OverflowError | DataError):
        # A number beyond what the database holds, in a filter or a body: bad input, not a server error.
        exc = exceptions.ValidationError({"non_field_errors": [_("数值超出允许范围。")]}, code="out_of_range")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a logged 500
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    if isinstance(exc, exceptions.ValidationError):
        fields = _field_errors(detail)
        return _with(response, error_body("invalid", str(GENERIC_MESSAGES[400]), fields))
    if isinstance(detail, dict | list):
        fields = _field_errors(detail)
        code = getattr(exc, "default_code", "error")
        message = str(GENERIC_MESSAGES.get(response.status_code, exc.default_detail))
        return _with(response, error_body(code, message, fields))
    code = _code_of(detail, getattr(exc, "default_code", "error"))
    if response.status_code == 401 and code in ("not_authenticated", "authentication_failed"):
        message = str(GENERIC_MESSAGES[401]) if code == "not_authenticated" else str(detail)
    else:
        message = str(detail) if detail else str(GENERIC_MESSAGES.get(response.status_code, _("请求失败。")))
    return _with(response, error_body(code, message, **getattr(exc, "extra", {})))


def _with(response: Response, body: dict) -> Response:
    response.data = body
    return response
