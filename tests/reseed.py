"""Put back the rows the migrations seeded, after a transactional test's flush removed them.

pytest-django empties every table when a transactional test (browser journeys, real-worker tests) ends. The rows
that migrations seed — routing rules, the plan targets, the national standard, the data-quality rules — go with
them, and every later test in that worker (or, in the integration pass, the one shared database) would run against
a portal without its routing or its rules: a test's outcome would depend on the order the tests ran in.

`snapshot()` serialises the project's own tables right after the test database is migrated (nothing but seeded
rows are there then); `restore()` puts them back into the tables that are empty. Django's own `serialized_rollback`
does the same at the next transactional test's start, which is too late for the ordinary tests in between, and
it covers contenttypes and permissions, which a flush's post_migrate already re-creates (with new ids).
"""

from __future__ import annotations

from django.apps import apps
from django.core import serializers
from django.db import transaction

OWN_PREFIXES = ("gongqing", "schools", "indicators", "supervision")


def _own_models() -> list:
    own = [c for c in apps.get_app_configs() if c.name.startswith(OWN_PREFIXES)]
    ordered = serializers.sort_dependencies([(c, None) for c in own], allow_cycles=True)
    return [m for m in ordered if m._meta.managed and not m._meta.proxy]


def snapshot() -> dict:
    """{model label: serialised rows} of each own table that has rows."""
    return {
        m._meta.label: serializers.serialize("json", m._base_manager.order_by("pk"))
        for m in _own_models()
        if m._base_manager.exists()
    }


def restore(seeded: dict) -> None:
    """Insert the seeded rows back into each of those tables that is empty now."""
    if not seeded:
        return
    with transaction.atomic():
        for model in _own_models():
            rows = seeded.get(model._meta.label)
            if rows and not model._base_manager.exists():
                for obj in serializers.deserialize("json", rows):
                    obj.save()
