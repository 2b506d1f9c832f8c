"""Writes of what people attach to a return: files, explanations of warnings, and the reviewer's marks on figures.

Each write is one transaction with an audit row (the explanations and marks also keep their history).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongqing import audit
from gongqing.evidence import stored_name
from schools import services as school_services
from schools.models import FIGURE_FIELDS, ReturnStatus, SchoolReturn
from schools.validation import Problem, label

from . import checks
from .models import Explanation, ExplanationStatus, FigureFlag, FlagKind, ReturnAttachment

MAX_EXPLANATION = 2000


def figure_label(field: str) -> str:
    return label(field) if field in FIGURE_FIELDS else (field or _("整份填报"))


def warning_key(finding) -> str:
    """The form key of a warning: its rule and its figure."""
    return f"{finding.rule_code}|{finding.field}"


def unexplained_warnings(school_return: SchoolReturn) -> list[Problem]:
    """The return's warnings that have no explanation standing (none written, or one sent back and not rewritten):
    each blocks submitting (registered in schools.services.SUBMIT_CHECKS)."""
    standing = {
        (e.rule_code, e.field)
        for e in Explanation.objects.filter(school_return=school_return).exclude(status=ExplanationStatus.SENT_BACK)
    }
    return [
        Problem(
            f.field,
            _("%(field)s：%(message)s 提交前请在“数据核查”中填写说明，或更正数据。")
            % {"field": figure_label(f.field), "message": f.message},
        )
        for f in checks.warnings_of(checks.findings_for_return(school_return))
        if (f.rule_code, f.field) not in standing
    ]


def explanations_save(
    *,
    school_return: SchoolReturn,
    texts: dict[str, str],
    submit: bool = False,
    expected_version: int | None = None,
    by,
    request=None,
) -> list[Explanation]:
    """Store the township's explanations, then, with `submit`, submit the return (at `expected_version` when given):
    the explanations stay stored when submitting is refused (ReturnInvalid / WorkflowError / ReturnConflict).

    `texts` maps warning_key ("rule_code|field") → text, or a figure's name → the text of each of its warnings not
    named on its own (the API's shorter form). Only the return's current warnings are taken; an empty text removes
    that explanation."""
    if not school_return.is_editable:
        raise school_services.WorkflowError(_("该填报已提交或已审核，不能修改说明。"))
    warnings = {warning_key(f): f for f in checks.warnings_of(checks.findings_for_return(school_return))}
    texts = {
        key: texts[key] if key in texts else texts[f.field]
        for key, f in warnings.items()
        if key in texts or (f.field and f.field in texts)
    }
    too_long = [k for k, t in texts.items() if k in warnings and len(t.strip()) > MAX_EXPLANATION]
    if too_long:
        f = warnings[too_long[0]]
        raise school_services.ReturnInvalid(
            [
                Problem(
                    f.field,
                    _("%(field)s的说明过长（最多%(max)s字）。")
                    % {"field": figure_label(f.field), "max": MAX_EXPLANATION},
                )
            ]
        )
    now = timezone.now()
    existing = {(e.rule_code, e.field): e for e in Explanation.objects.filter(school_return=school_return)}
    saved, changed = [], []
    with transaction.atomic():
        for key, finding in warnings.items():
            if key not in texts:
                continue
            text = texts[key].strip()
            old = existing.get((finding.rule_code, finding.field))
            if not text:
                if old is not None:
                    old._history_user = by
                    old.delete()
                    changed.append(key)
                continue
            if old is not None and old.text == text:
                saved.append(old)
                continue
            expl = old or Explanation(school_return=school_return, rule_code=finding.rule_code, field=finding.field)
            expl.text, expl.status, expl.written_by, expl.written_at = text, ExplanationStatus.WRITTEN, by, now
            expl.reviewed_by, expl.reviewed_at = None, None
            expl._history_user = by
            expl.save()
            saved.append(expl)
            changed.append(key)
        if changed:
            audit.record(action="explanation.save", user=by, request=request, obj=school_return, warnings=changed)
    if submit:
        school_services.return_submit(
            school_return=school_return, by=by, expected_version=expected_version, request=request
        )
    return saved


def explanation_accept(*, school_return: SchoolReturn, rule_code: str, field: str, by, request=None) -> Explanation:
    """The reviewer accepts the explanation of one warning of a submitted return."""
    if school_return.status != ReturnStatus.SUBMITTED:
        raise school_services.WorkflowError(_("只有已提交的填报可以接受说明。"))
    expl = Explanation.objects.filter(school_return=school_return, rule_code=rule_code, field=field).first()
    if expl is None:
        raise school_services.WorkflowError(_("这条提示还没有说明。"))
    with transaction.atomic():
        expl.status, expl.reviewed_by, expl.reviewed_at = ExplanationStatus.ACCEPTED, by, timezone.now()
        expl._history_user = by
        expl.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        audit.record(
            action="explanation.accept", user=by, request=request, obj=school_return, rule=rule_code, field=field
        )
    return expl


def return_send_back(*, school_return: SchoolReturn, comment: str, field: str = "", by, request=None) -> None:
    """Send the return back (schools.services.return_send_back), the comment on one figure when `field` is given:
    the figure carries the comment (a sent-back mark) and its explanations are sent back with it, to be rewritten."""
    if field and field not in FIGURE_FIELDS:
        raise school_services.ReturnInvalid([Problem("field", _("退回时所选的数据项不存在。"))])
    comment = comment.strip()
    text = f"{figure_label(field)}：{comment}" if field and comment else comment
    with transaction.atomic():
        school_services.return_send_back(school_return=school_return, comment=text, by=by, request=request)
        if not field:
            return
        now = timezone.now()
        flag = FigureFlag(
            school_return=school_return,
            field=field,
            kind=FlagKind.SENT_BACK,
            comment=comment,
            created_by=by,
            created_at=now,
        )
        flag._history_user = by
        flag.save()
        for expl in Explanation.objects.filter(school_return=school_return, field=field):
            expl.status, expl.reviewed_by, expl.reviewed_at, expl.review_comment = (
                ExplanationStatus.SENT_BACK,
                by,
                now,
                comment,
            )
            expl._history_user = by
            expl.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit.record(action="figure.send_back", user=by, request=request, obj=school_return, field=field)


def figure_follow_up(*, school_return: SchoolReturn, field: str, comment: str = "", on: bool, by, request=None) -> bool:
    """Mark a figure of the return for follow-up (跟进), or clear its mark. Returns whether anything changed."""
    if field not in FIGURE_FIELDS:
        raise school_services.ReturnInvalid([Problem("field", _("所选的数据项不存在。"))])
    open_flags = FigureFlag.objects.filter(
        school_return=school_return, field=field, kind=FlagKind.FOLLOW_UP, resolved_at__isnull=True
    )
    now = timezone.now()
    with transaction.atomic():
        if on:
            if open_flags.exists():
                return False
            flag = FigureFlag(
                school_return=school_return,
                field=field,
                kind=FlagKind.FOLLOW_UP,
                comment=comment.strip()[:2000],
                created_by=by,
                created_at=now,
            )
            flag._history_user = by
            flag.save()
        else:
            flags = list(open_flags)
            if not flags:
                return False
            for flag in flags:
                flag.resolved_by, flag.resolved_at = by, now
                flag._history_user = by
                flag.save(update_fields=["resolved_by", "resolved_at"])
        audit.record(
            action="figure.follow_up" if on else "figure.follow_up_clear",
            user=by,
            request=request,
            obj=school_return,
            field=field,
        )
    return True


def attachment_add(
    *, school_return: SchoolReturn, upload, checked, field: str = "", title: str = "", by, request=None
) -> ReturnAttachment:
    """Store a file (already through gongqing.evidence.check_evidence) attached to the return, under a random name
    with the extension of what it is."""
    if field and field not in FIGURE_FIELDS:
        raise school_services.ReturnInvalid([Problem("field", _("附件所关联的数据项不存在。"))])
    upload.seek(0)
    attachment = ReturnAttachment(
        school_return=school_return,
        field=field,
        title=title.strip()[:100],
        name=checked.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    attachment.file.save(stored_name(checked, f"{school_return.pk}-"), upload, save=False)
    with transaction.atomic():
        attachment.save()
        audit.record(
            action="attachment.upload", user=by, request=request, obj=attachment, field=field, size=checked.size
        )
    return attachment
