"""The signed survey file: how answers collected on a public `SURVEY_ONLY` host reach the portal.

The file is JSON: ``{"format", "version", "payload", "signature"}``. `payload` holds the survey's definition (year,
public token, title, dates, the items of every group) and its online responses — UUID, group, answers and the day,
nothing that identifies a respondent (no device receipts, no addresses). `signature` is an HMAC-SHA256 (Django's
Signer) over the payload's canonical JSON, with the dedicated key `SURVEY_EXPORT_KEY`, which both hosts share and
which is not the `SECRET_KEY` (the two hosts have different ones).

The same file carries the definition the other way: importing it on the public host (`manage.py survey_import`)
creates the survey there with the portal's token, so the link and QR code the portal shows lead to it.

Import is idempotent: responses are keyed by their UUID, and a second import of the same file adds nothing. An
existing survey (found by its token) must have the same year and the same items; its settings are not changed.
"""

from __future__ import annotations

import datetime
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from gongqing import audit, json_input
from schools.models import SchoolYear

from .models import Question, Response, ResponseSource, Survey
from .selectors import items_by_group, scoring_for_year
from .services import SurveyError, results_stale

FORMAT = "gongqing-survey-export"
VERSION = 1
SALT = "gongqing.survey.export"
MIN_KEY_LENGTH = 32
MAX_FILE_BYTES = 20 * 1024 * 1024  # the portal's upload cap: ~30,000 responses of 20 items (docs/security.md)


class ExportRefused(SurveyError):
    pass


def export_key() -> str:
    key = settings.SURVEY_EXPORT_KEY
    if key:
        if len(key) < MIN_KEY_LENGTH:
            raise ExportRefused(f"SURVEY_EXPORT_KEY 太短（至少{MIN_KEY_LENGTH}个字符）。")
        return key
    if settings.DEBUG:
        return "debug-only-survey-export:" + settings.SECRET_KEY
    raise ExportRefused("未配置问卷导出密钥 SURVEY_EXPORT_KEY：公网问卷服务器和本平台须配置相同的密钥。")


def _canonical(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _signature(payload: dict) -> str:
    return signing.Signer(key=export_key(), salt=SALT, algorithm="sha256").signature(_canonical(payload))


def build_export(survey: Survey) -> dict:
    items = items_by_group(survey)
    payload = {
        "survey": {
            "token": survey.token,
            "school_year": survey.school_year.year,
            "title": survey.title,
            "intro": survey.intro,
            "opens_on": survey.opens_on.isoformat(),
            "closes_on": survey.closes_on.isoformat(),
            "closed": survey.closed,
            "items": {group: [q.text for q in qs] for group, qs in items.items()},
        },
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "responses": [
            {"id": str(pk), "group": group, "answers": answers, "submitted_on": day.isoformat()}
            for pk, group, answers, day in Response.objects.filter(survey=survey)
            .order_by("submitted_on", "id")
            .values_list("id", "group", "answers", "submitted_on")
            .iterator()
        ],
    }
    return {"format": FORMAT, "version": VERSION, "payload": payload, "signature": _signature(payload)}


def export_bytes(survey: Survey, *, by=None, request=None) -> bytes:
    data = build_export(survey)
    audit.record(
        action="survey.export", user=by, request=request, obj=survey, responses=len(data["payload"]["responses"])
    )
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def verified_payload(raw: bytes) -> dict:
    """The payload of a survey file whose signature holds; anything else is refused before it is looked at."""
    try:
        data = json_input.loads(raw, max_bytes=MAX_FILE_BYTES)
    except json_input.JsonRefused as exc:
        raise ExportRefused(exc.message) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExportRefused("不是问卷导出文件（无法读取JSON）。") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExportRefused("不是问卷导出文件。")
    if data.get("version") != VERSION:
        raise ExportRefused("问卷导出文件的版本不受支持。")
    payload, signature = data.get("payload"), data.get("signature")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        raise ExportRefused("问卷导出文件不完整。")
    if not constant_time_compare(signature, _signature(payload)):
        raise ExportRefused("签名校验失败：文件被修改过，或两端的 SURVEY_EXPORT_KEY 不一致。已拒绝导入。")
    return payload


@dataclass(frozen=True)
class ImportResult:
    survey: Survey
    created_survey: bool
    added: int
    present: int


def _date(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ExportRefused(f"日期无效：{value!r}") from exc


def _definition(payload: dict) -> dict:
    s = payload.get("survey")
    if not isinstance(s, dict):
        raise ExportRefused("问卷导出文件缺少问卷定义。")
    try:
        year = int(s["school_year"])
        items = {str(g): [str(t) for t in texts] for g, texts in s["items"].items()}
        token = str(s["token"])
        title = str(s["title"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ExportRefused("问卷定义不完整。") from exc
    return {
        "year": year,
        "token": token,
        "title": title[:120],
        "intro": str(s.get("intro", "")),
        "opens_on": _date(s.get("opens_on")),
        "closes_on": _date(s.get("closes_on")),
        "closed": bool(s.get("closed", False)),
        "items": items,
    }


def _survey_for(definition: dict) -> tuple[Survey, bool]:
    survey = Survey.objects.select_related("school_year").filter(token=definition["token"]).first()
    if survey is not None:
        if survey.school_year.year != definition["year"]:
            raise ExportRefused("文件中的问卷学年与本系统中的不一致。")
        current = {g: [q.text for q in qs] for g, qs in items_by_group(survey).items()}
        if current != definition["items"]:
            raise ExportRefused("文件中的问卷题目与本系统中的不一致，已拒绝导入。")
        return survey, False
    school_year, _created = SchoolYear.objects.get_or_create(year=definition["year"])
    if Survey.objects.filter(school_year=school_year).exists():
        raise ExportRefused(f"{school_year}已有另一份满意度调查，文件属于别的问卷。")
    survey = Survey.objects.create(
        school_year=school_year,
        token=definition["token"],
        title=definition["title"],
        intro=definition["intro"],
        opens_on=definition["opens_on"],
        closes_on=definition["closes_on"],
        closed=definition["closed"],
    )
    Question.objects.bulk_create(
        Question(survey=survey, group=g, position=i, text=text[:300])
        for g, texts in definition["items"].items()
        for i, text in enumerate(texts, start=1)
    )
    return survey, True


def _responses(payload: dict, survey: Survey, items: dict[str, int]) -> list[Response]:
    levels = set(scoring_for_year(survey.school_year.year).levels)
    rows = payload.get("responses")
    if not isinstance(rows, list):
        raise ExportRefused("问卷导出文件缺少答卷列表。")
    out = []
    for n, row in enumerate(rows, start=1):
        try:
            pk = uuid.UUID(str(row["id"]))
            group, answers, day = row["group"], row["answers"], _date(row["submitted_on"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ExportRefused(f"第{n}份答卷不完整。") from exc
        if group not in items or not isinstance(answers, list) or len(answers) != items[group]:
            raise ExportRefused(f"第{n}份答卷与问卷题目不符。")
        if any(a is not None and a not in levels for a in answers):
            raise ExportRefused(f"第{n}份答卷有未知的选项。")
        out.append(
            Response(id=pk, survey=survey, group=group, answers=answers, submitted_on=day, source=ResponseSource.IMPORT)
        )
    return out


def import_export(raw: bytes, *, by=None, request=None) -> ImportResult:
    """Verify and import a survey file; responses already present (same UUID) are left alone."""
    payload = verified_payload(raw)
    definition = _definition(payload)
    with transaction.atomic():
        survey, created = _survey_for(definition)
        items = {g: len(texts) for g, texts in definition["items"].items()}
        rows = _responses(payload, survey, items)
        existing = set(Response.objects.filter(survey=survey).values_list("id", flat=True))
        new = list({r.id: r for r in rows if r.id not in existing}.values())
        for start in range(0, len(new), 500):
            chunk = [r.id for r in new[start : start + 500]]
            if Response.objects.filter(id__in=chunk).exists():
                raise ExportRefused("文件中的答卷编号与另一份问卷的答卷冲突。")
        Response.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        audit.record(
            action="survey.import",
            user=by,
            request=request,
            obj=survey,
            year=definition["year"],
            added=len(new),
            present=len(rows) - len(new),
            created_survey=created,
        )
        if new or created:
            results_stale(year=definition["year"])
    return ImportResult(survey=survey, created_survey=created, added=len(new), present=len(rows) - len(new))
