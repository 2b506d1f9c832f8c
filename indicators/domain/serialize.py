"""The evaluation as a JSON-able dict, and JSON text whose numbers are the decimals' own digits.

Stored values are rounded (6 decimal places, trailing zeros dropped) for storing and showing only: every met
flag in the dict was computed by the engine on unrounded values and is copied, never re-derived. `dumps`
writes a Decimal as a JSON number from its digits (Decimal('0.5153') → 0.5153), never through a float;
`loads` reads numbers with a fraction back as Decimals.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from .chunks import digest as run_digest
from .chunks import element as run_element
from .chunks import join as join_runs
from .chunks import split as split_runs
from .cv import CvStats
from .decimals import PRECISION, quantize
from .evaluate import Evaluation
from .gaps import CvImprovement, Gap
from .gcpause import without_gc
from .guarantee import ItemResult, SchoolCheck
from .memo import Memo, plain
from .resource import SectionResult
from .status import MET, Finding

PLACES = 6


def jsonable(obj: Any, places: int = PLACES) -> Any:
    """Decimals rounded to `places`, tuples and sets as lists, keys as strings; everything else as is."""
    cls = obj.__class__
    if cls is Decimal:
        return quantize(obj, places)
    if cls is dict:
        return {str(k): jsonable(v, places) for k, v in obj.items()}
    if cls is str or cls is int or cls is bool or obj is None:
        return obj
    if isinstance(obj, Decimal):
        return quantize(obj, places)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v, places) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v, places) for v in obj]
    return obj


def _finding(f: Finding, item_codes: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A finding; the detail of a school-level item is not repeated (it is under items[code].schools)."""
    d: dict[str, Any] = {"code": f.code, "reason": f.reason, "school": f.school_code, "section": f.section}
    if not f.definite:
        d["definite"] = False
    if f.detail and not (f.school_code and f.code in item_codes):
        d["detail"] = jsonable(f.detail)
    return d


def _stat(stats: CvStats | None, attr: str) -> Decimal | None:
    return None if stats is None else quantize(getattr(stats, attr), PLACES)


def _school_row(r: SectionResult) -> dict[str, Any]:
    u = r.unit
    row: dict[str, Any] = {
        "name": u.school_name,
        "township": u.township,
        "kind": u.kind,
        "students": u.students,
        "values": {c: quantize(x.value, PLACES) for c, x in r.results.items()},
        "status": {c: x.display_status for c, x in r.results.items()},
        "met": [c for c, x in r.results.items() if x.status == MET],
        "met_count": r.met_count,
        "passed": r.passed,
        "verdict": r.status,
        "share": quantize(u.share, PLACES),
    }
    if u.merged_points:
        row["merged_points"] = list(u.merged_points)
    return row


def _check(c: SchoolCheck, *, text: bool = False) -> dict[str, Any]:
    """A check's dict; with `text`, `_texts` of it built in one pass (Decimals rounded and written as their digits'
    text): 50,000 checks at 10,000 schools are encoded in a first run."""
    number, nested = (_rounded_text, rounded_texts) if text else (_quantized, jsonable)
    d: dict[str, Any] = {"status": c.status, "value": number(c.value)}
    if c.status != MET:
        if c.threshold is not None:
            d["threshold"] = number(c.threshold)
        d["detail"] = nested(c.detail)
        if c.reason:
            d["reason"] = c.reason
    return d


def _texts(obj: Any) -> Any:
    """A JSON-able form with its Decimals as their digits' text (what a Decimal becomes in a stored JSON document)."""
    cls = obj.__class__
    if cls is Decimal:
        return decimal_text(obj)
    if cls is dict:
        return {k: _texts(v) for k, v in obj.items()}
    if cls is list:
        return [_texts(v) for v in obj]
    return obj


def rounded_texts(obj: Any) -> Any:
    """`_texts(jsonable(obj))` in one pass: Decimals rounded to PLACES and written as their digits' text, tuples and
    sets as lists, keys as strings."""
    cls = obj.__class__
    if cls is str or cls is int or cls is bool or obj is None:
        return obj
    if cls is Decimal:
        return decimal_text(quantize(obj, PLACES))
    if cls is dict:
        return {str(k): rounded_texts(v) for k, v in obj.items()}
    if isinstance(obj, Decimal):
        return decimal_text(quantize(obj, PLACES))
    if isinstance(obj, Mapping):
        return {str(k): rounded_texts(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [rounded_texts(v) for v in obj]
    return obj


def _quantized(d: Decimal | None) -> Decimal | None:
    return quantize(d, PLACES)


def _rounded_text(d: Decimal | None) -> str | None:
    return None if d is None else decimal_text(quantize(d, PLACES))


def _decimal_default(obj: Any) -> str:
    if isinstance(obj, Decimal):
        return decimal_text(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


# A form whose Decimals are text already, as JSON text (what json_text in indicators.storing writes). json.dumps with
# any option builds an encoder per call; one kept encoder writes the same text (some 300,000 small texts in a first
# run at 10,000 schools).
_json = json.JSONEncoder(ensure_ascii=False, default=_decimal_default).encode


_MET_CHECK = '{"status": ' + _json(MET) + ', "value": '  # a met check's text up to its value (4 checks in 5)


def _check_element(c: SchoolCheck) -> tuple[str, bool]:
    """A check as an entry of its item's `schools` object, for chunks.split. A met check's text is written directly
    (`_json(_check(c, text=True))` writes the same: its value's digits need no escaping)."""
    if c.status == MET:
        value = _rounded_text(c.value)
        form = _MET_CHECK + ("null" if value is None else f'"{value}"') + "}"
    else:
        form = _json(_check(c, text=True))
    return run_element(f"{_json(c.school_code)}: {form}")


def _gap_element(g: Gap) -> tuple[str, bool]:
    return run_element(_json(_gap(g, text=True)))


def _finding_element(f: Finding, item_codes: frozenset[str]) -> tuple[str, bool]:
    return run_element(_json(_texts(_finding(f, item_codes))))


def _item(
    item: ItemResult,
    cached: Callable[..., Any] = plain,
    check: Callable[..., Any] | None = _check,
    *,
    records: bool = False,
) -> dict[str, Any]:
    d: dict[str, Any] = {"status": item.status, "passed": item.passed, "level": item.level}
    if isinstance(item.value, Decimal):
        d["value"] = quantize(item.value, PLACES)
    elif item.value is not None:
        d["value"] = item.value
    if item.parts:
        d["parts"] = {
            k: {"value": jsonable(p.value), "op": p.op, "threshold": jsonable(p.threshold), "status": p.status}
            for k, p in item.parts.items()
        }
    if item.level == "school":
        d["applicable"] = item.applicable
        if records:
            d["schools"] = _Records(_check_into, {c.school_code: c for c in item.schools})
        elif check is not None:
            d["schools"] = {c.school_code: cached(check, c) for c in item.schools}
    for key in ("reason", "note"):
        if getattr(item, key):
            d[key] = getattr(item, key)
    return d


def _gap(g: Gap, *, text: bool = False) -> dict[str, Any]:
    """A gap's dict; with `text`, `_texts` of it built in one pass (as `_check`)."""
    number, nested = (_rounded_text, rounded_texts) if text else (_quantized, jsonable)
    return {
        "code": g.code,
        "school": g.school_code,
        "section": g.section,
        "resource": g.resource,
        "quantity": number(g.quantity),
        "unit": g.unit,
        "detail": nested(g.detail),
    }


def _improvement(i: CvImprovement) -> dict[str, Any]:
    return {
        "cv": quantize(i.cv, PLACES),
        "limit": i.limit,
        "unit": i.unit,
        "reached": i.reached,
        "total_added": quantize(i.total_added, PLACES),
        "drivers": [
            {
                "school": d.school_code,
                "students": d.students,
                "value": quantize(d.value, PLACES),
                "cv_if_raised": quantize(d.cv_if_raised, PLACES),
                "added": quantize(d.added, PLACES),
            }
            for d in i.drivers
        ],
        "steps": [
            {
                "school": s.school_code,
                "students": s.students,
                "value_before": quantize(s.value_before, PLACES),
                "value_after": quantize(s.value_after, PLACES),
                "added": quantize(s.added, PLACES),
                "cv_after": quantize(s.cv_after, PLACES),
            }
            for s in i.steps
        ],
    }


@without_gc
def evaluation_to_json_dict(
    ev: Evaluation,
    school_rows: bool = True,
    memo: Memo | None = None,
    school_checks: bool = True,
    *,
    records: bool = False,
) -> dict[str, Any]:
    """The stored form of an evaluation (Decimals kept as Decimals; write it with `dumps`). `school_rows=False`
    leaves out each section's rows by school (the portal stores them as rows of their own). `memo`
    (`domain.memo.Memo`): the form of the schools' checks and gaps kept from the last run, by object (the dicts
    are shared with it: read them, never change them). `school_checks=False` leaves out the school-level items'
    checks (`schools`), the gaps and the county's blocking findings (None in their place: `result_parts` writes them
    from the text kept for each). `records=True` (for
    `evaluation_text` only): the entries of the long lists (rows by school, checks, gaps, findings) are placeholders
    that `dumps_indented` writes straight from the engine's objects, as the text of the dicts they stand for."""
    cached = memo or plain
    sections: dict[str, Any] = {}
    for s, table in ev.sections.items():
        sections[s] = {
            "cv_limit": table.limit,
            "mean": {c: _stat(st, "mean") for c, st in table.stats.items()},
            "sd": {c: _stat(st, "sd") for c, st in table.stats.items()},
            "cv": {c: (None if st is None else quantize(st.cv, PLACES)) for c, st in table.stats.items()},
            "cv_met": table.met,
            "cv_status": dict(table.status),
            "cv_passed": table.passed,
            "cv_missing": {c: list(v) for c, v in table.missing.items()},
            "informational_mean_cv": quantize(table.informational_mean_cv, PLACES),
            "units": table.n_units,
        }
        if school_rows:
            sections[s]["schools"] = (
                _Records(_row_into, {r.school_code: r for r in ev.results_of(s)})
                if records
                else {r.school_code: _school_row(r) for r in ev.results_of(s)}
            )
    c = ev.completeness
    item_codes = frozenset(ev.items)
    improvements: dict[str, dict[str, Any]] = {}
    for (s, code), i in ev.cv_improvements.items():
        improvements.setdefault(s, {})[code] = _improvement(i)
    if records:
        blocking: Any = _Records(_finding_into, list(ev.blocking), (item_codes,))
        no_data: Any = _Records(_finding_into, list(ev.no_data), (item_codes,))
        gaps: Any = _Records(_gap_into, list(ev.gaps))
    else:
        blocking = [cached(_finding, f, item_codes, key=(item_codes,)) for f in ev.blocking] if school_checks else None
        no_data = [cached(_finding, f, item_codes, key=(item_codes,)) for f in ev.no_data]
        gaps = [cached(_gap, g) for g in ev.gaps] if school_checks else []
    return {
        "standard": {"code": ev.standard_code, "version": ev.standard_version, "label": ev.standard_label},
        "policy": ev.policy,
        "provisional": ev.provisional,
        "completeness": {
            "complete": c.complete,
            "schools": c.label,
            "schools_expected": c.schools_expected,
            "schools_with_figures": c.schools_with_figures,
            "missing_schools": list(c.missing_schools),
            "unexpected_schools": list(c.unexpected_schools),
            "missing_items": list(c.missing_items),
        },
        "sections": sections,
        "county": {
            "passed": ev.passed,
            "provisional": ev.provisional,
            "blocking": blocking,
            "not_evaluated": list(ev.not_evaluated_codes),
            "no_data": no_data,
            **({} if ev.precondition is None else {"precondition": jsonable(vars(ev.precondition))}),
        },
        "areas": {
            a: {"passed": v.passed, "blocking": len(v.blocking), "no_data": len(v.no_data)} for a, v in ev.areas.items()
        },
        "items": {
            code: _item(item, cached, _check if school_checks else None, records=records)
            for code, item in ev.items.items()
        },
        "not_evaluated": [
            {"school": n.school_code, "section": n.section, "reason": n.reason} for n in ev.not_evaluated
        ],
        "gaps": gaps,
        "cv_improvements": improvements,
    }


RESULT_KEYS = (
    "gaps",
    "cv_improvements",
    "items",
    "sections",
    "county",
    "completeness",
    "policy",
    "standard",
    "provisional",
    "areas",
)


@without_gc
def result_parts(ev: Evaluation, memo: Memo | None = None) -> tuple[str, dict[str, str]]:
    """The portal's stored result document (the keys of RESULT_KEYS of `evaluation_to_json_dict(ev,
    school_rows=False)`, Decimals as strings) in parts: the JSON text of the document without its long lists (the
    gaps, each school-level item's checks by school, the county's blocking findings: some 17,000 at 10,000 schools)
    but with the digests of their runs under `runs`, and the runs'
    texts by digest (`chunks`; `assemble` puts the document back together). Each check's and gap's JSON text is
    kept by `memo` from one run to the next for the objects read back unchanged: only the changed families' are
    encoded again, and only the runs they fall in change."""
    cached = memo or plain
    full = evaluation_to_json_dict(ev, school_rows=False, memo=memo, school_checks=False)
    texts: dict[str, str] = {}

    def runs(elements) -> list[str]:
        out = []
        for run in split_runs(elements):
            key = run_digest(run)
            texts[key] = run
            out.append(key)
        return out

    schools = {
        code: runs(cached(_check_element, c) for c in item.schools)
        for code, item in ev.items.items()
        if item.level == "school"
    }
    item_codes = frozenset(ev.items)
    codes_key = ",".join(sorted(item_codes))  # compared at each lookup: a string compares faster than a set
    blocking = runs(cached(_finding_element, f, item_codes, key=(codes_key,)) for f in ev.blocking)
    doc = {key: full[key] for key in RESULT_KEYS if key != "gaps"}
    doc["runs"] = {"gaps": runs(cached(_gap_element, g) for g in ev.gaps), "schools": schools, "blocking": blocking}
    return _json(doc), texts


def assemble(doc: dict[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """The whole result document from its parts (`result_parts`: the stored document and its runs' texts by digest).
    A document stored whole (no `runs`) is returned as it is."""
    runs = doc.get("runs")
    if runs is None:
        return doc
    out = {k: v for k, v in doc.items() if k != "runs"}
    out["gaps"] = json.loads(f"[{join_runs(runs['gaps'], texts)}]")
    items = dict(out["items"])
    for code, digests in runs["schools"].items():
        items[code] = {**items[code], "schools": json.loads(f"{{{join_runs(digests, texts)}}}")}
    out["items"] = items
    if "blocking" in runs:  # stored in runs since the fifth session; before, whole under county
        out["county"] = {**out["county"], "blocking": json.loads(f"[{join_runs(runs['blocking'], texts)}]")}
    return out


def decimal_text(d: Decimal) -> str:
    """A Decimal's digits as a JSON number: plain notation, no float in between."""
    if not d.is_finite():
        raise ValueError(f"{d} cannot be written as a JSON number")
    text = str(d)
    return format(d, "f") if "E" in text else text


def dumps(obj: Any, **kwargs: Any) -> str:
    """json.dumps writing each Decimal as a raw JSON number (e.g. 0.5153) from its own digits.

    The json module cannot emit raw text for a custom type, so each Decimal goes out as a string wrapped in
    a random per-call marker (64 random bits: no other string can carry it) whose quotes are then removed.
    """
    marker = f"~dec{secrets.token_hex(8)}~"

    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"{marker}{decimal_text(o)}{marker}"
        if isinstance(o, set | frozenset):
            return sorted(o)
        raise TypeError(f"{type(o).__name__} is not JSON serializable")

    kwargs.setdefault("ensure_ascii", False)
    text = json.dumps(obj, default=default, **kwargs)
    return text.replace(f'"{marker}', "").replace(f'{marker}"', "")


_encode_text = json.encoder.encode_basestring  # the json module's own (C) string encoder, ensure_ascii=False


def dumps_indented(obj: Any) -> str:
    """`dumps(obj, indent=2)`, same text, in a fraction of the time on a big evaluation: json's encoder runs in pure
    Python as soon as `indent` is given, one generator step per value. Here the text goes into one list, a
    container's scalar values written in its own loop (one append each, no call), and the whole joined once.
    Handles what evaluation_to_json_dict gives (dicts with text keys, lists, text, numbers, booleans, None, Decimals,
    sets); anything else goes to `dumps`."""
    out: list[str] = []
    try:
        _write(obj, 0, out)
    except _Unusual:
        return dumps(obj, indent=2)
    return _written(out)


_newlines = ["\n" + "  " * depth for depth in range(32)]  # "\n" and the indent of each depth
# A key's JSON text and ": ", kept while a document is written (its keys are field names, codes and the schools'
# codes, each met thousands of times) and dropped after it (`_written`).
_key_texts: dict[str, str] = {}


def _key_text(key: Any) -> str:
    if key.__class__ is not str:
        if not isinstance(key, str):
            raise _Unusual
        return _encode_text(key) + ": "
    text = _key_texts.get(key)
    if text is None:
        text = _key_texts[key] = _encode_text(key) + ": "
    return text


def _written(out: list[str]) -> str:
    if len(_key_texts) > 1000:
        _key_texts.clear()
    return "".join(out)


def _write(o: Any, depth: int, out: list[str]) -> None:
    """Append the text of `o` at `depth` to `out`. Values of exactly str, Decimal, int, bool or None are written
    inline; containers recurse; anything else (subclasses, floats, sets) is written by `_indented`."""
    cls = o.__class__
    if cls is _Records:
        _write_records(o, depth, out)
        return
    if cls is not dict and cls is not list and cls is not tuple:
        out.append("".join(_indented(o, _newlines[depth] if depth < len(_newlines) else "\n" + "  " * depth)))
        return
    if not o:
        out.append("{}" if cls is dict else "[]")
        return
    if depth + 1 >= len(_newlines):
        _newlines.extend("\n" + "  " * d for d in range(len(_newlines), depth + 2))
    inner = _newlines[depth + 1]
    comma = "," + inner
    encode = _encode_text
    if cls is dict:
        sep = "{" + inner
        texts = _key_texts
        for k, v in o.items():
            head = sep + (texts.get(k) or _key_text(k))
            vc = v.__class__
            if vc is str:
                out.append(head + encode(v))
            elif vc is Decimal:
                t = str(v)
                out.append(head + (decimal_text(v) if "E" in t or "N" in t or "n" in t else t))
            elif v is None:
                out.append(head + "null")
            elif v is True:
                out.append(head + "true")
            elif v is False:
                out.append(head + "false")
            elif vc is int:
                out.append(head + int.__repr__(v))
            else:
                out.append(head)
                _write(v, depth + 1, out)
            sep = comma
        out.append(_newlines[depth] + "}")
        return
    sep = "[" + inner
    for v in o:
        vc = v.__class__
        if vc is str:
            out.append(sep + encode(v))
        elif vc is Decimal:
            t = str(v)
            out.append(sep + (decimal_text(v) if "E" in t or "N" in t or "n" in t else t))
        elif vc is int:
            out.append(sep + int.__repr__(v))
        else:
            out.append(sep)
            _write(v, depth + 1, out)
        sep = comma
    out.append(_newlines[depth] + "]")


class _Unusual(Exception):
    """A value dumps_indented leaves to json (a non-text key, a float that is not finite, an unknown type)."""


def evaluation_text(ev: Evaluation) -> str:
    """`dumps_indented(evaluation_to_json_dict(ev))`, the same text, with the long lists' entries (rows by school,
    school-level checks, gaps, findings: most of the 39 MB of a 10,000-school county) written straight from the
    engine's objects instead of through a dict each. What `manage.py evaluate --format json` prints."""
    try:
        out: list[str] = []
        _write(evaluation_to_json_dict(ev, records=True), 0, out)
        return _written(out)
    except _Unusual:
        return dumps(evaluation_to_json_dict(ev), indent=2)


class _Records:
    """A placeholder in the dict of `evaluation_to_json_dict(records=True)` for one of the long lists (a list, or a
    dict by school code, of engine objects): `write(obj, depth, out, *args)` appends the text of one entry's dict."""

    __slots__ = ("write", "objs", "args")

    def __init__(self, write: Callable[..., None], objs: dict[str, Any] | list[Any], args: tuple = ()) -> None:
        self.write, self.objs, self.args = write, objs, args


def _write_records(records: _Records, depth: int, out: list[str]) -> None:
    objs, write, args = records.objs, records.write, records.args
    keyed = objs.__class__ is dict
    if not objs:
        out.append("{}" if keyed else "[]")
        return
    inner = _newline(depth + 1)
    comma = "," + inner
    if keyed:
        sep = "{" + inner
        texts = _key_texts
        for k, obj in objs.items():
            out.append(sep + (texts.get(k) or _key_text(k)))
            write(obj, depth + 1, out, *args)
            sep = comma
        out.append(_newlines[depth] + "}")
    else:
        out.append("[" + inner)
        first = True
        for obj in objs:
            if not first:
                out.append(comma)
            first = False
            write(obj, depth + 1, out, *args)
        out.append(_newlines[depth] + "]")


def _newline(depth: int) -> str:
    if depth >= len(_newlines):
        _newlines.extend("\n" + "  " * d for d in range(len(_newlines), depth + 1))
    return _newlines[depth]


def _text(v: Any, newline: str) -> str:
    """The text `_write` gives a value whose newline (and indent) is `newline`."""
    cls = v.__class__
    if cls is str:
        return _encode_text(v)
    if cls is Decimal:
        t = str(v)
        return decimal_text(v) if "E" in t or "N" in t or "n" in t else t
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if cls is int:
        return int.__repr__(v)
    out: list[str] = []
    _write(v, (len(newline) - 1) // 2, out)
    return "".join(out)


def _num(v: Any) -> str:
    """The text of a number (a quantized Decimal, None, an int)."""
    if v.__class__ is Decimal:
        t = str(v)
        return decimal_text(v) if "E" in t or "N" in t or "n" in t else t
    return _text(v, "\n")


def _pairs(pairs: list[tuple[Any, Any]], depth: int) -> str:
    """The text of a dict of these (key, value) pairs at `depth`."""
    if not pairs:
        return "{}"
    inner = _newline(depth + 1)
    return (
        "{"
        + inner
        + ("," + inner).join((_key_texts.get(k) or _key_text(k)) + _text(v, inner) for k, v in pairs)
        + _newlines[depth]
        + "}"
    )


def _rounded_pairs(pairs: list[tuple[Any, Any]], depth: int) -> str:
    """The text of a dict of these (key, value) pairs at `depth`, each value rounded (`quantize`)."""
    if not pairs:
        return "{}"
    inner = _newline(depth + 1)
    texts = _key_texts
    return (
        "{"
        + inner
        + ("," + inner).join((texts.get(k) or _key_text(k)) + _round_text(v) for k, v in pairs)
        + _newlines[depth]
        + "}"
    )


def _items(values: list[Any], depth: int) -> str:
    """The text of a list of these values at `depth`."""
    if not values:
        return "[]"
    inner = _newline(depth + 1)
    return "[" + inner + ("," + inner).join(_text(v, inner) for v in values) + _newlines[depth] + "]"


def _write_jsonable(o: Any, depth: int, out: list[str]) -> None:
    """`_write(jsonable(o), depth, out)` without the copy: Decimals rounded as they are written. A key that is not
    text raises _Unusual (`evaluation_text` then writes through json)."""
    cls = o.__class__
    if cls is dict or (cls is not list and cls is not Decimal and isinstance(o, Mapping)):
        if not o:
            out.append("{}")
            return
        inner = _newline(depth + 1)
        sep = "{" + inner
        comma = "," + inner
        texts = _key_texts
        for k, v in o.items():
            head = sep + (texts.get(k) or _key_text(k))
            sep = comma
            vc = v.__class__
            if vc is str:
                out.append(head + _encode_text(v))
            elif vc is int:
                out.append(head + int.__repr__(v))
            elif vc is Decimal:
                out.append(head + _rounded(v))
            elif v is None:
                out.append(head + "null")
            elif vc is bool:
                out.append(head + ("true" if v else "false"))
            elif (vc is list or vc is tuple) and not v:
                out.append(head + "[]")
            else:
                out.append(head)
                _write_jsonable(v, depth + 1, out)
        out.append(_newlines[depth] + "}")
    elif cls is Decimal:
        out.append(_rounded(o))
    elif cls is str:
        out.append(_encode_text(o))
    elif cls is list or cls is tuple or isinstance(o, list | tuple | set | frozenset):
        if not o:
            out.append("[]")
            return
        inner = _newline(depth + 1)
        sep = "[" + inner
        comma = "," + inner
        for v in o:
            vc = v.__class__
            if vc is str:
                out.append(sep + _encode_text(v))
            elif vc is int:
                out.append(sep + int.__repr__(v))
            elif vc is Decimal:
                out.append(sep + _rounded(v))
            else:
                out.append(sep)
                _write_jsonable(v, depth + 1, out)
            sep = comma
        out.append(_newlines[depth] + "]")
    else:
        _write(jsonable(o), depth, out)


_round = Context(prec=PRECISION, rounding=ROUND_HALF_UP).quantize  # as decimals.quantize rounds
_PLACES_EXPONENT = Decimal(1).scaleb(-PLACES)


def _rounded(d: Decimal) -> str:
    """`_num(quantize(d, PLACES))` for a Decimal: the digits of d rounded half up to 6 places, trailing zeros and a
    bare point dropped, no "-0"."""
    t = str(_round(d, _PLACES_EXPONENT))
    if "." not in t or "E" in t:  # not finite, or not plain: the general way (which raises for a NaN)
        return _num(quantize(d, PLACES))
    t = t.rstrip("0").rstrip(".")
    return "0" if t == "-0" else t


def _round_text(v: Any) -> str:
    """`_num(quantize(v, PLACES))`."""
    return _rounded(v) if v.__class__ is Decimal else _num(quantize(v, PLACES))


# The writers of the long lists' entries. Each writes the text of its dict builder's dict (`_school_row`, `_check`,
# `_gap`, `_finding`) for the engine's own types; a field of another type (a TypeError from the string encoder) sends
# the entry through its dict builder and `_write`, which gives the same text.


def _row_into(r: SectionResult, depth: int, out: list[str]) -> None:
    u = r.unit
    i1 = _newline(depth + 1)
    c1 = "," + i1
    results = r.results.items()
    encode = _encode_text
    try:
        text = (
            f'{{{i1}"name": {encode(u.school_name)}{c1}"township": {encode(u.township)}'
            f'{c1}"kind": {encode(u.kind)}{c1}"students": {_text(u.students, i1)}'
            f'{c1}"values": {_rounded_pairs([(c, x.value) for c, x in results], depth + 1)}'
            f'{c1}"status": {_pairs([(c, x.display_status) for c, x in results], depth + 1)}'
            f'{c1}"met": {_items([c for c, x in results if x.status == MET], depth + 1)}'
            f'{c1}"met_count": {_text(r.met_count, i1)}{c1}"passed": {_text(r.passed, i1)}'
            f'{c1}"verdict": {encode(r.status)}{c1}"share": {_round_text(u.share)}'
        )
    except TypeError:
        _write(_school_row(r), depth, out)
        return
    if u.merged_points:
        text += f'{c1}"merged_points": {_items(list(u.merged_points), depth + 1)}'
    out.append(text + _newlines[depth] + "}")


def _check_into(c: SchoolCheck, depth: int, out: list[str]) -> None:
    i1 = _newline(depth + 1)
    c1 = "," + i1
    try:
        text = f'{{{i1}"status": {_encode_text(c.status)}{c1}"value": {_round_text(c.value)}'
        if c.status != MET:
            if c.threshold is not None:
                text += f'{c1}"threshold": {_round_text(c.threshold)}'
            reason = f'{c1}"reason": {_encode_text(c.reason)}' if c.reason else ""
    except TypeError:
        _write(_check(c), depth, out)
        return
    if c.status != MET:
        out.append(text + c1 + '"detail": ')
        _write_jsonable(c.detail, depth + 1, out)
        text = reason
    out.append(text + _newlines[depth] + "}")


def _gap_into(g: Gap, depth: int, out: list[str]) -> None:
    i1 = _newline(depth + 1)
    c1 = "," + i1
    encode = _encode_text
    try:
        text = (
            f'{{{i1}"code": {encode(g.code)}{c1}"school": {encode(g.school_code)}'
            f'{c1}"section": {encode(g.section)}{c1}"resource": {encode(g.resource)}'
            f'{c1}"quantity": {_round_text(g.quantity)}{c1}"unit": {encode(g.unit)}{c1}"detail": '
        )
    except TypeError:
        _write(_gap(g), depth, out)
        return
    out.append(text)
    _write_jsonable(g.detail, depth + 1, out)
    out.append(_newlines[depth] + "}")


def _finding_into(f: Finding, depth: int, out: list[str], item_codes: frozenset[str]) -> None:
    i1 = _newline(depth + 1)
    c1 = "," + i1
    encode = _encode_text
    try:
        text = (
            f'{{{i1}"code": {encode(f.code)}{c1}"reason": {encode(f.reason)}'
            f'{c1}"school": {encode(f.school_code)}{c1}"section": {encode(f.section)}'
        )
    except TypeError:
        _write(_finding(f, item_codes), depth, out)
        return
    if not f.definite:
        text += f'{c1}"definite": false'
    if f.detail and not (f.school_code and f.code in item_codes):
        out.append(text + c1 + '"detail": ')
        _write_jsonable(f.detail, depth + 1, out)
        text = ""
    out.append(text + _newlines[depth] + "}")


def _indented(o: Any, newline: str) -> list[str]:
    if isinstance(o, str):
        return [_encode_text(o)]
    if o is None:
        return ["null"]
    if o is True:
        return ["true"]
    if o is False:
        return ["false"]
    if isinstance(o, int):
        return [int.__repr__(o)]
    if isinstance(o, Decimal):
        return [decimal_text(o)]
    if isinstance(o, float):
        if o != o or o in (float("inf"), float("-inf")):
            raise _Unusual
        return [float.__repr__(o)]
    inner = newline + "  "
    if isinstance(o, dict):
        if not o:
            return ["{}"]
        parts = []
        for k, v in o.items():
            if not isinstance(k, str):
                raise _Unusual
            parts.append(_encode_text(k) + ": " + "".join(_indented(v, inner)))
        return ["{", inner, ("," + inner).join(parts), newline, "}"]
    if isinstance(o, list | tuple | set | frozenset):
        items = sorted(o) if isinstance(o, set | frozenset) else o
        if not items:
            return ["[]"]
        return ["[", inner, ("," + inner).join("".join(_indented(v, inner)) for v in items), newline, "]"]
    raise _Unusual


def loads(text: str) -> Any:
    """Read JSON written by `dumps`, numbers with a fraction or exponent as Decimals."""
    return json.loads(text, parse_float=Decimal)
