from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .backends import UNREAD_AT_LOAD
from .menu import menu_for


def _unread_count(request) -> int:
    """Counted once per request: panels rendered with the request run the context processors again. A user signed
    in by session comes with the count read with it (gongqing.backends); another one (a token's user) is counted."""
    if not hasattr(request, "_unread_notices"):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            request._unread_notices = 0
        elif (count := getattr(user, UNREAD_AT_LOAD, None)) is not None:
            request._unread_notices = count
        else:
            request._unread_notices = user.notices.filter(read_at__isnull=True).count()
    return request._unread_notices


def portal(request):
    return {
        # Lazy: pages that never show the badge (PDFs, partials) run no query for it.
        "unread_notices": SimpleLazyObject(lambda: _unread_count(request)),
        # The main menu: only the pages the user's role may open (gongqing.menu).
        "portal_menu": SimpleLazyObject(lambda: menu_for(getattr(request, "user", None))),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warn_seconds": settings.SESSION_IDLE_WARN_SECONDS,
    }
