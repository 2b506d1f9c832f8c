"""Hypothesis strategies for small random counties: every kind of school, teaching points with a parent (present,
missing, or itself a point), unknown figures, values around the thresholds so that rows pass and fail."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import strategies as st

from indicators.domain.inputs import SchoolFigures, SectionFigures

from .builders import school

D = Decimal
KINDS = ("primary", "primary", "junior", "nine_year", "teaching_point", "teaching_point", "special", "twelve_year")
POLICIES = ("merge", "exclude_small", "include")
SCALED = ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "public_funds_yuan", "training_funds_yuan")


@st.composite
def section_figures(draw, figures: SectionFigures | None) -> SectionFigures | None:
    if figures is None:
        return None
    factor = draw(st.sampled_from((D("0.6"), D("0.85"), D("0.95"), D(1), D("1.3"))))
    values = {
        name: (None if draw(st.integers(0, 30)) == 0 else int(getattr(figures, name) * factor))
        for name in ("teachers_above_required", "teachers_backbone", "teachers_pe_arts")
    }
    return replace(figures, **values)


@st.composite
def school_figures(draw, code: str, codes: list[str]) -> SchoolFigures:
    kind = draw(st.sampled_from(KINDS))
    small = draw(st.sampled_from((12, 40, 90)))
    primary = draw(st.sampled_from((0, small, 300, 900))) if kind in ("primary", "nine_year", "twelve_year") else None
    junior = draw(st.sampled_from((0, 200, 800))) if kind in ("junior", "nine_year", "twelve_year") else None
    if kind == "teaching_point":
        primary = small
    if kind == "special":
        primary = None
    parent = None
    if kind == "teaching_point":
        parent = draw(st.sampled_from([*codes, "X9"]))  # another school of the county (maybe a point), or none
    base = school(
        code,
        kind=kind,
        primary=primary,
        junior=junior,
        senior=300 if kind == "twelve_year" else None,
        location=draw(st.sampled_from(("urban", "rural"))),
        parent_code=parent,
    )
    scaled = {}
    for name in SCALED:
        value = getattr(base, name)
        factor = draw(st.sampled_from((None, D("0.7"), D("0.86"), D(1), D("1.4"))))
        scaled[name] = None if factor is None else (value * factor).quantize(D("0.01"))
    return replace(
        base,
        primary=draw(section_figures(base.primary)),
        junior=draw(section_figures(base.junior)),
        multimedia_rooms=draw(st.sampled_from((None, 0, base.multimedia_rooms))),
        **scaled,
    )


@st.composite
def counties(draw, min_size: int = 1, max_size: int = 8) -> list[SchoolFigures]:
    """Schools S01…Snn in code order."""
    n = draw(st.integers(min_size, max_size))
    codes = [f"S{i:02d}" for i in range(1, n + 1)]
    return [draw(school_figures(code, [c for c in codes if c != code])) for code in codes]
