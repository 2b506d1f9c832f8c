"""The findings of the rules engine (schools.quality), as this app reads them: one import point.

Until the rules engine is installed, the change warnings of schools.validation stand in, in the same shape.
"""

from __future__ import annotations

try:
    from schools.quality.findings import Finding, findings_for_return, findings_for_returns
except ImportError:  # pragma: no cover - replaced once schools.quality lands
    from dataclasses import dataclass

    from schools.selectors import last_approved_return, return_figures
    from schools.validation import _change_warnings

    @dataclass(frozen=True)
    class Finding:
        rule_code: str
        rule_label: str
        importance: str
        field: str
        message: str
        left: object = None
        right: object = None
        kind: str = "rule"

    def findings_for_return(school_return) -> list[Finding]:
        previous = last_approved_return(school=school_return.school, before_round=school_return.round)
        if previous is None:
            return []
        return [
            Finding(f"change.{p.field}", "变化幅度", "warning", p.field, p.message, kind="change")
            for p in _change_warnings(return_figures(school_return), return_figures(previous))
        ]

    def findings_for_returns(returns) -> dict:
        from schools.models import ReturnStatus, SchoolReturn

        returns = list(returns)
        approved = SchoolReturn.objects.filter(
            school_id__in={r.school_id for r in returns}, status=ReturnStatus.APPROVED
        ).select_related("round")
        out = {}
        for ret in returns:
            earlier = [
                p
                for p in approved
                if p.school_id == ret.school_id and p.round_id != ret.round_id and p.round.as_of <= ret.round.as_of
            ]
            previous = max(earlier, key=lambda p: (p.round.as_of, p.round_id), default=None)
            out[ret.pk] = (
                []
                if previous is None
                else [
                    Finding(f"change.{p.field}", "变化幅度", "warning", p.field, p.message, kind="change")
                    for p in _change_warnings(return_figures(ret), return_figures(previous))
                ]
            )
        return out


__all__ = ["Finding", "findings_for_return", "findings_for_returns", "warnings_of"]


def warnings_of(findings) -> list[Finding]:
    return [f for f in findings if f.importance == "warning"]
