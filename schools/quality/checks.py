"""The built-in checks behind the findings contract: the bureau's rules and the county outliers.

Each check is `(returns: list[ReturnData], context: Context) -> {return_id: [Finding, ...]}`. What a check loads
(the active rules, the county distribution, the statistics values) is loaded once per context, whatever the number
of returns. A rule that cannot be evaluated for a return is skipped with its reason in `context.skipped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from schools.models import FIGURE_FIELDS, KIND_SECTIONS, ReturnStatus, SchoolReturn

from . import outliers
from .base import CHANGE, OUTLIER, RULE, STAT_SOURCES, WARNING, Context, Finding, ReturnData
from .expressions import OPERATOR_WORDS, OPERATORS, Env, Expression, ExpressionError, NoValue, parse


def number_text(value: Decimal) -> str:
    """A value as a message shows it: integers plain, others to at most 2 decimals."""
    if value == value.to_integral_value():
        return f"{value:.0f}"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.4g}"


@dataclass(frozen=True)
class CompiledRule:
    code: str
    label: str
    importance: str
    operator: str
    left: Expression
    right: Expression
    field: str
    section: str
    kinds: frozenset
    locations: frozenset
    kind: str  # "change" when it reads prev(), else "rule"

    def applies(self, data: ReturnData, sections: tuple[str, ...]) -> bool:
        return (
            (not self.section or self.section in sections)
            and (not self.kinds or data.kind in self.kinds)
            and (not self.locations or data.location in self.locations)
        )


def compile_rule(rule) -> CompiledRule:
    """A Rule (model row or anything with its attributes) compiled; ExpressionError names the side refused."""
    try:
        left = parse(rule.left)
    except ExpressionError as exc:
        raise ExpressionError(_("左侧表达式：%(reason)s") % {"reason": exc}) from None
    try:
        right = parse(rule.right)
    except ExpressionError as exc:
        raise ExpressionError(_("右侧表达式：%(reason)s") % {"reason": exc}) from None
    if rule.operator not in OPERATORS:
        raise ExpressionError(_("比较运算“%(op)s”无效。") % {"op": rule.operator})
    if rule.field and rule.field not in FIGURE_FIELDS:
        raise ExpressionError(_("“%(field)s”不是填报指标名称。") % {"field": rule.field})
    field = rule.field or (left.figures or right.figures or ("",))[0]
    return CompiledRule(
        code=rule.code,
        label=rule.label,
        importance=rule.importance,
        operator=rule.operator,
        left=left,
        right=right,
        field=field,
        section=rule.section or "",
        kinds=frozenset(rule.kinds or ()),
        locations=frozenset(rule.locations or ()),
        kind=CHANGE if (left.uses_prev or right.uses_prev) else RULE,
    )


def active_rules(context: Context) -> list[CompiledRule]:
    """The active rules, loaded and compiled once per context (one query). A stored rule that no longer compiles
    (it cannot be saved so, but a figure might be renamed) is left out and noted in `context.skipped[None]`."""
    if "rules" not in context.extra:
        from .models import Rule

        compiled = []
        for rule in Rule.objects.filter(active=True).order_by("code"):
            try:
                compiled.append(compile_rule(rule))
            except ExpressionError as exc:
                context.skipped.setdefault(None, []).append((rule.code, str(exc)))
        context.extra["rules"] = compiled
    return context.extra["rules"]


def stat_values(returns: list[ReturnData], context: Context) -> dict[int, dict]:
    """The statistics return's values by school, from every STAT_SOURCES entry, once per context."""
    if "stat" not in context.extra:
        values: dict[int, dict] = {}
        school_ids = sorted({r.school_id for r in returns})
        for year in sorted({r.year for r in returns}):
            for source in STAT_SOURCES:
                for school_id, figures in (source(school_ids, year) or {}).items():
                    values.setdefault(school_id, {}).update(figures)
        context.extra["stat"] = values
    return context.extra["stat"]


def _message(rule: CompiledRule, env: Env, left: Decimal, right: Decimal) -> str:
    named = []
    seen = set()
    for display, read in (*rule.left.terms, *rule.right.terms):
        if display in seen:
            continue
        seen.add(display)
        try:
            named.append(f"{display} {number_text(read(env))}")
        except NoValue:
            continue
    values = "，".join(named)
    if rule.left.source in FIGURE_FIELDS and len(rule.right.terms) <= 1:
        text = _("%(label)s：%(values)s。") % {"label": rule.label, "values": values}
    else:
        text = _("%(label)s：%(values)s，计算得%(left)s，应%(op)s%(right)s。") % {
            "label": rule.label,
            "values": values,
            "left": number_text(left),
            "op": OPERATOR_WORDS[rule.operator],
            "right": number_text(right),
        }
    return text + (_("请核实。") if rule.importance == WARNING else _("请更正。"))


def rule_checks(returns: list[ReturnData], context: Context) -> dict:
    rules = active_rules(context)
    if not rules:
        return {}
    stats = stat_values(returns, context) if any(r.left.uses_stat or r.right.uses_stat for r in rules) else {}
    out: dict = {}
    for data in returns:
        sections = KIND_SECTIONS.get(data.kind, ())
        env = Env(data.figures, data.classes, data.rooms, data.previous, stats.get(data.school_id))
        found = []
        for rule in rules:
            if not rule.applies(data, sections):
                continue
            try:
                left = rule.left.evaluate(env)
                right = rule.right.evaluate(env)
            except NoValue as exc:
                context.skipped.setdefault(data.return_id, []).append((rule.code, exc.reason))
                continue
            if OPERATORS[rule.operator](left, right):
                continue
            found.append(
                Finding(
                    rule_code=rule.code,
                    rule_label=rule.label,
                    importance=rule.importance,
                    field=rule.field,
                    message=_message(rule, env, left, right),
                    left=left,
                    right=right,
                    kind=rule.kind,
                )
            )
        if found:
            out[data.return_id] = found
    return out


def county_spreads(context: Context) -> dict[tuple[str, str, str], outliers.Spread]:
    """Each (ratio, section key, kind) group's median and MAD over every school's latest approved return: one query."""
    if "spreads" not in context.extra:
        rows = (
            SchoolReturn.objects.filter(status=ReturnStatus.APPROVED, school__deleted_at__isnull=True)
            .order_by("school_id", "-round__as_of", "-round_id")
            .values("school_id", "school__kind", *FIGURE_FIELDS)
        )
        groups: dict[tuple[str, str, str], list[Decimal]] = {}
        seen = set()
        for row in rows:
            if row["school_id"] in seen:
                continue
            seen.add(row["school_id"])
            kind = row["school__kind"]
            for (code, key), (value, _field) in outliers.ratios_of(kind, row).items():
                groups.setdefault((code, key, kind), []).append(value)
        context.extra["spreads"] = {group: outliers.spread(values) for group, values in groups.items()}
    return context.extra["spreads"]


def outlier_scores(data: ReturnData, context: Context) -> list[tuple[outliers.Ratio, str, str, outliers.Score]]:
    """(ratio, section key, field, score) for each ratio the return has; a score's z is None when not compared."""
    spreads = county_spreads(context)
    empty = outliers.spread([])
    out = []
    for (code, key), (value, field) in outliers.ratios_of(data.kind, data.figures).items():
        group = spreads.get((code, key, data.kind), empty)
        out.append((outliers.RATIO_BY_CODE[code], key, field, outliers.score(value, group)))
    return out


def outlier_checks(returns: list[ReturnData], context: Context) -> dict:
    out: dict = {}
    for data in returns:
        found = []
        for ratio, key, field, s in outlier_scores(data, context):
            if not s.flagged:
                continue
            found.append(
                Finding(
                    rule_code=f"outlier.{ratio.code}",
                    rule_label=_("%(ratio)s明显偏离全市同类学校") % {"ratio": ratio.label},
                    importance=WARNING,
                    field=field,
                    message=_(
                        "%(ratio)s（%(section)s）为%(value)s，全市同类学校（%(n)s所）中位数为%(median)s，"
                        "稳健Z值%(z)s，超出±3.5。请核实。"
                    )
                    % {
                        "ratio": ratio.label,
                        "section": outliers.section_label(key),
                        "value": number_text(s.value),
                        "n": s.spread.size,
                        "median": number_text(s.spread.median),
                        "z": number_text(s.z),
                    },
                    left=s.value,
                    right=s.spread.median,
                    kind=OUTLIER,
                )
            )
        if found:
            out[data.return_id] = found
    return out


def builtin_checks():
    return (rule_checks, outlier_checks)
