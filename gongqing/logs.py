"""Logging helpers referenced by settings.LOGGING."""

from __future__ import annotations

import logging


class ClientErrorsQuiet(logging.Filter):
    """On `django.request`: a 4xx answer (a refused page, a hidden object, a bad request) is expected, so it is one line
    naming who asked, without the traceback Django attaches to a PermissionDenied. 5xx records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or not 400 <= status < 500 or getattr(record, "client_error_quiet", False):
            return True
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        name = _username(getattr(record, "request", None))
        if name:
            record.msg = f"{record.getMessage()} (user {name})"
            record.args = ()
        record.client_error_quiet = True
        return True


def _username(request) -> str:
    """The logged-in user's name, or "" (never raises: a log line must not fail because the session cannot load)."""
    try:
        user = getattr(request, "user", None)
        return user.username if user is not None and user.is_authenticated else ""
    except Exception:  # noqa: BLE001
        return ""
