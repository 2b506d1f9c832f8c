"""Django's database sessions, saved on every request (SESSION_SAVE_EVERY_REQUEST: the idle timeout) in one statement.

Django wraps every save in `transaction.atomic`, which a creation needs (a clashing key is an IntegrityError to roll
back and retry with another key). Refreshing an existing session is one UPDATE of one row, atomic by itself: run
inside a transaction (a test's, a view's), the wrapper only added a SAVEPOINT and its RELEASE around it. The refresh is
a queryset update, so a session deleted meanwhile (logged out elsewhere) updates no row and raises UpdateError as in
Django without marking a surrounding transaction for rollback. Everything else (creation, the data, the expiry, the
key's rotation, loading, deleting) is Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        if self.session_key is None or must_create:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        updated = (
            self.model._default_manager.using(router.db_for_write(self.model, instance=obj))
            .filter(session_key=obj.session_key)
            .update(session_data=obj.session_data, expire_date=obj.expire_date)
        )
        if not updated:
            raise UpdateError
