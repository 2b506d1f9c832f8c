"""Early-warning arithmetic: pure functions over plain numbers, tested against hand-worked examples.

Next year's class sizes move each grade's cohort up one grade:
- grades 2–6 and 8–9 are this year's grade below, in the classes that grade has now;
- grade 1 is this year's grade 1 again, or the bureau's intake estimate for the school where one is given;
- grade 7 is the grade 6 of every school of the same township, split between the township's junior sections by their
  current grade-7 shares (largest remainders, so no pupil is lost or invented); a township with grade-6 pupils and no
  grade 7 anywhere leaves them unplaced, and says so;
- grades 1 and 7 keep this year's number of classes.
A grade is over the cap when its pupils do not fit in its classes at the cap (the largest class of an even split is
above it). Places from projects finished before next year's reference date absorb pupils over the cap.

Per-student areas (R4, R5) are scaled by the growth of the section's class lists, plus the area of projects finished
before then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .status import MISSED

PRIMARY_GRADES = range(1, 7)
JUNIOR_GRADES = range(7, 10)
CLOSE_MARGIN = Decimal("1.1")


def section_of(grade: int) -> str:
    return "primary" if grade in PRIMARY_GRADES else "junior"


class Grade(NamedTuple):
    """One grade of a class list: its pupils and classes (immutable; a named tuple, as cheap to build as a tuple,
    since a county of 10,000 schools has about 60,000 of them)."""

    students: int
    classes: int


@dataclass(frozen=True)
class SchoolGrades:
    """One school's class list of this year, summed by grade."""

    school_id: int
    township_id: int
    grades: Mapping[int, Grade]


class GradeForecast(NamedTuple):
    """One grade next year (immutable; a named tuple like Grade)."""

    grade: int
    students: int
    classes: int
    cap: int

    @property
    def over(self) -> int:
        """Pupils beyond what the grade's classes hold at the cap."""
        return max(0, self.students - self.classes * self.cap)

    @property
    def extra_classes(self) -> int:
        if not self.over:
            return 0
        return -(-self.students // self.cap) - self.classes

    @property
    def average(self) -> Decimal | None:
        return Decimal(self.students) / self.classes if self.classes else None


@dataclass
class Forecast:
    grades: dict[int, dict[int, GradeForecast]] = field(default_factory=dict)  # school id → grade → forecast
    unplaced: dict[int, int] = field(default_factory=dict)  # township id → grade-6 pupils with no junior school


def split_by_shares(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """`total` split in proportion to `weights` in whole pupils (largest remainders; ties to the smaller key)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    floors, remainders = {}, []
    for key, w in weights.items():
        q, r = divmod(total * w, weight_sum)
        floors[key] = q
        remainders.append((-r, key))
    for _r, key in sorted(remainders)[: total - sum(floors.values())]:
        floors[key] += 1
    return floors


def next_year(
    schools: list[SchoolGrades], *, caps: Mapping[str, int], intakes: Mapping[int, int] | None = None
) -> Forecast:
    intakes = intakes or {}
    grade6: dict[int, int] = defaultdict(int)
    grade7_weights: dict[int, dict[int, int]] = defaultdict(dict)
    for s in schools:
        g6 = s.grades.get(6)
        grade6[s.township_id] += g6.students if g6 else 0
        g7 = s.grades.get(7)
        if g7 and g7.students > 0:
            grade7_weights[s.township_id][s.school_id] = g7.students
    grade7: dict[int, int] = {}
    out = Forecast()
    for township, pupils in grade6.items():
        weights = grade7_weights.get(township, {})
        if pupils and not weights:
            out.unplaced[township] = pupils
        grade7.update(split_by_shares(pupils, weights))
    # Grades 2–6 and 8–9 move up from the grade below; grades 1 and 7 keep their own classes. Written out
    # grade by grade, in grade order, since it runs for every school of the county.
    for s in schools:
        now, sid = s.grades, s.school_id
        rows: dict[int, GradeForecast] = {}
        source = now.get(1)
        students = intakes.get(sid, source.students if source else 0)
        classes = source.classes if source else 0
        if students or classes:
            rows[1] = GradeForecast(1, students, classes, caps["primary"])
        for grade in (2, 3, 4, 5, 6):
            source = now.get(grade - 1)
            if source is not None and (source.students or source.classes):
                rows[grade] = GradeForecast(grade, source.students, source.classes, caps["primary"])
        source = now.get(7)
        students = grade7.get(sid, 0)
        classes = source.classes if source else 0
        if students or classes:
            rows[7] = GradeForecast(7, students, classes, caps["junior"])
        for grade in (8, 9):
            source = now.get(grade - 1)
            if source is not None and (source.students or source.classes):
                rows[grade] = GradeForecast(grade, source.students, source.classes, caps["junior"])
        out.grades[sid] = rows
    return out


def section_students(grades: Mapping[int, object], section: str) -> int:
    total = 0
    for n in PRIMARY_GRADES if section == "primary" else JUNIOR_GRADES:
        g = grades.get(n)
        if g is not None:
            total += g.students
    return total


def over_after_projects(over: int, places: int) -> int:
    return max(0, over - places)


def per_student_next(
    *, value: Decimal, students: int, now_listed: int, next_listed: int, added: Decimal = Decimal(0)
) -> Decimal | None:
    """A per-student figure next year: today's total (value × students) plus the added amount, over the students
    grown as the section's class list grows (next_listed / now_listed). None when nothing can be said."""
    if students <= 0 or now_listed <= 0 or next_listed <= 0:
        return None
    next_students = Decimal(students) * next_listed / now_listed
    return (value * students + added) / next_students


MIN, MAX, RULE = "min", "max", "rule"  # how an indicator is met: at least, at most, or as its rule judged the pair
CLOSE_MARGIN_BELOW = Decimal("0.9")
AT_LEAST = (">=", ">")
AT_MOST = ("<=", "<")


def direction_of(defn) -> str | None:
    """Which side of its threshold an indicator fails on, read from the dictionary's `comparison` (an IndicatorDef):
    MIN for "value at or above" (R1–R7, Q4...), MAX for "at or below", RULE for a rule-judged item (G3–G7: the
    rule's stored pair tells, see `is_close`), None when "close" means nothing — a yes/no or veto item, an item of
    mixed parts, or an all-or-nothing item whose threshold is the whole scale (G12: 100 % certified)."""
    comparison = defn.comparison
    if comparison == "rule":
        return RULE
    if comparison == "parts":
        ops = list(defn.parts.values())
    elif comparison in AT_LEAST + AT_MOST:
        ops = [comparison]
    else:  # "bool", "veto"
        return None
    if ops and all(op in AT_LEAST for op in ops):
        if defn.unit_zh == "%" and defn.thresholds and all(t >= 100 for t in defn.thresholds.values()):
            return None  # nothing lies above 100 %: met is all or nothing
        return MIN
    if ops and all(op in AT_MOST for op in ops):
        return MAX
    return None


def is_close(*, status: str, value: Decimal | None, threshold: Decimal | None, direction: str | None = MIN) -> bool:
    """Met, but within 10% of failing (a warning, not a verdict): for a minimum, below 1.1 × the threshold; for a
    maximum (a cap), above 0.9 × it. A rule-judged item (RULE) is a minimum when its met value is at or above its
    threshold and a cap when below (the rule met it, so that is the side it stands on); None: never close."""
    if direction is None or status != "met" or value is None or threshold is None or threshold <= 0:
        return False
    if direction == RULE:
        direction = MIN if value >= threshold else MAX
    if direction == MAX:
        return value > threshold * CLOSE_MARGIN_BELOW
    return value < threshold * CLOSE_MARGIN


def heat_class(*, status: str, value: Decimal | None, threshold: Decimal | None, direction: str | None = MIN) -> str:
    """The matrix cell's class: met / close / not-met / no-data (the stored status decides met or not)."""
    if status == "met":
        close = is_close(status=status, value=value, threshold=threshold, direction=direction)
        return "close" if close else "met"
    if status in MISSED:
        return "not-met"
    return "no-data"
