from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def _unread_count(request) -> int:
    """Counted once per request: panels rendered with the request run the context processors again."""
    if not hasattr(request, "_unread_notices"):
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        request._unread_notices = user.notices.filter(read_at__isnull=True).count() if authenticated else 0
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
