"""Django's database sessions, saved on every request (SESSION_SAVE_EVERY_REQUEST: the idle timeout) in one statement.

Django wraps every save in `transaction.atomic`, which a creation needs (a clashing key is an IntegrityError to roll
back and retry with another key). Refreshing an existing session is one UPDATE of one row, atomic by itself: run
inside a transaction (a test's, a view's), the wrapper only added a SAVEPOINT and its RELEASE around it. Everything
else (the data, the expiry, the key's rotation, a session deleted meanwhile raising UpdateError) is Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import DatabaseError, IntegrityError, router


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        if self.session_key is None or must_create:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        try:
            obj.save(force_update=True, using=router.db_for_write(self.model, instance=obj))
        except IntegrityError:
            raise
        except DatabaseError as exc:
            raise UpdateError from exc
