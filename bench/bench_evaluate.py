"""`manage.py evaluate` as a whole process on a synthetic returns.csv of N primary schools (30 and 10,000 by default).

Each size writes a returns.csv (the exchange columns plus the registry columns the command reads: kind, township,
school_name) with plausible figures around the national thresholds, then runs `manage.py evaluate FILE --format json`
in a fresh Python process (start-up, Django set-up, parsing and validation, evaluation and output all counted), three
times, and prints the best wall time, its CPU time (user + system of the child) and the ratio to the first size.
Nothing touches a database.

Run: .venv/bin/python bench/bench_evaluate.py [30 10000]
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "school_year,school_code,school_name,kind,township,parent_code,primary_students,primary_classes,primary_teachers,"
    "primary_teachers_above_required,primary_teachers_backbone,primary_teachers_pe_arts,primary_teachers_certified,"
    "teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms,public_funds_yuan,training_funds_yuan"
)


def write_returns(folder: Path, n: int, rng: random.Random) -> Path:
    lines = [HEADER]
    for i in range(n):
        students = rng.randint(120, 1800)
        classes = max(1, students // 42)
        teachers = students * rng.randint(50, 70) // 1000
        lines.append(
            ",".join(
                str(v)
                for v in (
                    2024,
                    f"36{i:08d}",
                    f"基准小学{i}",
                    "primary",
                    f"基准镇{i % 10}",
                    "",
                    students,
                    classes,
                    teachers,
                    teachers * 9 // 10,
                    max(1, teachers // 6),
                    max(1, teachers // 7),
                    teachers,
                    students * rng.randint(40, 80) // 10,
                    students * rng.randint(50, 110) // 10,
                    students * rng.randint(1500, 2600),
                    max(1, classes * rng.randint(8, 12) // 10),
                    students * 700,
                    students * 45,
                )
            )
        )
    path = folder / "returns.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def run(path: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", str(path), "--format", "json"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "REDIS_URL": ""},
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode()[-2000:])
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(sizes: list[int]) -> None:
    rng = random.Random(17)
    print(f"cores={os.cpu_count()}  manage.py evaluate FILE --format json, best of 3 runs, whole process")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            path = write_returns(folder, n, rng)
            wall, cpu = min(run(path) for _ in range(3))
            first = first or wall
            print(f"schools={n:>6}  wall {wall:6.2f} s  cpu {cpu:6.2f} s  ({wall / first:4.1f}× the first size)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [30, 10000])
