"""Store an evaluation: only rows whose values changed are written; the summary the pages read is built here.

Met flags and statuses are copied from the pure evaluation, never re-derived from stored numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongqing import bulk
from schools.models import SECTION_LABELS

from . import selectors
from .domain import chunks, serialize
from .domain.costing import cost_gaps
from .domain.decimals import quantize
from .domain.evaluate import Evaluation
from .domain.gaps import Gap
from .domain.memo import Memo
from .domain.standard import NATIONAL_2017_DATA, code_key
from .domain.status import Finding
from .models import CostSettings, EvaluationState, ResultRun, SchoolResult, SectionCV, SectionVerdict

AREA_NAMES = {
    "resource": _("资源配置"),
    "guarantee": _("政府保障程度"),
    "quality": _("教育质量"),
    "social": _("社会认可度"),
    "veto": _("一票否决"),
}
GROUP_NAMES = NATIONAL_2017_DATA["survey"]["group_names_zh"]
PLACES = 6


def json_safe(obj: Any) -> Any:
    """Decimals as exact strings for a JSONField (the API writes them back as JSON numbers from these digits)."""
    if isinstance(obj, Decimal):
        return serialize.decimal_text(obj)
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    return obj


def _text(obj: Any) -> str:
    if isinstance(obj, Decimal):
        return serialize.decimal_text(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def json_text(obj: Any) -> str:
    """A large document (a round's summary and result) as JSON text, Decimals as strings as json_safe writes them,
    through the json module's C encoder (keys must be strings, numbers or None)."""
    return json.dumps(obj, default=_text, ensure_ascii=False)


def json_column(text: str) -> RawSQL:
    """JSON text written to a JSONField as it is: not decoded and encoded again on its way to the database."""
    return RawSQL("%s::jsonb" if connection.vendor == "postgresql" else "%s", (text,))


def _q(value) -> Decimal | None:
    return quantize(value, PLACES) if value is not None else None


def _school_rows(ev: Evaluation, schools_by_code: dict, only: set | None = None) -> dict[tuple, dict]:
    """The rows of every school's results (of the schools whose codes are in `only`, when given)."""
    gaps = {(g.school_code, g.section, g.code): g for g in ev.gaps if g.code.startswith("R")}
    rows: dict[tuple, dict] = {}
    for r in ev.section_results:
        if only is not None and r.school_code not in only:
            continue
        school = schools_by_code.get(r.school_code)
        if school is None:
            continue
        pk, section = school.pk, r.section
        for code, x in r.results.items():
            gap = gaps.get((r.school_code, section, code))
            ratio = x.ratio
            detail = {} if ratio is None else {"ratio": serialize.decimal_text(quantize(ratio, PLACES))}
            if gap:
                detail["unit"] = gap.unit
            rows[(pk, section, code)] = {
                "value": _q(x.value),
                "threshold": _q(x.threshold),
                "status": x.display_status,
                "gap": _q(gap.quantity) if gap else None,
                "detail": detail,
            }
    item_gaps: dict[tuple, Decimal] = {}
    item_units: dict[tuple, str] = {}
    for g in ev.gaps:
        if not g.code.startswith("R") and (only is None or g.school_code in only):
            key = (g.school_code, g.code)
            item_gaps[key] = item_gaps.get(key, Decimal(0)) + g.quantity
            item_units[key] = g.unit
    for code, item in ev.items.items():
        for check in item.schools:
            if only is not None and check.school_code not in only:
                continue
            school = schools_by_code.get(check.school_code)
            if school is None:
                continue
            rows[(school.pk, "", code)] = {
                "value": _q(check.value),
                "threshold": _q(check.threshold),
                "status": check.status,
                "gap": _q(item_gaps.get((check.school_code, code))),
                "detail": {
                    **serialize.rounded_texts(check.detail or {}),
                    "unit": item_units.get((check.school_code, code), ""),
                },
            }
    return rows


def _sync(model, round, wanted: dict[tuple, dict], key_fields: tuple[str, ...], scope=None) -> dict[str, int]:
    """Bring the round's rows of `model` (those of `scope`, a filter, when given) to `wanted` (key → field values),
    writing only differences: new rows by multi-row INSERT, changed ones by UPDATE … FROM VALUES, removed ones by one
    DELETE (gongqing.bulk), each in batches of 5,000 rows.

    Existing rows are read as tuples, not model instances: at 10,000 schools there are 120,000 of them.
    """
    value_fields = tuple(next(iter(wanted.values())).keys()) if wanted else ()
    existing = {}
    rows = model.objects.filter(round=round)
    if scope is not None:
        rows = rows.filter(scope)
    for pk, *rest in rows.values_list("pk", *key_fields, *value_fields).iterator(chunk_size=20000):
        key = tuple(rest[: len(key_fields)])
        existing[key] = (pk, dict(zip(value_fields, rest[len(key_fields) :], strict=True)))
    create, update, fields = [], [], set()
    for key, values in wanted.items():
        found = existing.pop(key, None)
        if found is None:
            create.append({"round_id": round.pk, **dict(zip(key_fields, key, strict=True)), **values})
            continue
        pk, stored = found
        changed = [f for f, v in values.items() if stored[f] != v]
        if changed:
            fields.update(changed)
            update.append(model(pk=pk, round=round, **dict(zip(key_fields, key, strict=True)), **values))
    bulk.insert(model, create)
    bulk.update(model, update, fields)
    bulk.delete(model, [pk for pk, _values in existing.values()])
    return {"created": len(create), "updated": len(update), "deleted": len(existing)}


def rows(evaluation: Evaluation, meta: dict, only: set | None = None, memo: Memo | None = None) -> dict:
    """What the stored rows of an evaluation are: school results and section verdicts (of the schools whose codes are
    in `only`, when given) by key, the CVs by key, and the state's summary and result as JSON text."""
    schools_by_code = meta["schools_by_code"]
    verdicts = {}
    for r in evaluation.section_results:
        if only is not None and r.school_code not in only:
            continue
        school = schools_by_code.get(r.school_code)
        if school is not None:
            verdicts[(school.pk, r.section)] = {
                "students": r.unit.students or 0,
                "met_count": r.met_count,
                "status": r.status,
            }
    cvs = {}
    for section, table in evaluation.sections.items():
        for code, stats in table.stats.items():
            cvs[(section, code)] = {
                "mean": _q(stats.mean) if stats else None,
                "sd": _q(stats.sd) if stats else None,
                "cv": _q(stats.cv) if stats else None,
                "limit": table.limit,
                "met": table.met[code],
                "schools": table.n_units,
            }
    county, summary_runs = summary_parts(evaluation, meta, memo)
    result, result_runs = serialize.result_parts(evaluation, memo)
    return {
        "school_results": _school_rows(evaluation, schools_by_code, only),
        "verdicts": verdicts,
        "cvs": cvs,
        "provisional": county["provisional"],
        "passed": county["county"]["passed"],
        "summary": json_text(county),
        # Decimals as strings, as json_text writes them; the long lists in runs of their own (ResultRun), the
        # summary's and the result's together (a run is named by its text's digest).
        "result": result,
        "result_runs": result_runs | summary_runs,
    }


def store(*, round, evaluation: Evaluation, meta: dict, school_ids=None, memo: Memo | None = None) -> dict:
    """Write the evaluation's rows that differ from the stored ones: every school's, or those of `school_ids` only
    (an incremental recompute: no other school's rows can have changed), and the county's."""
    only = scope = None
    if school_ids is not None:
        ids = set(school_ids)
        only = {code for code, s in meta["schools_by_code"].items() if s.pk in ids}
        scope = Q(school_id__in=sorted(ids))
    wanted = rows(evaluation, meta, only, memo)
    results = _sync(SchoolResult, round, wanted["school_results"], ("school_id", "section", "code"), scope)
    verdict_counts = _sync(SectionVerdict, round, wanted["verdicts"], ("school_id", "section"), scope)
    cv_counts = _sync(SectionCV, round, wanted["cvs"], ("section", "code"))
    store_runs(round=round, texts=wanted["result_runs"])
    return {
        "counts": {"school_results": results, "verdicts": verdict_counts, "cvs": cv_counts},
        "standard_label": meta["standard_label"],
        "policy": meta["policy"],
        "provisional": wanted["provisional"],
        "passed": wanted["passed"],
        "summary": wanted["summary"],
        "result": wanted["result"],
    }


def store_runs(*, round, texts: dict[str, str]) -> None:
    """Insert the result document's runs not stored yet and delete those it no longer names: after one school's
    change, a run or two of each list (indicators.domain.chunks)."""
    stored = set(ResultRun.objects.filter(round=round).values_list("digest", flat=True))
    bulk.insert(
        ResultRun, [{"round_id": round.pk, "digest": d, "text": t} for d, t in texts.items() if d not in stored]
    )
    gone = stored - set(texts)
    if gone:
        ResultRun.objects.filter(round=round, digest__in=sorted(gone))._raw_delete(ResultRun.objects.db)


def summary(ev: Evaluation, meta: dict, memo: Memo | None = None) -> dict:
    """What the pages show of the county verdict, in Chinese, with school names resolved. With `memo`, a school's
    finding read back from an unchanged part is described as last time (its name and figures are in the part's
    fingerprint; a changed standard recomputes every part)."""
    return _summary(ev, meta, memo, whole=True)


def summary_parts(ev: Evaluation, meta: dict, memo: Memo | None = None) -> tuple[dict, dict[str, str]]:
    """The summary as it is stored: its blocking findings (17,500 sentences at 10,000 schools, 1.2 MB) in runs of
    their own, as the result document's long lists are (`serialize.result_parts`): the summary with None in their
    place and the digests of their runs under `runs`, and the runs' texts by digest. Each sentence's JSON text is kept
    by `memo` with the finding, so one school's change encodes and writes a run or two, not the list.
    `indicators.selectors.summary_document` joins them back."""
    county = _summary(ev, meta, memo, whole=False)
    schools = meta["schools_by_code"]
    names = _names(meta)
    key = (False, get_language())
    texts: dict[str, str] = {}
    digests = []
    elements = (
        memo(_described_element, f, schools, names, key=key)
        if memo and f.school_code
        else _described_element(f, schools, names)
        for f in ev.blocking
    )
    for run in chunks.split(elements):
        digest = chunks.digest(run)
        texts[digest] = run
        digests.append(digest)
    county["runs"] = {"blocking": digests}
    return county, texts


def _described_element(f: Finding, schools: dict, names: dict) -> tuple[str, bool]:
    return chunks.element(json.dumps(describe_finding(f, schools, names), ensure_ascii=False))


def _names(meta: dict) -> dict[str, str]:
    return {code: d.name_zh for code, d in meta["standard"].indicators.items()} if "standard" in meta else {}


def _summary(ev: Evaluation, meta: dict, memo: Memo | None, whole: bool) -> dict:
    schools = meta["schools_by_code"]
    names = _names(meta)
    language = get_language()

    def describe(f: Finding, missing: bool = False) -> str:
        if memo is None or not f.school_code:
            return describe_finding(f, schools, names, missing=missing)
        return memo(_describe, f, schools, names, missing, key=(missing, language))

    c = ev.completeness
    areas = []
    for area, verdict in ev.areas.items():
        failed = {f.code for f in verdict.blocking if f.code != "R"}
        failed.update(c for f in verdict.blocking if f.reason == "school_rule" for c in f.detail.get("missed", []))
        areas.append(
            {
                "area": area,
                "name": str(AREA_NAMES[area]),
                "passed": verdict.passed,
                "not_met": sorted(failed, key=code_key),
                "no_data": sorted({f.code for f in verdict.no_data if f.code != "R"}, key=code_key),
            }
        )
    basis = meta.get("basis")
    return {
        # Provisional while data is missing (a school on no approved return, a county item not entered) or while the
        # round is open for entry; figures carried forward from an earlier approved round are data, not missing.
        "provisional": bool(ev.provisional or (basis and basis["round_open"])),
        "policy": ev.policy,
        "policy_label": meta["policy_label"],
        "standard_label": ev.standard_label,
        "completeness": {
            "complete": c.complete,
            "schools_expected": c.schools_expected,
            "schools_with_data": c.schools_with_figures,
            "missing_schools": [schools[code].name if code in schools else code for code in c.missing_schools],
            "missing_items": list(c.missing_items),
        },
        "county": {
            "passed": ev.passed,
            "blocking": [describe(f) for f in ev.blocking] if whole else None,
            "no_data": [describe(f, missing=True) for f in ev.no_data],
            "not_evaluated": list(ev.not_evaluated_codes),
            "precondition": None if ev.precondition is None else dict(vars(ev.precondition)),
        },
        "areas": areas,
        "informational_mean_cv": {s: _q(t.informational_mean_cv) for s, t in ev.sections.items()},
        "counts": _verdict_counts(ev),
        **({"basis": basis} if basis else {}),
    }


def _verdict_counts(ev: Evaluation) -> dict:
    out: dict[str, dict[str, int]] = {}
    for r in ev.section_results:
        bucket = out.setdefault(r.section, {"passed": 0, "passed_within_tolerance": 0, "failed": 0, "no_data": 0})
        bucket[r.status] = bucket.get(r.status, 0) + 1
    return out


def _describe(f: Finding, schools: dict, names: dict, missing: bool) -> str:
    return describe_finding(f, schools, names, missing=missing)


def describe_finding(f: Finding, schools: dict, names: dict, missing: bool = False) -> str:
    """One finding in Chinese. A finding of missing data (`missing`) never reads as a failure: a survey short of its
    minimum responses is 无数据, not 未达标."""
    school = schools[f.school_code].name if f.school_code in schools else f.school_code
    section = str(SECTION_LABELS.get(f.section, f.section))
    where = f"{school}（{section}）" if school and section else school or section
    name = names.get(f.code, "")
    d = f.detail or {}
    if f.reason == "school_rule":
        missed = "、".join(d.get("missed", []))
        return _("%(where)s：资源配置7项中%(n)s项达标，未达标%(missed)s") % {
            "where": where,
            "n": d.get("met_count"),
            "missed": missed,
        }
    if f.reason == "cv_over_limit":
        cv = d.get("cv")
        return _("%(code)s %(name)s：%(section)s校际差异系数%(cv)s，超过%(limit)s") % {
            "code": f.code,
            "name": name,
            "section": section,
            "cv": _fmt(cv, d.get("limit")),
            "limit": d.get("limit"),
        }
    if f.reason == "precondition_not_met":
        return _(
            "前提条件未满足：县域于%(year)s年通过义务教育基本均衡发展认定，距评估学年（%(eval)s年）不足%(n)s年"
            "（须在%(by)s年或以前通过）"
        ) % {
            "year": d.get("basic_balance_year"),
            "eval": d.get("evaluation_year"),
            "n": d.get("years"),
            "by": d.get("required_by"),
        }
    if f.reason == "precondition_unknown":
        return _("前提条件：县域概况中未填写通过义务教育基本均衡发展认定的年份（须在%(by)s年或以前通过）") % {
            "by": d.get("required_by")
        }
    if f.reason == "veto":
        return _("%(code)s %(name)s：存在该情形（一票否决）") % {"code": f.code, "name": name}
    if f.reason.startswith("groups_short:"):
        groups = [GROUP_NAMES.get(g, g) for g in f.reason.split(":", 1)[1].split(",") if g]
        return _("%(code)s %(name)s：无数据（有效问卷不足：%(groups)s）") % {
            "code": f.code,
            "name": name,
            "groups": "、".join(str(g) for g in groups),
        }
    if f.reason == "cv_no_data":
        return _("%(code)s %(section)s差异系数：有学校缺少数据") % {"code": f.code, "section": section}
    if (
        missing
        or f.reason in ("no_data", "no_entry", "no_survey")
        or "no_data" in f.reason
        or f.reason.startswith("no_")
    ):
        prefix = f"{where}：" if where else ""
        return _("%(prefix)s%(code)s %(name)s：无数据") % {"prefix": prefix, "code": f.code, "name": name}
    prefix = f"{where}：" if where else ""
    return _("%(prefix)s%(code)s %(name)s：未达到要求") % {"prefix": prefix, "code": f.code, "name": name}


def _fmt(value, limit) -> str:
    from .domain.display import format_value

    if value is None:
        return "—"
    return format_value(Decimal(str(value)), Decimal(str(limit)) if limit is not None else None)


def stored_gaps(state: EvaluationState | None) -> list[Gap]:
    if state is None:
        return []
    out = []
    for g in selectors.result_document(state).get("gaps", []):
        out.append(
            Gap(
                g["code"],
                g["school"],
                g["section"],
                g["resource"],
                Decimal(str(g["quantity"])),
                g["unit"],
                _detail_decimals(g.get("detail", {})),
            )
        )
    return out


def _detail_decimals(detail: dict) -> dict:
    out = {}
    for k, v in detail.items():
        try:
            out[k] = Decimal(v) if isinstance(v, str) else v
        except ArithmeticError:
            out[k] = v
    return out


def costing(*, round, schools) -> Any:
    state = EvaluationState.objects.filter(round=round).first()
    codes = set(schools.values_list("code", flat=True))
    gaps = [g for g in stored_gaps(state) if g.school_code in codes]
    costs = CostSettings.objects.order_by("pk").first()
    return cost_gaps(gaps, costs.data if costs else {})
