"""Writes of school data: starting, saving and moving returns through the workflow.

Every write is one transaction, leaves a history record (django-simple-history) and an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from gongqing import audit
from gongqing.audit_changes import value_text
from gongqing.saving import form_save

from . import signals
from .models import (
    FIGURE_FIELDS,
    CollectionRound,
    ReturnClass,
    ReturnRoom,
    ReturnStatus,
    School,
    SchoolReturn,
)
from .quality.findings import findings_for_draft
from .selectors import last_approved_return, return_class_rows, return_figures, return_room_rows
from .validation import ClassRow, Problem, RoomRow, validate_return


class ReturnInvalid(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class ReturnConflict(Exception):
    """Someone else saved the return since this user loaded it."""

    def __init__(self, current: SchoolReturn):
        super().__init__(_("该填报已被他人修改。"))
        self.current = current


class WorkflowError(Exception):
    pass


def return_start(*, school: School, round: CollectionRound, by, request=None) -> SchoolReturn:
    """The school's return for the round, created as a draft pre-filled from its last approved figures."""
    existing = SchoolReturn.objects.filter(school=school, round=round).first()
    if existing:
        return existing
    with transaction.atomic():
        previous = last_approved_return(school=school, before_round=round)
        ret = SchoolReturn(school=school, round=round)
        if previous:
            for field in FIGURE_FIELDS:
                setattr(ret, field, getattr(previous, field))
        ret._history_user = by
        ret.save()
        if previous:
            _replace_rows(ret, return_class_rows(previous), return_room_rows(previous), by)
        audit.record(action="return.start", user=by, request=request, obj=ret, prefilled_from=previous and previous.pk)
    return ret


def return_save(
    *,
    school_return: SchoolReturn,
    figures: dict,
    classes: list[ClassRow],
    rooms: list[RoomRow],
    expected_version: int,
    by,
    request=None,
    quality_context=None,
) -> list[Problem]:
    """Save a draft. Raises ReturnInvalid (nothing saved) or ReturnConflict (stale version). Returns the data-quality
    warnings (`quality_context`: one schools.quality Context shared by the saves of one import)."""
    if not school_return.is_editable:
        raise WorkflowError(_("该填报已提交或已审核，不能修改。"))
    problems = validate_return(kind=school_return.school.kind, figures=figures, classes=classes, rooms=rooms)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ReturnInvalid(errors)
    problems = _quality_problems(school_return, figures, classes, rooms, quality_context)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ReturnInvalid(errors)
    with transaction.atomic():
        _claim_version(school_return, expected_version)
        # From the row, not the instance: a ModelForm bound to the instance has already copied the new values onto it.
        before = return_figures(SchoolReturn.objects.get(pk=school_return.pk))
        for field in FIGURE_FIELDS:
            setattr(school_return, field, figures.get(field))
        if school_return.status == ReturnStatus.RETURNED:
            school_return.status = ReturnStatus.DRAFT
        school_return.version = expected_version + 1
        school_return._history_user = by
        school_return.save()
        rows_changed = _replace_rows(school_return, classes, rooms, by)
        changed = [f for f in FIGURE_FIELDS if before[f] != figures.get(f)]
        audit.record(
            action="return.save",
            user=by,
            request=request,
            obj=school_return,
            fields=changed,
            changes={f: [value_text(before[f]), value_text(figures.get(f))] for f in changed},
            rows_changed=rows_changed,
        )
    return [p for p in problems if not p.is_error]


def _quality_problems(school_return, figures, classes, rooms, context=None) -> list[Problem]:
    """The data-quality findings as validation problems: a rule of importance "error" blocks like any error."""
    found = findings_for_draft(
        school_return=school_return, figures=figures, classes=classes, rooms=rooms, context=context
    )
    return [Problem(f.field, f.message, level=f.importance) for f in found]


def _claim_version(school_return: SchoolReturn, expected_version: int) -> None:
    """Conditional UPDATE: only the holder of the current version may write; the loser is told."""
    claimed = SchoolReturn.objects.filter(pk=school_return.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise ReturnConflict(SchoolReturn.objects.get(pk=school_return.pk))


def _replace_rows(school_return: SchoolReturn, classes: list[ClassRow], rooms: list[RoomRow], by) -> bool:
    """Bring the class list and rooms to the given rows, touching only rows that differ (so history stays readable)."""
    changed = False
    existing = {(c.section, c.name.strip()): c for c in school_return.classes.all()}
    wanted = {(c.section, c.name.strip()): c for c in classes}
    for key, row in existing.items():
        if key not in wanted:
            row._history_user = by
            row.delete()
            changed = True
    # New and changed classes in bulk, each still with its history record (by `by`): an import of thousands of
    # classes is a few statements instead of two per class. Removed classes stay one by one (rare; "-" records).
    to_create, to_update = [], []
    for key, new in wanted.items():
        old = existing.get(key)
        if old is None:
            to_create.append(
                ReturnClass(
                    school_return=school_return,
                    section=new.section,
                    grade=new.grade,
                    name=new.name.strip(),
                    students=new.students,
                )
            )
        elif (old.grade, old.students) != (new.grade, new.students):
            old.grade, old.students = new.grade, new.students
            to_update.append(old)
    if to_create:
        bulk_create_with_history(to_create, ReturnClass, batch_size=500, default_user=by)
        changed = True
    if to_update:
        bulk_update_with_history(to_update, ReturnClass, ["grade", "students"], batch_size=500, default_user=by)
        changed = True
    for kind in ("music", "art"):
        old_rooms = [r for r in school_return.rooms.all() if r.room == kind]
        new_rooms = [r for r in rooms if r.room == kind]
        for i in range(max(len(old_rooms), len(new_rooms))):
            old = old_rooms[i] if i < len(old_rooms) else None
            new = new_rooms[i] if i < len(new_rooms) else None
            if old is not None and new is None:
                old._history_user = by
                old.delete()
                changed = True
            elif old is None:
                obj = ReturnRoom(school_return=school_return, room=kind, area_m2=new.area_m2)
                obj._history_user = by
                obj.save()
                changed = True
            elif old.area_m2 != new.area_m2:
                old.area_m2 = new.area_m2
                old._history_user = by
                old.save(update_fields=["area_m2"])
                changed = True
    return changed


def _transition(school_return: SchoolReturn, *, expected_version: int | None, by, **fields) -> None:
    with transaction.atomic():
        if expected_version is not None:
            _claim_version(school_return, expected_version)
            school_return.version = expected_version + 1
        else:
            SchoolReturn.objects.filter(pk=school_return.pk).update(version=F("version") + 1)
            school_return.version += 1
        for name, value in fields.items():
            setattr(school_return, name, value)
        school_return._history_user = by
        school_return.save(update_fields=[*fields, "version", "updated_at"])


def return_submit(*, school_return: SchoolReturn, by, expected_version: int | None = None, request=None) -> None:
    if not school_return.is_editable:
        raise WorkflowError(_("只有草稿或已退回的填报可以提交。"))
    figures, classes, rooms = (
        return_figures(school_return),
        return_class_rows(school_return),
        return_room_rows(school_return),
    )
    problems = validate_return(
        kind=school_return.school.kind, figures=figures, classes=classes, rooms=rooms, for_submit=True
    )
    if not [p for p in problems if p.is_error]:
        problems += _quality_problems(school_return, figures, classes, rooms)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise ReturnInvalid(errors)
    with transaction.atomic():
        _transition(
            school_return,
            expected_version=expected_version,
            by=by,
            status=ReturnStatus.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=by,
        )
        audit.record(action="return.submit", user=by, request=request, obj=school_return)


@dataclass(frozen=True)
class _ReviewStep:
    """A reviewer's step on a return: the status it starts from (else `refusal`), its audit action, the text it
    requires (the audit detail's key and the refusal when empty) and the signal announcing new approved figures."""

    action: str
    start: str
    refusal: str
    text: tuple[str, str] | None = None
    announce: object = None


APPROVE = _ReviewStep(
    action="return.approve",
    start=ReturnStatus.SUBMITTED,
    refusal=gettext_lazy("只有已提交的填报可以审核通过。"),
    announce=signals.return_approved,
)
SEND_BACK = _ReviewStep(
    action="return.send_back",
    start=ReturnStatus.SUBMITTED,
    refusal=gettext_lazy("只有已提交的填报可以退回。"),
    text=("comment", gettext_lazy("退回时请填写退回意见。")),
)
REOPEN = _ReviewStep(
    action="return.reopen",
    start=ReturnStatus.APPROVED,
    refusal=gettext_lazy("只有已审核的填报可以重新打开。"),
    text=("reason", gettext_lazy("重新打开时请填写原因。")),
    announce=signals.return_reopened,
)


def _review(step: _ReviewStep, school_return: SchoolReturn, *, by, request, text: str = "", **fields) -> None:
    """Check and take `step`: the new status and its fields (with the required text as the review comment), the
    audit row and, for a change to the approved figures, the signal after commit; all or nothing."""
    if school_return.status != step.start:
        raise WorkflowError(str(step.refusal))
    detail = {}
    if step.text is not None:
        key, refusal = step.text
        if not text.strip():
            raise ReturnInvalid([Problem("review_comment", str(refusal))])
        detail = {key: text.strip()}
        fields["review_comment"] = text.strip()
    with transaction.atomic():
        _transition(school_return, expected_version=None, by=by, **fields)
        audit.record(action=step.action, user=by, request=request, obj=school_return, **detail)
        if step.announce is not None:
            _announce(step.announce, school_return)


def return_approve(*, school_return: SchoolReturn, by, request=None) -> None:
    fields = {"approved_at": timezone.now(), "approved_by": by, "review_comment": ""}
    _review(APPROVE, school_return, by=by, request=request, status=ReturnStatus.APPROVED, **fields)


def return_send_back(*, school_return: SchoolReturn, comment: str, by, request=None) -> None:
    _review(SEND_BACK, school_return, by=by, request=request, text=comment, status=ReturnStatus.RETURNED)


def return_reopen(*, school_return: SchoolReturn, reason: str, by, request=None) -> None:
    fields = {"approved_at": None, "approved_by": None}
    _review(REOPEN, school_return, by=by, request=request, text=reason, status=ReturnStatus.RETURNED, **fields)


def _announce(signal, school_return: SchoolReturn) -> None:
    payload = {
        "school_return_id": school_return.pk,
        "round_id": school_return.round_id,
        "school_year": school_return.round.school_year.year,
    }
    transaction.on_commit(lambda: signal.send(sender=SchoolReturn, **payload))


def recompute_after_soft_delete(sender, instance, deleted: bool, **kwargs) -> None:
    """A school or an approved return deleted or restored changes the figures of its school year: the same signal as
    reopening an approval, so indicators marks the year stale and recomputes (gongqing.softdelete sends this after
    commit)."""
    if sender is SchoolReturn:
        returns = [instance] if instance.status == ReturnStatus.APPROVED else []
    elif sender is School:
        returns = list(instance.returns.filter(status=ReturnStatus.APPROVED).select_related("round__school_year"))
    else:
        return
    for year in sorted({r.round.school_year.year for r in returns}):
        signals.return_reopened.send(sender=SchoolReturn, school_return_id=None, round_id=None, school_year=year)


# --- The registry's records, edited through their forms -------------------------------------------------------------


def school_save(*, form, by, request=None) -> School:
    return form_save(form, action="school.save", by=by, request=request)


def county_profile_save(*, form, by, request=None):
    return form_save(form, action="county_profile.save", by=by, request=request)


def round_save(*, form, by, request=None) -> CollectionRound:
    """Save a round; opening or closing it, or moving its reference date, announces `round_changed` after commit
    (its results say whether the round is still open and which approved returns they rest on)."""
    existed = form.instance.pk is not None
    rnd = form_save(form, action="round.save", by=by, request=request)
    if existed and {"is_open", "as_of", "school_year"} & set(form.changed_data):
        year = rnd.school_year.year
        transaction.on_commit(
            lambda: signals.round_changed.send(sender=CollectionRound, round_id=rnd.pk, school_year=year)
        )
    return rnd
