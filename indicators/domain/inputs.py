"""What an evaluation reads: each school's figures for one school year, the bureau's county entries, the survey.

Plain frozen dataclasses, filled by the portal from its models (or by tests by hand). Any figure may be None,
meaning unknown: the engine then reports `no_data` for what depends on it and never guesses a value.
Amounts are Decimals (ints accepted); floats are read through their repr.
The survey's own types (online responses, paper tallies, a scored result) live with its scoring in `survey.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .standard import KINDS, Standard, national_2017
from .survey import SurveyAnswers, SurveyResult

POLICIES = ("merge", "exclude_small", "include")
LOCATIONS = ("urban", "town", "rural")
TEACHER_FIGURES = ("teachers_above_required", "teachers_backbone", "teachers_pe_arts")
SHARED_FIGURES = ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_rooms")

Number = Decimal | int


@dataclass(frozen=True, slots=True)
class SectionFigures:
    """One section's figures of a school's return (the statistical returns already split teachers by section)."""

    students: int | None = None
    classes: int | None = None
    teachers: int | None = None
    teachers_above_required: int | None = None
    teachers_backbone: int | None = None
    teachers_pe_arts: int | None = None
    teachers_certified: int | None = None


@dataclass(frozen=True, slots=True)
class ClassFigures:
    """One row of the class list (G5 checks every class)."""

    section: str
    grade: int | None
    name: str
    students: int | None


@dataclass(frozen=True, slots=True)
class RoomFigures:
    """One music or art room (G3) with its area; an unknown area is None."""

    room: str  # "music" | "art"
    area_m2: Number | None


@dataclass(frozen=True, slots=True)
class SchoolFigures:
    """One school's return for the year. Shared resources are whole-school figures, split by `sections.py`."""

    code: str
    name: str = ""
    township: str = ""
    kind: str = "primary"
    location: str = "urban"
    ownership: str = "public"
    boarding: bool = False
    parent_code: str | None = None
    primary: SectionFigures | None = None
    junior: SectionFigures | None = None
    senior_students: int | None = None
    special_students: int | None = None
    special_teachers: int | None = None  # a special school's full-time teachers (it has no sections)
    special_teachers_certified: int | None = None
    teaching_area_m2: Number | None = None
    sports_area_m2: Number | None = None
    equipment_value_yuan: Number | None = None
    multimedia_rooms: Number | None = None
    public_funds_yuan: Number | None = None
    training_funds_yuan: Number | None = None
    classes: tuple[ClassFigures, ...] = ()
    rooms: tuple[RoomFigures, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"school {self.code}: unknown kind {self.kind!r}")

    def section(self, name: str) -> SectionFigures | None:
        return self.primary if name == "primary" else self.junior if name == "junior" else None


@dataclass(frozen=True)
class CountyEntry:
    """A county-level item entered by the bureau.

    Multi-part items keep their parts in `values`, keyed as the portal's entry form keys them (G8
    `teacher_pay`, `civil_servant_pay`, `performance_pay_budgeted`; G11 `rotated_percent`, `backbone_percent`;
    G13 `primary_percent`, `junior_percent`; G15 `percent`, `care_system`; Q9 `level`, `difference_rate`;
    yes/no items `met`; veto items `occurred`). A single-part item may give its one value as `value` instead.
    """

    code: str
    value: Decimal | bool | int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def part(self, key: str, single: bool) -> Any:
        """The entered value of one part; for a single-part item `value` stands in when `values` lacks it."""
        if key in self.values:
            return self.values[key]
        return self.value if single else None


@dataclass(frozen=True)
class Precondition:
    """The precondition of recognition: basic balance (基本均衡) recognised at least N years before the evaluation.

    `evaluation_year` is the school year evaluated (named by its first calendar year); `basic_balance_year` is the
    year of the county's basic-balance recognition from its profile, None when not entered.
    """

    evaluation_year: int
    basic_balance_year: int | None


@dataclass(frozen=True)
class EvaluationInput:
    """Everything one evaluation reads.

    `expected_school_codes` are the schools open that year: any of them without figures is reported missing
    and makes the evaluation provisional. `survey` is either an already scored `SurveyResult` (e.g. the
    national inspection's figure) or raw `SurveyAnswers` that the engine scores with `standard.survey`.
    """

    schools: tuple[SchoolFigures, ...]
    expected_school_codes: tuple[str, ...] = ()
    county_entries: dict[str, CountyEntry] = field(default_factory=dict)
    survey: SurveyResult | SurveyAnswers | None = None
    standard: Standard = field(default_factory=national_2017)
    teaching_point_policy: str = "merge"
    precondition: Precondition | None = None  # None: not checked (an evaluation of files without a county profile)

    def __post_init__(self) -> None:
        if self.teaching_point_policy not in POLICIES:
            raise ValueError(f"unknown teaching-point policy {self.teaching_point_policy!r}; one of {POLICIES}")
        counts = Counter(s.code for s in self.schools)
        if len(counts) != len(self.schools):
            raise ValueError(f"schools given twice: {sorted(c for c, n in counts.items() if n > 1)}")
