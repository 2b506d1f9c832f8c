"""The bureau's figures of the plan kept as data: the plan targets' thresholds (T1 land per pupil: the provincial
construction standard's figure; T2 班班通: 100%) and the annual assessment's weights. Each save is audited; both
models keep a history."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from gongqing.saving import record_change

from .forms import ASSESSMENT_METHOD_FIELDS as METHOD_FIELDS
from .models import AssessmentMethod, PlanTarget


def target_save(*, target: PlanTarget, threshold: Decimal | None, by, request=None) -> PlanTarget:
    with transaction.atomic():
        old = {"threshold": str(target.threshold) if target.threshold is not None else ""}
        target.threshold = threshold
        target._history_user = by
        target.save(update_fields=["threshold"])
        new = {"threshold": str(threshold) if threshold is not None else ""}
        record_change(action="supervision.target_save", by=by, request=request, obj=target, old=old, new=new)
    return target


def method_row() -> AssessmentMethod:
    row = AssessmentMethod.objects.order_by("pk").first()
    return row or AssessmentMethod.objects.create(name="实施方案默认方法")


def method_save(*, form, by, request=None) -> AssessmentMethod:
    with transaction.atomic():
        before = AssessmentMethod.objects.get(pk=form.instance.pk)
        old = {name: str(getattr(before, name)) for name in ("name", *METHOD_FIELDS)}
        row = form.save(commit=False)
        row._history_user = by
        row.save()
        new = {name: str(getattr(row, name)) for name in ("name", *METHOD_FIELDS)}
        record_change(action="supervision.assessment_method_save", by=by, request=request, obj=row, old=old, new=new)
    return row
