"""Who may call which endpoint: the role lists of the pages, plus the token's scopes. Deny by default."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from gongqing.roles import MACHINES

from .auth import has_scope, token_of


class ApiAccess(permissions.BasePermission):
    """The view names its `read_roles` and `write_roles` (an `API_*` group of gongqing.roles); reads need the token
    scope `read`, writes `write_scope`."""

    message = _("您没有执行该操作的权限。")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not hasattr(view, request.method.lower()):
            return True  # no such action: let the view answer 405
        if request.method in permissions.SAFE_METHODS:
            return user.role in getattr(view, "read_roles", ()) and has_scope(request, "read")
        write_roles = getattr(view, "write_roles", ())
        if user.role not in write_roles:
            return False
        scope = getattr(view, "write_scope", None)
        if scope is None or not has_scope(request, scope):
            return False
        # An API client writes only with a token that carries the scope; its password session stays read-only.
        return not (user.role in MACHINES and token_of(request) is None)


class LoggedInOrToken(permissions.BasePermission):
    """The schema and the documentation page: any active account, by session or by token."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)
