"""Explicit role checks for views: every view states who may use it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def roles_required(*groups: Role | frozenset[Role]):
    """Let in the roles of the named groups (`gongqing.roles`) or single roles; deny everybody else (403)."""
    allowed = frozenset().union(*(g if isinstance(g, frozenset) else {g} for g in groups))

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator
