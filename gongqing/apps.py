from django.apps import AppConfig


class GongqingConfig(AppConfig):
    name = "gongqing"
    verbose_name = "平台"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import login_guard  # noqa: F401  (connects the login signals)

        post_migrate.connect(_audit_guard_in_place, sender=self, weak=False, dispatch_uid="gongqing-audit-guard")


def _audit_guard_in_place(using="default", **kwargs):
    """A SQLite table rebuild by a later migration drops the audit table's triggers: put them back (idempotent)."""
    from django.db import connections

    from . import auditguard

    auditguard.install(connections[using])
