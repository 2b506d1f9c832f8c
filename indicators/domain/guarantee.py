"""Areas 2–4 and the veto items: school-level checks computed from returns, and county-level entries judged.

School-level items (G3 rooms, G4 school size, G5 class size, G6 small-school funding, G7 special-school funding,
G12 certified teachers, Q4 training funds) are checked school by school; the county item is met when every
applicable school meets it. County-level items (G1, G2, G8–G11, G13–G15, Q1–Q3, Q5–Q9, V1–V6) are judged
from the bureau's entries part by part, as the standard's `parts` say (G14: the quota share ≥ 50 %, the rural
share recorded, and the bureau's yes/no on the tilt towards rural junior schools); an item without an entry is
`no_data` — it blocks recognition like a failure but is counted apart. S1 comes from the survey result.
A veto item's entry says whether the bad thing happened: yes is `not_met` and blocks.

Decisions where the standard is silent (documented here, all easy to change):
- G3 counts a room only when its area is known and at least the minimum; a room of unknown area makes the
  kind `no_data` only when the known rooms do not already suffice. Under policy `merge` a point's classes
  and its rooms count toward its parent.
- G3 and G4 count classes and students of the compulsory sections (a complete secondary school: junior only).
- G5 needs the class list of every section with students; a missing list is `no_data`.
- G6 "a point funded through its parent is checked through the parent": a point that reports no public funds
  of its own is judged on its parent's funds, which must cover the parent's own base funding (base rate ×
  students of each compulsory section, itself at least 100 students' worth for a small rural primary
  school) plus the base funding of every point under it without funds of its own (100 students' worth for
  a point under 100). Senior sections have no base rate in the standard and are not counted.
- G7 / G12 / Q4 skip a school with 0 special students / 0 teachers; Q4 skips a point funded through its parent.
- G12 counts a special school's own full-time and certified teachers (it has no sections); unknown → no_data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from .decimals import HUNDRED, ZERO, ceil_int, exact, raw, to_decimal
from .inputs import CountyEntry, SchoolFigures
from .sections import SECTIONS_OF_KIND
from .standard import IndicatorDef, Standard
from .status import EMPTY, MET, NO_DATA, NOT_MET, combine, verdict
from .survey import SurveyResult

COMPULSORY = ("primary", "junior")
ROOM_KINDS_OF_SCHOOLS = ("primary", "junior", "nine_year", "twelve_year", "complete_secondary")


class SchoolCheck(NamedTuple):
    """One school-level item at one school. `detail` carries what the report and the gaps need."""

    code: str
    school_code: str
    status: str
    value: Decimal | None = None
    threshold: Decimal | None = None
    detail: Mapping[str, Any] = EMPTY
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PartResult:
    """One part of an entered item: the value read, how it is judged and the outcome."""

    key: str
    value: Decimal | bool | None
    op: str
    threshold: Decimal | None
    status: str


@dataclass(frozen=True)
class ItemResult:
    """A guarantee, quality, social or veto item at county level.

    For school-level items `schools` lists the check of every applicable school (`applicable` of them);
    for entered items `parts` holds each part and `value` the single value of a one-part item.
    """

    code: str
    status: str
    value: Decimal | bool | None = None
    parts: dict[str, PartResult] = field(default_factory=dict)
    schools: tuple[SchoolCheck, ...] = ()
    applicable: int = 0
    reason: str = ""
    note: str = ""
    level: str = "county"  # "school" for items checked school by school

    @property
    def passed(self) -> bool | None:
        return verdict(self.status)

    @property
    def failing(self) -> tuple[SchoolCheck, ...]:
        return tuple(c for c in self.schools if c.status == NOT_MET)

    @property
    def lacking(self) -> tuple[SchoolCheck, ...]:
        return tuple(c for c in self.schools if c.status == NO_DATA)


# ---------------------------------------------------------------------------------------------------- helpers


def _present_sections(school: SchoolFigures) -> list[tuple[str, Any]]:
    """The compulsory sections the school's kind has and its return fills in."""
    kinds = SECTIONS_OF_KIND[school.kind]
    out = []
    if school.primary is not None and "primary" in kinds:
        out.append(("primary", school.primary))
    if school.junior is not None and "junior" in kinds:
        out.append(("junior", school.junior))
    return out


def compulsory_students(school: SchoolFigures) -> int | None:
    """Primary + junior students of the school (None when any present section's count is unknown)."""
    total = 0
    for _, f in _present_sections(school):
        if f.students is None:
            return None
        total += f.students
    return total


def _with_points(figure, school: SchoolFigures, points: Sequence[SchoolFigures]) -> int | None:
    """`figure` of the school plus that of each teaching point it runs (None when any of them is unknown)."""
    total = figure(school)
    for p in points:
        more = figure(p)
        total = None if total is None or more is None else total + more
    return total


def compulsory_classes(school: SchoolFigures) -> int | None:
    """Classes of the compulsory sections: the return's count, else the class list's rows, else unknown."""
    total = 0
    for s, f in _present_sections(school):
        if f.classes is not None:
            total += f.classes
            continue
        rows = sum(1 for c in school.classes if c.section == s)
        if rows == 0 and f.students != 0:
            return None
        total += rows
    return total


# ------------------------------------------------------------------------------------------- school-level items


@exact
def check_rooms(school: SchoolFigures, standard: Standard, points: Sequence[SchoolFigures] = ()) -> SchoolCheck:
    """G3: of each kind, rooms of at least the minimum area ≥ max(1, ceil(classes / 12))."""
    rule = standard.room_rule
    classes = _with_points(compulsory_classes, school, points)
    detail: dict[str, Any] = {"classes": classes, "points": [p.code for p in points]}
    if classes is None:
        return SchoolCheck("G3", school.code, NO_DATA, detail=detail, reason="classes_unknown")
    required = max(1, -(-classes // rule.classes_per_room))  # ceil, in integers
    detail["required"] = required
    minimum = rule.min_area_m2
    tally = {kind: [0, 0, []] for kind in minimum}  # qualifying, unknown area, undersized areas
    for s in (school, *points):
        for r in s.rooms:
            t = tally.get(r.room)
            if t is None:
                continue
            area = r.area_m2 if r.area_m2.__class__ in (Decimal, int) else to_decimal(r.area_m2)
            if area is None:
                t[1] += 1
            elif area >= minimum[r.room]:
                t[0] += 1
            else:
                t[2].append(area)
    statuses = []
    for kind, (qualifying, unknown, undersized) in tally.items():
        status = MET if qualifying >= required else NO_DATA if unknown else NOT_MET
        statuses.append(status)
        detail[kind] = {
            "rooms": qualifying + unknown + len(undersized),
            "qualifying": qualifying,
            "unknown_area": unknown,
            "undersized": undersized,
            "min_area_m2": minimum[kind],
            "missing": max(0, required - qualifying),
            "status": status,
        }
    return SchoolCheck("G3", school.code, combine(statuses), Decimal(required), None, detail)


@exact
def check_school_size(
    school: SchoolFigures, standard: Standard, points: Sequence[SchoolFigures] = ()
) -> SchoolCheck | None:
    """G4: compulsory students ≤ the kind's cap; None for kinds without a cap (points, special schools)."""
    cap = standard.school_size_caps.get(school.kind)
    if cap is None:
        return None
    students = _with_points(compulsory_students, school, points)
    detail: dict[str, Any] = {"cap": cap, "points": [p.code for p in points]}
    if students is None:
        return SchoolCheck("G4", school.code, NO_DATA, None, Decimal(cap), detail, "students_unknown")
    detail["over"] = max(0, students - cap)
    return SchoolCheck("G4", school.code, MET if students <= cap else NOT_MET, Decimal(students), Decimal(cap), detail)


@exact
def check_class_sizes(school: SchoolFigures, standard: Standard) -> SchoolCheck | None:
    """G5: every class within its section's cap; names each offending class, its size and the students over.

    What closing it takes is worked out per grade, not per class: a grade of three classes of 46 (cap 45) needs one
    more class (ceil(138 / 45) = 4), not three; a grade of 46 + 46 + 40 needs none, only its classes re-divided
    (ceil(132 / 45) = 3). `grades` lists each grade with an offending class and its `extra_classes` (may be 0).
    """
    caps = standard.class_caps
    offending = []
    unknown = []
    largest = rows = 0
    by_grade: dict[tuple, list[int]] = {}
    for c in school.classes:
        cap = caps.get(c.section)
        if cap is None:
            continue
        rows += 1
        size = c.students
        if size is None:
            unknown.append(c.name)
            continue
        grade_key = (c.section, c.grade if c.grade is not None else c.name)
        by_grade.setdefault(grade_key, []).append(size)
        if size > largest:
            largest = size
        if size > cap:
            offending.append(
                {
                    "section": c.section,
                    "grade": c.grade,
                    "name": c.name,
                    "students": size,
                    "cap": cap,
                    "over": size - cap,
                }
            )
    grades = []
    for section, grade in dict.fromkeys(
        (o["section"], o["grade"] if o["grade"] is not None else o["name"]) for o in offending
    ):
        sizes = by_grade[(section, grade)]
        cap = caps[section]
        total = sum(sizes)
        grades.append(
            {
                "section": section,
                "grade": grade,
                "classes": len(sizes),
                "students": total,
                "cap": cap,
                "over": sum(max(0, n - cap) for n in sizes),
                "extra_classes": max(0, -(-total // cap) - len(sizes)),
            }
        )
    if not rows:
        if school.kind == "special" or compulsory_students(school) == 0:
            return None
        return SchoolCheck("G5", school.code, NO_DATA, detail={"offending": []}, reason="class_list_missing")
    status = NOT_MET if offending else NO_DATA if unknown else MET
    detail = {"classes": rows, "offending": offending, "grades": grades, "unknown": unknown}
    return SchoolCheck(
        "G5", school.code, status, Decimal(largest), None, detail, "class_size_unknown" if unknown else ""
    )


def _is_small(school: SchoolFigures, standard: Standard) -> bool | None:
    """Whether G6 applies: a rural primary school or a teaching point under `small_school_students` students."""
    if school.kind == "teaching_point" or (school.kind == "primary" and school.location == "rural"):
        students = compulsory_students(school)
        return None if students is None else students < standard.small_school_students
    return False


@exact
def funding_floor(school: SchoolFigures, standard: Standard) -> Decimal | None:
    """Base public funding the school must receive: base rate × students, at least 100 students' worth if small."""
    if _is_small(school, standard):
        return standard.base_rates["primary"] * standard.small_school_students
    total = ZERO
    for s, f in _present_sections(school):
        if f.students is None:
            return None
        total += standard.base_rates[s] * f.students
    return total


@exact
def check_small_school_funding(
    school: SchoolFigures,
    standard: Standard,
    parent: SchoolFigures | None = None,
    points_via_parent: Sequence[SchoolFigures] = (),
) -> SchoolCheck | None:
    """G6 for one school; None when it does not apply. A point without funds of its own is judged via `parent`.

    `points_via_parent` are all the points funded through that parent (this one included).
    """
    small = _is_small(school, standard)
    if small is False:
        return None
    floor = standard.base_rates["primary"] * standard.small_school_students
    if small is None:
        return SchoolCheck("G6", school.code, NO_DATA, None, floor, reason="students_unknown")
    funds = to_decimal(school.public_funds_yuan)
    if funds is not None:
        detail = {"missing": max(ZERO, floor - funds)}
        return SchoolCheck("G6", school.code, MET if funds >= floor else NOT_MET, funds, floor, detail)
    if school.kind != "teaching_point" or parent is None:
        return SchoolCheck("G6", school.code, NO_DATA, None, floor, reason="public_funds_unknown")
    parent_funds = to_decimal(parent.public_funds_yuan)
    parent_floor = funding_floor(parent, standard)
    floors = [funding_floor(p, standard) for p in points_via_parent] or [floor]
    detail = {"through_parent": parent.code, "points": [p.code for p in points_via_parent] or [school.code]}
    if parent_funds is None or parent_floor is None or any(f is None for f in floors):
        return SchoolCheck("G6", school.code, NO_DATA, parent_funds, None, detail, "parent_funds_unknown")
    required = parent_floor + sum(floors, ZERO)
    detail.update(parent_floor=parent_floor, missing=max(ZERO, required - parent_funds))
    return SchoolCheck("G6", school.code, MET if parent_funds >= required else NOT_MET, parent_funds, required, detail)


@exact
def check_special_funding(school: SchoolFigures, standard: Standard) -> SchoolCheck | None:
    """G7: a special school's public funds ÷ its students ≥ the standard's minimum; None for other schools."""
    if school.kind != "special" or school.special_students == 0:
        return None
    minimum = standard.special_school_min_per_student
    funds, students = to_decimal(school.public_funds_yuan), school.special_students
    if funds is None or students is None:
        return SchoolCheck("G7", school.code, NO_DATA, None, minimum, reason="figures_unknown")
    required = minimum * students
    detail = {"students": students, "missing": max(ZERO, required - funds)}
    return SchoolCheck("G7", school.code, MET if funds >= required else NOT_MET, funds / students, minimum, detail)


@exact
def check_certified_teachers(school: SchoolFigures, standard: Standard) -> SchoolCheck | None:
    """G12: certified ÷ full-time teachers over all the school's sections ≥ 100 %; None with no teachers.

    A special school has no sections: its own full-time and certified teachers are counted.
    """
    threshold = standard.indicators["G12"].thresholds["percent"]
    teachers = certified = 0
    counts = [(f.teachers, f.teachers_certified) for _, f in _present_sections(school)]
    if school.kind == "special":
        counts.append((school.special_teachers, school.special_teachers_certified))
    for full_time, with_certificate in counts:
        if full_time is None or with_certificate is None:
            return SchoolCheck("G12", school.code, NO_DATA, None, threshold, reason="teachers_unknown")
        teachers += full_time
        certified += with_certificate
    if teachers == 0:
        return None
    value = Decimal(certified) * HUNDRED / teachers
    detail = {"teachers": teachers, "certified": certified}
    if certified * HUNDRED >= threshold * teachers:
        return SchoolCheck("G12", school.code, MET, value, threshold, detail)
    detail["uncertified"] = ceil_int(threshold * teachers / HUNDRED) - certified
    return SchoolCheck("G12", school.code, NOT_MET, value, threshold, detail)


@exact
def check_training_funds(school: SchoolFigures, standard: Standard) -> SchoolCheck | None:
    """Q4: training funds ÷ public funds ≥ 5 %; None for a point funded through its parent."""
    threshold = standard.indicators["Q4"].thresholds["percent"]
    public, training = to_decimal(school.public_funds_yuan), to_decimal(school.training_funds_yuan)
    if school.kind == "teaching_point" and public is None and school.parent_code:
        return None
    if public is None or training is None:
        return SchoolCheck("Q4", school.code, NO_DATA, None, threshold, reason="funds_unknown")
    if public == 0:
        return SchoolCheck("Q4", school.code, NO_DATA, None, threshold, reason="zero_public_funds")
    value = training * HUNDRED / public
    detail = {"public_funds": public, "training_funds": training}
    if training * HUNDRED >= threshold * public:
        return SchoolCheck("Q4", school.code, MET, value, threshold, detail)
    detail["missing"] = threshold * public / HUNDRED - training
    return SchoolCheck("Q4", school.code, NOT_MET, value, threshold, detail)


def _aggregate(code: str, checks: Iterable[SchoolCheck | None]) -> ItemResult:
    kept = tuple(c for c in checks if c is not None)
    note = "" if kept else "no applicable school"
    status = combine(c.status for c in kept)
    return ItemResult(code, status, schools=kept, applicable=len(kept), note=note, level="school")


@exact
def evaluate_school_items(schools: Sequence[SchoolFigures], standard: Standard, policy: str) -> dict[str, ItemResult]:
    """G3, G4, G5, G6, G7, G12 and Q4 over all schools, teaching points handled as the policy says."""
    return {code: _aggregate(code, checks) for code, checks in raw(school_checks)(schools, standard, policy).items()}


def _kept(checks: Iterable[SchoolCheck | None]) -> tuple[SchoolCheck, ...]:
    return tuple(c for c in checks if c is not None)


@exact
def school_checks(
    schools: Sequence[SchoolFigures], standard: Standard, policy: str
) -> dict[str, tuple[SchoolCheck, ...]]:
    """The checks of the applicable schools of G3, G4, G5, G6, G7, G12 and Q4 (in this order), which
    evaluate_school_items aggregates (a family's part keeps the checks alone)."""
    by_code = {s.code: s for s in schools}
    points_of: dict[str, list[SchoolFigures]] = {}
    orphans: list[SchoolFigures] = []
    funded_via: dict[str, list[SchoolFigures]] = {}
    for s in schools:
        if s.kind != "teaching_point":
            continue
        parent = by_code.get(s.parent_code or "")
        valid_parent = parent is not None and parent.kind not in ("teaching_point", "special")
        if policy == "merge":
            if valid_parent:
                points_of.setdefault(parent.code, []).append(s)
            else:
                orphans.append(s)
        if valid_parent and s.public_funds_yuan is None:
            funded_via.setdefault(parent.code, []).append(s)

    # Already in the engine's context: call the checks undecorated (this loop runs once per school).
    rooms, size, classes, small = (
        raw(check_rooms),
        raw(check_school_size),
        raw(check_class_sizes),
        raw(check_small_school_funding),
    )
    special, certified, training = raw(check_special_funding), raw(check_certified_teachers), raw(check_training_funds)
    g3: list[SchoolCheck | None] = []
    g4: list[SchoolCheck | None] = []
    for s in schools:
        if s.kind in ROOM_KINDS_OF_SCHOOLS:
            pts = points_of.get(s.code, ())
            g3.append(rooms(s, standard, pts))
            g4.append(size(s, standard, pts))
    for p in orphans:
        missing = {"parent": p.parent_code}
        g3.append(SchoolCheck("G3", p.code, NO_DATA, detail=missing, reason="parent_missing"))
        g4.append(SchoolCheck("G4", p.code, NO_DATA, detail=missing, reason="parent_missing"))

    g6 = []
    for s in schools:
        parent = by_code.get(s.parent_code or "") if s.kind == "teaching_point" else None
        if parent is not None and parent.kind in ("teaching_point", "special"):
            parent = None  # not a school a point can be funded through
        via = funded_via.get(parent.code, []) if parent is not None else []
        g6.append(small(s, standard, parent, via))

    return {
        "G3": _kept(g3),
        "G4": _kept(g4),
        "G5": _kept(classes(s, standard) for s in schools),
        "G6": _kept(g6),
        "G7": _kept(special(s, standard) for s in schools),
        "G12": _kept(certified(s, standard) for s in schools),
        "Q4": _kept(training(s, standard) for s in schools),
    }


# ------------------------------------------------------------------------------------------- entered items

_TRUE = {"true", "1", "yes", "y", "是", "有", "t"}
_FALSE = {"false", "0", "no", "n", "否", "无", "f"}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}


def read_bool(raw: Any) -> bool | None:
    """A yes/no as entered (True/False, 1/0, 是/否, yes/no); None when empty; ValueError when unreadable."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | Decimal) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a yes/no: {raw!r}")


def read_number(raw: Any) -> Decimal | None:
    """A number as entered; Roman numerals I–V (monitoring levels such as Ⅲ) are read as 1–5."""
    if isinstance(raw, str):
        text = raw.strip().upper().removesuffix("级")
        if text in _ROMAN:
            return Decimal(_ROMAN[text])
    try:
        return to_decimal(raw)
    except (InvalidOperation, TypeError) as e:
        raise ValueError(f"not a number: {raw!r}") from e


_OPS = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
}


def _judge_part(defn: IndicatorDef, entry: CountyEntry, key: str, op: str) -> PartResult:
    single = len(defn.parts) == 1
    raw = entry.part(key, single)
    try:
        if op in ("yes", "no"):
            value = read_bool(raw)
            if value is None:
                return PartResult(key, None, op, None, NO_DATA)
            return PartResult(key, value, op, None, MET if value == (op == "yes") else NOT_MET)
        value = read_number(raw)
        if op == "record":
            return PartResult(key, value, op, None, NO_DATA if value is None else MET)
        if ":" in op:
            base, other = op.split(":", 1)
            threshold = read_number(entry.part(other, False))
        else:
            base, threshold = op, defn.thresholds[key]
    except ValueError:
        return PartResult(key, None, op, None, NO_DATA)
    if value is None or threshold is None:
        return PartResult(key, value, op, threshold, NO_DATA)
    return PartResult(key, value, op, threshold, MET if _OPS[base](value, threshold) else NOT_MET)


@exact
def evaluate_county_item(defn: IndicatorDef, entry: CountyEntry | None) -> ItemResult:
    """Judge one entered item part by part; no entry → no_data (reason "no_entry")."""
    if entry is None:
        return ItemResult(defn.code, NO_DATA, reason="no_entry")
    parts = {key: _judge_part(defn, entry, key, op) for key, op in defn.parts.items()}
    status = combine(p.status for p in parts.values())
    value = next(iter(parts.values())).value if len(parts) == 1 else None
    unreadable = [k for k, p in parts.items() if p.status == NO_DATA]
    return ItemResult(defn.code, status, value, parts, reason="incomplete_entry" if unreadable else "", note=entry.note)


def evaluate_county_items(standard: Standard, entries: Mapping[str, CountyEntry]) -> dict[str, ItemResult]:
    """Every entered item of the standard (vetoes included)."""
    return {code: evaluate_county_item(standard.indicators[code], entries.get(code)) for code in standard.entered_codes}


def survey_item(result: SurveyResult | None) -> ItemResult:
    """S1 from the survey result; no survey → no_data."""
    if result is None:
        return ItemResult("S1", NO_DATA, reason="no_survey")
    reason = "groups_short:" + ",".join(result.short_groups) if result.short_groups else ""
    return ItemResult("S1", result.status, result.rate, reason=reason)
