"""The findings of the rules engine (schools.quality), as this app reads them: one import point, so a test can pin
which findings a return has."""

from __future__ import annotations

from schools.quality.findings import Finding, findings_for_return, findings_for_returns

__all__ = ["Finding", "findings_for_return", "findings_for_returns", "warnings_of"]


def warnings_of(findings) -> list[Finding]:
    return [f for f in findings if f.importance == "warning"]
