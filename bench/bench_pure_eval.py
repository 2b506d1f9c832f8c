"""Time the pure evaluation engine on synthetic counties of 30, 1,000 and 10,000 schools.

Run: .venv/bin/python bench/bench_pure_eval.py [sizes...]
Plain Python, no Django. Figures are random around the national thresholds (seeded), with class lists and
rooms, a few teaching points and special schools, so every part of the engine is exercised. Wall and CPU
times are both printed: on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import math
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indicators.domain import (  # noqa: E402
    ClassFigures,
    CountyEntry,
    EvaluationInput,
    RoomFigures,
    SchoolFigures,
    SectionFigures,
    dumps,
    evaluate,
    evaluation_to_json_dict,
    national_2017,
)
from indicators.domain.survey import given_survey_result  # noqa: E402

D = Decimal
KINDS = [("primary", 55), ("junior", 20), ("nine_year", 10), ("teaching_point", 8), ("complete_secondary", 3),
         ("twelve_year", 2), ("special", 2)]  # fmt: skip


def _section(rng: random.Random, students: int, name: str) -> tuple[SectionFigures, list[ClassFigures]]:
    cap = 45 if name == "primary" else 50
    n_classes = max(1, math.ceil(students / rng.randint(cap - 12, cap)))
    base, extra = divmod(students, n_classes)
    classes = [ClassFigures(name, None, f"{name}{i}", base + (i < extra)) for i in range(n_classes)]
    teachers = max(1, round(students / rng.uniform(12, 18)))
    f = SectionFigures(
        students=students,
        classes=n_classes,
        teachers=teachers,
        teachers_above_required=round(students * rng.uniform(0.04, 0.08)),
        teachers_backbone=round(students * rng.uniform(0.008, 0.02)),
        teachers_pe_arts=round(students * rng.uniform(0.008, 0.015)),
        teachers_certified=teachers - (rng.random() < 0.02),
    )
    return f, classes


def synthetic_school(rng: random.Random, i: int, parents: list[str]) -> SchoolFigures:
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    code = f"36{i:08d}"
    if kind == "teaching_point" and not parents:
        kind = "primary"
    if kind == "special":
        return SchoolFigures(code, kind="special", special_students=rng.randint(20, 150),
                             public_funds_yuan=D(rng.randint(100_000, 1_000_000)))  # fmt: skip
    primary = junior = None
    classes: list[ClassFigures] = []
    total = 0
    if kind in ("primary", "nine_year", "twelve_year", "teaching_point"):
        n = rng.randint(10, 60) if kind == "teaching_point" else rng.randint(60, 2000)
        primary, c = _section(rng, n, "primary")
        classes += c
        total += n
    if kind in ("junior", "nine_year", "twelve_year", "complete_secondary"):
        n = rng.randint(150, 1800)
        junior, c = _section(rng, n, "junior")
        classes += c
        total += n
    senior = rng.randint(300, 1500) if kind in ("twelve_year", "complete_secondary") else None
    weighted = total + (senior or 0)
    n_rooms = max(1, math.ceil(len(classes) / 12))
    rooms = [RoomFigures(r, D(rng.randint(88, 140))) for r in ("music", "art") for _ in range(n_rooms)]
    funds = D(max(65000, total * 800) * rng.uniform(0.9, 1.4)).quantize(D(1))
    return SchoolFigures(
        code=code,
        name=f"学校{i}",
        township=f"镇{i % 12}",
        kind=kind,
        location=rng.choice(["urban", "town", "rural"]),
        parent_code=rng.choice(parents) if kind == "teaching_point" else None,
        primary=primary,
        junior=junior,
        senior_students=senior,
        teaching_area_m2=D(weighted * rng.uniform(3.5, 9)).quantize(D("0.01")),
        sports_area_m2=D(weighted * rng.uniform(6, 15)).quantize(D("0.01")),
        equipment_value_yuan=D(weighted * rng.uniform(1500, 4000)).quantize(D("0.01")),
        multimedia_rooms=max(1, round(weighted * rng.uniform(0.015, 0.04))),
        public_funds_yuan=None if kind == "teaching_point" and rng.random() < 0.5 else funds,
        training_funds_yuan=(funds * D(rng.uniform(0.03, 0.08))).quantize(D(1)),
        classes=tuple(classes),
        rooms=tuple(rooms),
    )


def synthetic_input(n: int, seed: int = 2022) -> EvaluationInput:
    rng = random.Random(seed)
    schools: list[SchoolFigures] = []
    parents: list[str] = []
    for i in range(n):
        s = synthetic_school(rng, i, parents)
        if s.kind in ("primary", "nine_year"):
            parents.append(s.code)
        schools.append(s)
    std = national_2017()
    entries = {c: CountyEntry(c, value=not c.startswith("V")) for c in std.entered_codes}
    return EvaluationInput(
        schools=tuple(schools),
        expected_school_codes=tuple(s.code for s in schools),
        county_entries=entries,
        survey=given_survey_result(D("0.9"), std.survey),
        standard=std,
        teaching_point_policy="merge",
    )


def reference_seconds() -> float:
    """CPU seconds of a fixed 10-million-step loop: how fast this machine runs Python right now."""
    c = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - c


def main(sizes: list[int]) -> None:
    print(f"reference: a 10M-step Python loop takes {reference_seconds():.2f} s CPU here (≈0.4 s on a quiet laptop)")
    for n in sizes:
        inp = synthetic_input(n)
        w0, c0 = time.perf_counter(), time.process_time()
        ev = evaluate(inp)
        w1, c1 = time.perf_counter(), time.process_time()
        text = dumps(evaluation_to_json_dict(ev))
        w2, c2 = time.perf_counter(), time.process_time()
        over = sum(1 for t in ev.sections.values() for s in t.status.values() if s == "not_met")
        print(
            f"{n:>6} schools: evaluate {w1 - w0:6.3f} s (cpu {c1 - c0:6.3f} s) · "
            f"to JSON {w2 - w1:6.3f} s (cpu {c2 - c1:6.3f} s) · "
            f"{len(ev.section_results)} section rows, {len(ev.gaps)} gaps, {over} CVs over limit, "
            f"{len(text) / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [30, 1000, 10000])
