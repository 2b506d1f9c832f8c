"""Explicit role checks for views: every view states who may use it."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import Role


def roles_required(*roles: str):
    allowed = frozenset(roles)

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


ALL_PORTAL_ROLES = tuple(r for r in Role if r != Role.API_CLIENT)
SCHOOL_READERS = (
    Role.BUREAU_ADMIN,
    Role.BUREAU_STAFF,
    Role.TOWNSHIP_OFFICIAL,
    Role.DEPARTMENT_OFFICER,
    Role.LEADERSHIP,
)
BUREAU = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF)
DATA_ENTRY = (Role.BUREAU_ADMIN, Role.BUREAU_STAFF, Role.TOWNSHIP_OFFICIAL)
