"""Soft deletion: nothing a user entered disappears.

A model that mixes in SoftDeletable gets `deleted_at` / `deleted_by`; its default manager (`objects`, and so every
related manager, access helper, selector and the indicator loader) hides deleted rows, `all_objects` sees them all.
Deleting and restoring go through `soft_delete` / `soft_restore`: one transaction, a history record (the models keep
django-simple-history) and an audit row. Bureau admins see and restore deleted rows on the recycle-bin page
(gongqing.views.recycle). Rows are never removed from the database by the portal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit

# Sent after commit when a row is soft-deleted or restored: sender=the model, instance=, deleted=True/False. schools
# uses it to have the indicators recomputed when a school or an approved return goes or comes back.
row_deleted_or_restored = Signal()


@dataclass(frozen=True)
class Bin:
    kind: str
    model: type
    title: str
    select_related: tuple[str, ...] = ()


# What the recycle bin shows: each app registers its soft-deletable models in AppConfig.ready() with `register`.
RECYCLE_BIN: list[Bin] = []


def register(kind: str, model, title, select_related: tuple[str, ...] = ()) -> None:
    if all(b.kind != kind for b in RECYCLE_BIN):
        RECYCLE_BIN.append(Bin(kind, model, title, select_related))


def bin_of(kind: str) -> Bin | None:
    return next((b for b in RECYCLE_BIN if b.kind == kind), None)


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """The default manager: deleted rows are not there."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class AllObjectsManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    pass


class SoftDeletable(models.Model):
    """Mixin: declare `objects = AliveManager()` first and `all_objects = AllObjectsManager()` in the model (a model
    with its own queryset builds both from it, see schools.models.School)."""

    deleted_at = models.DateTimeField(gettext_lazy("删除时间"), null=True, blank=True, editable=False, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=gettext_lazy("删除人"),
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class RestoreConflict(Exception):
    """Restoring would clash with a live row (the same code, the same school and round...)."""


def soft_delete(*, obj: SoftDeletable, by, request=None, action: str | None = None, **detail) -> None:
    """Mark the row deleted (kept in the database and its history); audited as `action` (default `<model>.delete`)
    with `detail`."""
    if obj.deleted_at is not None:
        return
    with transaction.atomic():
        obj.deleted_at, obj.deleted_by = timezone.now(), by
        obj._history_user = by
        obj.save(update_fields=["deleted_at", "deleted_by"])
        audit.record(action=action or f"{obj._meta.model_name}.delete", user=by, request=request, obj=obj, **detail)
        _announce(obj, deleted=True)


def soft_restore(*, obj: SoftDeletable, by, request=None) -> None:
    """Bring a deleted row back; refused (RestoreConflict) when a live row has taken its place meanwhile."""
    if obj.deleted_at is None:
        return
    try:
        with transaction.atomic():
            obj.deleted_at, obj.deleted_by = None, None
            obj._history_user = by
            obj.save(update_fields=["deleted_at", "deleted_by"])
            audit.record(action=f"{obj._meta.model_name}.restore", user=by, request=request, obj=obj)
            _announce(obj, deleted=False)
    except IntegrityError:
        obj.refresh_from_db()
        raise RestoreConflict(_("已有同名（同编号）的有效记录，无法恢复“%(obj)s”。") % {"obj": obj}) from None


def _announce(obj, *, deleted: bool) -> None:
    transaction.on_commit(lambda: row_deleted_or_restored.send(sender=type(obj), instance=obj, deleted=deleted))
