"""Progress and the work workflow of a measure or an item: updates with evidence, done, accepted or sent back."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import audit
from gongqing.evidence import stored_name

from .. import access, rules
from ..models import (
    EvidenceFile,
    ItemKind,
    ProgressUpdate,
    RectificationItem,
)


def _is_item(obj) -> bool:
    return isinstance(obj, RectificationItem)


def _save_work(obj, fields: set[str], *, by) -> None:
    if _is_item(obj):
        state, reason = rules.derive_state(
            indicator=obj.indicator_status, work=obj.work_status, manual=obj.kind == ItemKind.MANUAL
        )
        if (state, reason) != (obj.state, obj.closed_reason):
            obj.state, obj.closed_reason = state, reason
            fields |= {"state", "closed_reason"}
    obj._history_user = by
    obj.save(update_fields=sorted(fields))


def progress_post(*, obj, by, text: str, percent: int, files=(), request=None) -> ProgressUpdate:
    """Post an update on a measure or an item; `files` are (upload, CheckedUpload) pairs already through
    gongqing.evidence.check_evidence. Starts the work if it had not started."""
    if not access.can_post_update(by, obj):
        raise rules.WorkflowError(_("您不能报送该事项的进展。"))
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            item=obj if _is_item(obj) else None,
            measure=None if _is_item(obj) else obj,
            body=access.acting_body(by, obj),
            author=by,
            text=text,
            percent=percent,
        )
        for upload, checked in files:
            evidence = EvidenceFile(
                update=update, name=checked.name[:200], content_type=checked.content_type, size=checked.size
            )
            upload.seek(0)
            evidence.file.save(stored_name(checked), upload, save=False)
            evidence.save()
            audit.record(
                action="supervision.evidence_upload", user=by, request=request, obj=evidence, size=checked.size
            )
        obj.work_status = rules.after_update(obj.work_status)
        obj.percent = percent
        _save_work(obj, {"work_status", "percent"}, by=by)
        audit.record(action="supervision.progress", user=by, request=request, obj=obj, percent=percent)
    return update


def work_done(*, obj, by, request=None) -> None:
    if not access.can_mark_done(by, obj):
        raise rules.WorkflowError(_("只有牵头单位可以报完成。"))
    with transaction.atomic():
        obj.work_status = rules.after_done(obj.work_status)
        obj.done_at = timezone.now()
        obj.percent = 100
        _save_work(obj, {"work_status", "done_at", "percent"}, by=by)
        audit.record(action="supervision.done", user=by, request=request, obj=obj)


def work_review(*, obj, by, accept: bool, comment: str = "", request=None) -> None:
    if not access.can_review(by, obj):
        raise rules.WorkflowError(_("只有教体局可以验收待验收的事项。"))
    if not accept and not comment.strip():
        raise rules.WorkflowError(_("退回时请填写意见。"))
    with transaction.atomic():
        obj.work_status = rules.after_review(obj.work_status, accept=accept)
        obj.review_comment = comment
        fields = {"work_status", "review_comment"}
        if accept:
            obj.accepted_at = timezone.now()
            fields.add("accepted_at")
        _save_work(obj, fields, by=by)
        audit.record(
            action="supervision.accept" if accept else "supervision.send_back",
            user=by,
            request=request,
            obj=obj,
            comment=comment,
        )
