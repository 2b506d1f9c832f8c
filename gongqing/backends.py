"""The signed-in user, read once a request with what every page asks of it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from . import memberships
from .models import Notice

# The annotation `get_user` puts on the user: the unread notices when the request began (context_processors).
UNREAD_AT_LOAD = "unread_notices_at_load"


class UserBackend(ModelBackend):
    """Django's model backend: the same password check, `is_active` rule and permissions. `get_user`, run by the
    session's authentication on every request, also reads the user's memberships (township, body: the scope every
    access helper asks for) and the count of unread notices (the menu's badge) in the same query."""

    def get_user(self, user_id):
        unread = (
            Notice.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        users = (
            get_user_model()
            ._default_manager.select_related(*memberships.related_paths())
            .annotate(**{UNREAD_AT_LOAD: Coalesce(Subquery(unread, output_field=IntegerField()), 0)})
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
