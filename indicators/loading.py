"""Load a round into the pure evaluation's plain inputs, in a fixed number of queries.

The figures of a round are, for each school open in the year, its return in the latest approved round of
that year whose reference date is not after the round's (an interim round starts from the official figures).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

from django.db.models import Q, Subquery

from gongqing.rows import plain_rows
from schools.models import (
    KIND_SECTIONS,
    CollectionRound,
    CountyProfile,
    ReturnClass,
    ReturnRoom,
    ReturnStatus,
    School,
    SchoolReturn,
)

from . import signals
from .domain import inputs, standard
from .models import CountyEntry, Standard, TeachingPointPolicy, YearSettings

NATIONAL_CODE = "national-2017"


def national_standard_row() -> Standard:
    data = standard.NATIONAL_2017_DATA
    row, _created = Standard.objects.get_or_create(
        code=NATIONAL_CODE,
        defaults={
            "name": data.get("name", "国家标准（教督〔2017〕6号）"),
            "version": data.get("version", "2017"),
            "builtin": True,
            "data": data,
        },
    )
    return row


def year_settings(year: int | None) -> tuple[Standard, str]:
    settings_row = (
        YearSettings.objects.select_related("standard").filter(school_year__year=year).first() if year else None
    )
    if settings_row:
        return settings_row.standard, settings_row.teaching_point_policy
    return national_standard_row(), TeachingPointPolicy.MERGE


def standard_row_for_year(year: int | None) -> Standard:
    """`year_settings(year)`'s standard in one query: the year's chosen one and the national one read together."""
    if not year:
        return national_standard_row()
    chosen = YearSettings.objects.filter(school_year__year=year).values("standard_id")[:1]  # one a year at most
    rows = list(
        Standard.objects.filter(Q(pk=Subquery(chosen)) | Q(code=NATIONAL_CODE)).annotate(chosen_id=Subquery(chosen))
    )
    return (
        next((r for r in rows if r.pk == r.chosen_id), None)
        or next((r for r in rows if r.code == NATIONAL_CODE), None)
        or national_standard_row()
    )


def standard_for_year(year: int | None) -> standard.Standard:
    return standard.standard_from_dict(standard_row_for_year(year).data)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


_SECTION_FIELDS = tuple(inputs.SectionFigures.__dataclass_fields__)
# What school_figures reads of a school and of its return, as plain values.
SCHOOL_ROW = ("pk", "code", "name", "township__name", "kind", "location", "ownership", "boarding", "parent__code")
RETURN_FIGURES = (
    *(f"{section}_{suffix}" for section in ("primary", "junior") for suffix in _SECTION_FIELDS),
    "senior_students",
    "special_students",
    "special_teachers",
    "special_teachers_certified",
    "teaching_area_m2",
    "sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
    "public_funds_yuan",
    "training_funds_yuan",
)


def _section(kind: str, ret, section: str) -> inputs.SectionFigures | None:
    if section not in KIND_SECTIONS[kind]:
        return None
    return inputs.SectionFigures(*(ret[f"{section}_{suffix}"] for suffix in _SECTION_FIELDS))


def school_figures(school: School, ret: SchoolReturn, classes=(), rooms=()) -> inputs.SchoolFigures:
    """`classes` and `rooms` are plain tuples (section, grade, name, students) and (room, area)."""
    row = (
        school.pk,
        school.code,
        school.name,
        school.township.name,
        school.kind,
        school.location,
        school.ownership,
        school.boarding,
        school.parent.code if school.parent_id else None,
    )
    return plain_school_figures(row, {f: getattr(ret, f) for f in RETURN_FIGURES}, classes, rooms)


def plain_school_figures(row: tuple, ret, classes=(), rooms=()) -> inputs.SchoolFigures:
    """school_figures from plain values: `row` holds the SCHOOL_ROW values of the school, `ret` maps (at least) the
    RETURN_FIGURES of its return to their values."""
    _pk, code, name, township, kind, location, ownership, boarding, parent_code = row
    return inputs.SchoolFigures(
        code=code,
        name=name,
        township=township,
        kind=kind,
        location=location,
        ownership=ownership,
        boarding=boarding,
        parent_code=parent_code,
        primary=_section(kind, ret, "primary"),
        junior=_section(kind, ret, "junior"),
        senior_students=ret["senior_students"],
        special_students=ret["special_students"],
        special_teachers=ret["special_teachers"],
        special_teachers_certified=ret["special_teachers_certified"],
        teaching_area_m2=_dec(ret["teaching_area_m2"]),
        sports_area_m2=_dec(ret["sports_area_m2"]),
        equipment_value_yuan=_dec(ret["equipment_value_yuan"]),
        multimedia_rooms=ret["multimedia_rooms"],
        public_funds_yuan=_dec(ret["public_funds_yuan"]),
        training_funds_yuan=_dec(ret["training_funds_yuan"]),
        classes=tuple(inputs.ClassFigures(*c) for c in classes),
        rooms=tuple(inputs.RoomFigures(room, _dec(area)) for room, area in rooms),
    )


def plain_county_figures(*, round: CollectionRound, extra=()) -> tuple[list[tuple], list, dict[int, dict]]:
    """What evaluation_input reads of the schools and their returns, as plain rows (four queries, no model
    instances): the SCHOOL_ROW of every school open in the year, in code order; the figures of those with an
    approved return (the same school_figures builds, in the same order); and that return's RETURN_FIGURES and
    `extra` fields by school id."""
    schools = list(School.objects.open_in(round.school_year.year).order_by("code").values_list(*SCHOOL_ROW))
    returns = round_return_values(round=round, fields=(*RETURN_FIGURES, *extra))
    classes, rooms = return_rows([r["pk"] for r in returns.values()])
    figures = []
    for row in schools:
        ret = returns.get(row[0])
        if ret is not None:
            figures.append(plain_school_figures(row, ret, classes.get(ret["pk"], ()), rooms.get(ret["pk"], ())))
    return schools, figures, returns


def round_returns(*, round: CollectionRound, school_ids=None) -> dict[int, SchoolReturn]:
    """The return each school (of `school_ids`, when given) is evaluated with in this round, by school id."""
    returns = SchoolReturn.objects.filter(
        round__school_year=round.school_year, round__as_of__lte=round.as_of, status=ReturnStatus.APPROVED
    )
    if school_ids is not None:
        returns = returns.filter(school_id__in=school_ids)
    returns = returns.select_related("round").order_by("school_id", "round__as_of", "round__pk")
    latest: dict[int, SchoolReturn] = {}
    for ret in returns:
        latest[ret.school_id] = ret  # ordered by date: the last one wins
    return latest


def round_return_values(*, round: CollectionRound, fields, school_ids=None) -> dict[int, dict]:
    """round_returns as plain values (one query, no model instance): the `fields` of the return each school (of
    `school_ids`, when given) is evaluated with, and its `pk`, by school id."""
    fields = tuple(dict.fromkeys(fields))
    returns = SchoolReturn.objects.filter(
        round__school_year=round.school_year, round__as_of__lte=round.as_of, status=ReturnStatus.APPROVED
    )
    if school_ids is not None:
        returns = returns.filter(school_id__in=school_ids)
    out: dict[int, dict] = {}
    for school_id, pk, *values in returns.order_by("school_id", "round__as_of", "round__pk").values_list(
        "school_id", "pk", *fields
    ):
        out[school_id] = {"pk": pk, **dict(zip(fields, values, strict=True))}  # ordered by date: the last one wins
    return out


THIS_ROUND, CARRIED, NO_DATA = "this_round", "carried", "none"


def data_basis(round: CollectionRound, schools, returns: dict[int, SchoolReturn]) -> dict:
    """Which data each school of the round rests on (GLOSSARY: an interim round starts from the last approved
    figures): this round's approved return, an approved return of an earlier round of the year carried forward
    (named), or none. Counts, the earlier rounds by name, and the schools carried forward by code (the schools with
    none are the completeness's missing schools); read from the returns already loaded, no query."""
    counts = {THIS_ROUND: 0, CARRIED: 0, NO_DATA: 0}
    carried: dict[str, int] = {}
    none: list[str] = []
    sources: dict[int, dict] = {}
    for school in schools:
        ret = returns.get(school.pk)
        if ret is None:
            counts[NO_DATA] += 1
            none.append(school.code)
        elif ret.round_id == round.pk:
            counts[THIS_ROUND] += 1
        else:
            counts[CARRIED] += 1
            carried[school.code] = ret.round_id
            source = sources.setdefault(ret.round_id, {"round": ret.round_id, "name": ret.round.name, "schools": 0})
            source["schools"] += 1
    return {
        "round_open": bool(round.is_open),
        "counts": counts,
        "carried_from": sorted(sources.values(), key=lambda s: -s["schools"]),
        "carried": carried,
        "none": none,
    }


def return_rows(return_ids) -> tuple[dict[int, list], dict[int, list]]:
    """Class lists and rooms of many returns as plain tuples, in two queries (no model instances: 10,000 schools
    have a quarter of a million classes)."""
    classes: dict[int, list] = defaultdict(list)
    for rid, *row in plain_rows(
        ReturnClass.objects.filter(school_return_id__in=return_ids)
        .order_by("school_return_id", "grade", "name")
        .values_list("school_return_id", "section", "grade", "name", "students")
    ):
        classes[rid].append(row)
    rooms: dict[int, list] = defaultdict(list)
    for rid, *row in (
        ReturnRoom.objects.filter(school_return_id__in=return_ids)
        .order_by("school_return_id", "room", "pk")
        .values_list("school_return_id", "room", "area_m2")
    ):
        rooms[rid].append(row)
    return classes, rooms


def county_entries(*, year: int) -> dict[str, inputs.CountyEntry]:
    out = {}
    for entry in CountyEntry.objects.filter(school_year__year=year):
        if entry.value:
            out[entry.code] = inputs.CountyEntry(code=entry.code, values=entry_values(entry.value), note=entry.note)
    return out


def entry_values(value: dict) -> dict:
    """Stored JSON (decimals as strings) back to exact values."""
    return {k: (v if isinstance(v, bool) or v is None else Decimal(str(v))) for k, v in value.items()}


def county_input(
    *, round: CollectionRound, schools=(), expected_school_codes=()
) -> tuple[inputs.EvaluationInput, dict]:
    """The county's side of the input (standard, policy, entries, survey, precondition) around the given figures, and
    the labels storing needs."""
    year = round.school_year.year
    standard_row, policy = year_settings(year)
    inp = inputs.EvaluationInput(
        schools=tuple(schools),
        expected_school_codes=tuple(expected_school_codes),
        county_entries=county_entries(year=year),
        survey=signals.survey_for_year(year),
        standard=standard.standard_from_dict(standard_row.data),
        teaching_point_policy=policy,
        precondition=inputs.Precondition(
            evaluation_year=year, basic_balance_year=CountyProfile.get().basic_balance_year
        ),
    )
    meta = {
        "standard": inp.standard,
        "standard_label": str(standard_row),
        "policy": policy,
        "policy_label": str(TeachingPointPolicy(policy).label),
    }
    return inp, meta


class SchoolRef(NamedTuple):
    """What storing and the summary read of a school: its id, code and name."""

    pk: int
    code: str
    name: str


def evaluation_input(*, round: CollectionRound) -> tuple[inputs.EvaluationInput, dict]:
    """The round's whole input and the labels storing needs, from plain rows (no model instance: at 10,000 schools
    building the schools and returns as instances cost a second)."""
    schools, figures, returns = plain_county_figures(round=round, extra=("round_id",))
    inp, meta = county_input(round=round, schools=figures, expected_school_codes=[row[1] for row in schools])
    meta |= {
        "schools_by_code": {row[1]: SchoolRef(row[0], row[1], row[2]) for row in schools},
        "basis": plain_basis(round, schools, {school_id: r["round_id"] for school_id, r in returns.items()}),
    }
    return inp, meta


def plain_basis(round: CollectionRound, schools: list[tuple], round_of: dict[int, int]) -> dict:
    """data_basis from plain rows: the SCHOOL_ROWs (pk and code first) and the round each school's return is of,
    by school id (one query, for the names of the rounds figures are carried from)."""
    names = dict(CollectionRound.objects.filter(pk__in=set(round_of.values()) - {round.pk}).values_list("pk", "name"))
    refs = [SimpleNamespace(pk=row[0], code=row[1]) for row in schools]
    returns = {
        school_id: SimpleNamespace(round_id=round_id, round=SimpleNamespace(name=names.get(round_id, "")))
        for school_id, round_id in round_of.items()
    }
    return data_basis(round, refs, returns)


def evaluate(inp: inputs.EvaluationInput):
    from .domain.evaluate import evaluate as pure_evaluate

    return pure_evaluate(inp)
