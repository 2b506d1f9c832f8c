"""One verdict vocabulary for every page, export and PDF (GLOSSARY's result words).

Indicators read 达标 / 未达标 / 无数据. A school section, an area and the county read 通过 / 未通过; while the data is
incomplete the verdict says 暂定 and what is missing. `verdict()` is the one function that turns a three-valued
`passed` (True / False / None, as the evaluation stores it) into those words; the section, area and county helpers
only say where `passed`, `provisional` and the missing list come from. The API keeps the English `code`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

INDICATOR_WORDS = {
    "met": _("达标"),
    "not_met": _("未达标"),
    "within_tolerance": _("未达标（不低于85%）"),
    "no_data": _("无数据"),
    "not_evaluated": _("不参评"),
}
PASSED, NOT_PASSED, PROVISIONAL, NOT_EVALUATED = "passed", "not_passed", "provisional", "not_evaluated"
WORDS = {PASSED: _("通过"), NOT_PASSED: _("未通过"), PROVISIONAL: _("暂定"), NOT_EVALUATED: _("不参评")}
CSS = {PASSED: "met", NOT_PASSED: "not-met", PROVISIONAL: "no-data", NOT_EVALUATED: "not-evaluated"}
# A school section's stored status (the 6-of-7 rule) → passed.
SECTION_PASSED = {"passed": True, "passed_within_tolerance": True, "failed": False, "no_data": None}


@dataclass(frozen=True)
class Verdict:
    """`code` for machines (passed / not_passed / provisional / not_evaluated), `word` and `label` for people."""

    code: str
    provisional: bool = False
    missing: tuple[str, ...] = ()
    qualifier: str = ""

    @property
    def word(self) -> str:
        return str(WORDS[self.code])

    @property
    def label(self) -> str:
        """通过 / 未通过 / 暂定, with （暂定） after a failure found while data is still missing."""
        text = self.word
        if self.qualifier:
            text += f"（{self.qualifier}）"
        if self.provisional and self.code == NOT_PASSED:
            text += str(_("（暂定）"))
        return text

    @property
    def missing_text(self) -> str:
        return "、".join(self.missing)

    @property
    def css(self) -> str:
        return CSS[self.code]

    def __str__(self) -> str:
        return self.label


def verdict(*, passed: bool | None, provisional: bool = False, missing: Iterable[str] = (), qualifier="") -> Verdict:
    """The one verdict of a section, an area or the county: never 通过 while provisional."""
    if passed is True and not provisional:
        code = PASSED
    elif passed is False:
        code = NOT_PASSED
    else:
        code = PROVISIONAL
    return Verdict(code, provisional or passed is None, tuple(str(m) for m in missing), str(qualifier))


def indicator_word(status: str | None) -> str:
    """达标 / 未达标 / 无数据 for one indicator's stored status."""
    return str(INDICATOR_WORDS.get(status or "no_data", status))


def section_verdict(status: str | None, missing: Iterable[str] = ()) -> Verdict:
    """A school section under the 6-of-7 rule (its stored `SectionVerdict.status`)."""
    if status == "not_evaluated":
        return Verdict(NOT_EVALUATED)
    qualifier = _("一项不低于85%") if status == "passed_within_tolerance" else ""
    return verdict(passed=SECTION_PASSED.get(status or "no_data"), missing=missing, qualifier=qualifier)


def area_verdict(area: Mapping, provisional: bool = False) -> Verdict:
    """An area of the stored summary (`summary["areas"][i]`); what is missing: its codes without data."""
    return verdict(passed=area.get("passed"), provisional=provisional, missing=area.get("no_data", ()))


THIS_ROUND, CARRIED, NO_DATA = "this_round", "carried", "none"
BASIS_WORDS = {THIS_ROUND: _("本批次审核通过"), CARRIED: _("沿用此前审核数据"), NO_DATA: _("无审核数据")}


def data_basis(summary: Mapping | None) -> Mapping | None:
    """What the schools of a stored summary rest on (indicators.loading.data_basis); None for a summary stored before
    it was recorded (the next recompute adds it)."""
    basis = (summary or {}).get("basis")
    return basis if isinstance(basis, Mapping) and "counts" in basis else None


def basis_counts(summary: Mapping | None) -> dict[str, int] | None:
    """{"this_round": n, "carried": n, "none": n}, or None for an old summary."""
    basis = data_basis(summary)
    if basis is None:
        return None
    counts = basis["counts"]
    return {key: int(counts.get(key, 0)) for key in (THIS_ROUND, CARRIED, NO_DATA)}


def basis_text(summary: Mapping | None) -> str:
    """本批次审核通过 3 所，沿用此前审核数据 26 所（2025年9月统计），无审核数据 1 所; "" for an old summary."""
    counts = basis_counts(summary)
    if counts is None:
        return ""
    parts = [str(_("本批次审核通过 %(n)s 所")) % {"n": counts[THIS_ROUND]}]
    if counts[CARRIED]:
        names = "、".join(s["name"] for s in data_basis(summary).get("carried_from", []))
        text = str(_("沿用此前审核数据 %(n)s 所")) % {"n": counts[CARRIED]}
        parts.append(f"{text}（{names}）" if names else text)
    if counts[NO_DATA]:
        parts.append(str(_("无审核数据 %(n)s 所")) % {"n": counts[NO_DATA]})
    return "，".join(parts)


@dataclass(frozen=True)
class SchoolBasis:
    """Which data one school rests on: `code` this_round / carried / none, `label` in Chinese (naming the earlier
    round a carried-forward return comes from)."""

    code: str
    round_name: str = ""

    @property
    def label(self) -> str:
        if self.code == CARRIED and self.round_name:
            return str(_("沿用%(round)s审核数据")) % {"round": self.round_name}
        return str(BASIS_WORDS[self.code])


def school_basis(summary: Mapping | None, school_code: str) -> SchoolBasis | None:
    """One school's basis from a stored summary; None for an old summary."""
    basis = data_basis(summary)
    if basis is None:
        return None
    source = basis.get("carried", {}).get(school_code)
    if source is not None:
        names = {s["round"]: s["name"] for s in basis.get("carried_from", [])}
        return SchoolBasis(CARRIED, names.get(source, ""))
    if school_code in basis.get("none", ()):
        return SchoolBasis(NO_DATA)
    return SchoolBasis(THIS_ROUND)


def county_missing(summary: Mapping) -> list[str]:
    """What a provisional county verdict lacks: entry still open, schools without data, items without entries,
    other no-data items."""
    c = summary.get("completeness", {})
    out: list[str] = []
    basis = data_basis(summary)
    if basis is not None and basis.get("round_open"):
        out.append(str(_("本批次仍在填报中")))
    counts = basis_counts(summary)
    expected, have = c.get("schools_expected"), c.get("schools_with_data")
    if counts is not None and counts[NO_DATA]:
        out.append(basis_text(summary))
    elif counts is None and expected is not None and have is not None and have < expected:
        out.append(str(_("%(m)s所学校中%(n)s所有审核通过的数据")) % {"m": expected, "n": have})
    if c.get("missing_items"):
        out.append(str(_("未填报：%(items)s")) % {"items": "、".join(c["missing_items"])})
    listed = set(c.get("missing_items", []))
    others = [code for code in summary.get("county", {}).get("not_evaluated", []) if code not in listed]
    if others:
        out.append(str(_("无数据：%(items)s")) % {"items": "、".join(others)})
    return out


def county_verdict(summary: Mapping | None, computed: bool = True) -> Verdict:
    """The county verdict of a stored summary (EvaluationState.summary); not computed yet → provisional."""
    if not summary or not computed:
        return verdict(passed=None, provisional=True, missing=[str(_("尚未计算评估结果"))])
    county = summary.get("county", {})
    provisional = bool(summary.get("provisional", True))
    return verdict(passed=county.get("passed"), provisional=provisional, missing=county_missing(summary))
