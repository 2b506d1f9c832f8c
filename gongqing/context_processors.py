from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notices.filter(read_at__isnull=True).count()
    return {
        "unread_notices": unread,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "session_warn_seconds": settings.SESSION_IDLE_WARN_SECONDS,
    }
