"""Writes of the survey: setting it up, online answers, paper tallies, and telling the indicator engine.

S1 freshness (see docs in the app's README section of the report): a change made by the bureau in bulk (an
import, a paper tally, closing or reopening the survey, the "update S1 now" button) marks the year's results
stale at once (after commit). Single online answers are coalesced: the first answer in a window schedules one
`mark_survey_stale` task `STALE_WINDOW_SECONDS` later (trailing edge, so it sees every answer of the window);
answers while it is scheduled add nothing. Without a broker (Celery eager) there is no later, so every answer
marks the year stale at once. The live tally page reads the raw answers and never waits for a recompute.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from gongqing import audit, jobs, softdelete
from gongqing.audit_changes import value_text
from indicators import services as indicator_services
from schools.models import SchoolYear

from .models import DeviceReceipt, PaperTally, Question, Response, ResponseSource, Survey
from .questionnaire import default_items
from .selectors import scoring_for_year

STALE_WINDOW_SECONDS = 60
STALE_TASK = "supervision.survey.tasks.mark_survey_stale"  # tasks.mark_survey_stale, which calls results_stale


class SurveyError(Exception):
    """A refused survey write; the message is for the user (Chinese)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SurveyClosed(SurveyError):
    pass


class AlreadyAnswered(SurveyError):
    pass


# --- S1 freshness -------------------------------------------------------------------------------------------------


def results_stale(*, year: int) -> None:
    """Bump the year's rounds so S1 is recomputed (the recompute itself is scheduled after commit)."""
    indicator_services.mark_stale(school_year=year, school_ids=())  # county-level: no school changes


def _stale_key(year: int) -> str:
    return f"survey:stale-scheduled:{year}"


def results_stale_coalesced(*, year: int) -> None:
    """For single online answers: at most one stale mark per window and year (see the module docstring)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        results_stale(year=year)
    elif cache.add(_stale_key(year), 1, timeout=STALE_WINDOW_SECONDS) and not jobs.send(
        STALE_TASK, (year,), countdown=STALE_WINDOW_SECONDS
    ):
        results_stale(year=year)  # the broker is away: mark now (the recompute's own sweep sends it later)


# --- the survey ---------------------------------------------------------------------------------------------------


def survey_create(
    *,
    school_year: SchoolYear,
    title: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    intro: str = "",
    public_base_url: str = "",
    by=None,
    request=None,
) -> Survey:
    """A survey for the year with the default items of every group of the year's standard."""
    scoring = scoring_for_year(school_year.year)
    with transaction.atomic():
        if Survey.objects.filter(school_year=school_year).exists():
            raise SurveyError(f"{school_year}已有满意度调查。")
        survey = Survey.objects.create(
            school_year=school_year,
            title=title,
            intro=intro,
            opens_on=opens_on,
            closes_on=closes_on,
            public_base_url=public_base_url,
        )
        Question.objects.bulk_create(
            Question(survey=survey, group=group, position=i, text=text)
            for group in scoring.groups
            for i, text in enumerate(default_items(group), start=1)
        )
        audit.record(action="survey.create", user=by, request=request, obj=survey, year=school_year.year)
        results_stale(year=school_year.year)
    return survey


def group_has_answers(survey: Survey, group: str) -> bool:
    return (
        Response.objects.filter(survey=survey, group=group).exists()
        or PaperTally.all_objects.filter(survey=survey, group=group).exists()  # a deleted tally may come back
    )


def survey_update(
    *, survey: Survey, fields: Mapping[str, object], items: Mapping[str, Sequence[str]], by=None, request=None
) -> list[str]:
    """Change the survey's settings and the items of groups without answers; returns the groups whose items changed.

    Answers and paper counts refer to items by position, so a group's items are frozen once it has any answer.
    """
    current = {g: [q.text for q in qs] for g, qs in _items(survey).items()}
    changed = [g for g, texts in items.items() if list(texts) != current.get(g, [])]
    locked = [g for g in changed if group_has_answers(survey, g)]
    if locked:
        raise SurveyError("已有答卷的群体不能修改题目：" + "、".join(locked))
    if any(not texts for g, texts in items.items() if g in changed):
        raise SurveyError("每个群体至少要有一道题目。")
    with transaction.atomic():
        update_fields = []
        changes = {}
        for name, value in fields.items():
            if getattr(survey, name) != value:
                changes[name] = [value_text(getattr(survey, name)), value_text(value)]
                setattr(survey, name, value)
                update_fields.append(name)
        if update_fields:
            survey.save(update_fields=[*update_fields, "updated_at"])
        for group in changed:
            Question.objects.filter(survey=survey, group=group).delete()
            Question.objects.bulk_create(
                Question(survey=survey, group=group, position=i, text=text)
                for i, text in enumerate(items[group], start=1)
            )
        audit.record(
            action="survey.update",
            user=by,
            request=request,
            obj=survey,
            fields=update_fields,
            changes=changes,
            item_groups=changed,
        )
        if {"opens_on", "closes_on", "closed"} & set(update_fields):
            results_stale(year=survey.school_year.year)
    return changed


def _items(survey: Survey) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {}
    for q in survey.questions.order_by("group", "position"):
        out.setdefault(q.group, []).append(q)
    return out


def survey_set_closed(*, survey: Survey, closed: bool, by=None, request=None) -> None:
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(closed=closed)
        survey.closed = closed
        audit.record(action="survey.close" if closed else "survey.reopen", user=by, request=request, obj=survey)
        results_stale(year=survey.school_year.year)


def s1_refresh(*, survey: Survey, by=None, request=None) -> None:
    with transaction.atomic():
        audit.record(action="survey.refresh", user=by, request=request, obj=survey)
        results_stale(year=survey.school_year.year)


# --- online answers -----------------------------------------------------------------------------------------------


def device_hash(survey: Survey, device_token: str) -> str:
    return hashlib.sha256(f"{survey.token}:{device_token}".encode()).hexdigest()


def device_has_answered(*, survey: Survey, device_token: str | None) -> bool:
    if not device_token:
        return False
    return DeviceReceipt.objects.filter(survey=survey, token_hash=device_hash(survey, device_token)).exists()


def response_submit(
    *, survey: Survey, group: str, answers: Sequence[str | None], device_token: str, today: datetime.date
) -> Response:
    """Store one online questionnaire; a device answers a survey once. No request, no address, no agent: on purpose."""
    if not survey.is_open_on(today):
        raise SurveyClosed("问卷当前未开放。")
    items = Question.objects.filter(survey=survey, group=group).count()
    levels = set(scoring_for_year(survey.school_year.year).levels)
    if not items or len(answers) != items or any(a is not None and a not in levels for a in answers):
        raise SurveyError("答卷与问卷题目不符。")
    try:
        with transaction.atomic():
            DeviceReceipt.objects.create(survey=survey, token_hash=device_hash(survey, device_token))
            response = Response.objects.create(
                survey=survey, group=group, answers=list(answers), submitted_on=today, source=ResponseSource.ONLINE
            )
    except IntegrityError as exc:
        raise AlreadyAnswered("本设备已提交过这份问卷，感谢您的参与。") from exc
    transaction.on_commit(lambda: results_stale_coalesced(year=survey.school_year.year))
    return response


# --- paper tallies ------------------------------------------------------------------------------------------------


def validate_counts(
    *, forms: int, counts: Mapping[str, Mapping[str, int]], items: int, levels: Sequence[str]
) -> list[str]:
    """Problems of a paper tally (Chinese); an item's marks cannot exceed the number of forms."""
    problems = []
    if forms < 1:
        problems.append("有效问卷份数至少为1。")
    for item, by_level in counts.items():
        if not str(item).isdigit() or not 1 <= int(item) <= items:
            problems.append(f"第{item}题不存在。")
            continue
        unknown = set(by_level) - set(levels)
        if unknown:
            problems.append(f"第{item}题有未知的选项。")
        if any(n < 0 for n in by_level.values()):
            problems.append(f"第{item}题的份数不能为负数。")
        if sum(by_level.values()) > forms:
            problems.append(f"第{item}题各选项份数之和（{sum(by_level.values())}）超过有效问卷份数（{forms}）。")
    if not any(n for by_level in counts.values() for n in by_level.values()):
        problems.append("请填写各题各选项的份数。")
    return problems


def paper_tally_add(
    *, survey: Survey, group: str, label: str, forms: int, counts: Mapping[str, Mapping[str, int]], by, request=None
) -> PaperTally:
    scoring = scoring_for_year(survey.school_year.year)
    items = Question.objects.filter(survey=survey, group=group).count()
    if group not in scoring.groups or not items:
        raise SurveyError("该群体没有问卷题目。")
    problems = validate_counts(forms=forms, counts=counts, items=items, levels=scoring.levels)
    if problems:
        raise SurveyError(" ".join(problems))
    clean = {str(item): {lv: int(n) for lv, n in by_level.items() if n} for item, by_level in counts.items()}
    with transaction.atomic():
        tally = PaperTally.objects.create(
            survey=survey, group=group, label=label, forms=forms, counts=clean, entered_by=by
        )
        audit.record(action="survey.paper_add", user=by, request=request, obj=tally, group=group, forms=forms)
        results_stale(year=survey.school_year.year)
    return tally


def paper_tally_delete(*, tally: PaperTally, by, request=None) -> None:
    year = tally.survey.school_year.year
    with transaction.atomic():
        softdelete.soft_delete(  # kept, and restorable from the recycle bin
            obj=tally, by=by, request=request, action="survey.paper_delete", group=tally.group, forms=tally.forms
        )
        results_stale(year=year)
