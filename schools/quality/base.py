"""The findings contract's types and registries (re-exported by findings.py, where other apps import them).

What the data-quality checks say about a return, for forms, imports, review and reports.

A Finding is one implausible or impossible figure (or the whole return when `field` is ""). Other apps read
findings through `findings_for_return` / `findings_for_returns` only, and add their own checks by appending to
`EXTRA_CHECKS` (and values for `stat(figure)` to `STAT_SOURCES`) in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from schools.validation import ClassRow, RoomRow

ERROR = "error"
WARNING = "warning"
RULE, CHANGE, OUTLIER = "rule", "change", "outlier"


@dataclass(frozen=True)
class Finding:
    rule_code: str
    rule_label: str
    importance: str  # "error" | "warning"
    field: str  # the exchange figure name shown beside (GLOSSARY), or "" for a whole-return finding
    message: str  # Chinese, names the values
    left: Decimal | None
    right: Decimal | None
    kind: str  # "rule" | "change" | "outlier"

    @property
    def is_error(self) -> bool:
        return self.importance == ERROR


@dataclass(frozen=True)
class ReturnData:
    """What the checks read of one return (saved or about to be saved): plain data, no queries."""

    return_id: int | None
    school_id: int
    kind: str
    location: str
    year: int
    figures: dict
    classes: list[ClassRow]
    rooms: list[RoomRow]
    previous: dict | None = None  # the school's last approved figures before this round


@dataclass
class Context:
    """Loaded once per run and shared by every check: checks may cache what they load here (`extra`)."""

    year: int | None = None
    extra: dict = field(default_factory=dict)
    # Rules that could not be evaluated, by return id: [(rule code, Chinese reason)] (None: for every return).
    skipped: dict = field(default_factory=dict)


# Each `(returns: list[ReturnData], context: Context) -> {return_id: [Finding, ...]}`; filled by apps' ready().
EXTRA_CHECKS: list[Callable] = []
# Each `(school_ids, year) -> {school_id: {figure: Decimal}}`: the values `stat(figure)` reads (the statistics
# return). With none registered, or no value for a school, `stat()` has no value and a rule using it does not apply.
STAT_SOURCES: list[Callable] = []
