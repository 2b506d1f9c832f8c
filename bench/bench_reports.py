"""Render time, peak memory and page count of the stage-4 self-assessment report.

Two counties: the demo county (seed_demo, 30 schools) and a synthetic 300-school county made by repeating the demo's
school rows in the report context (same tables, ten times the rows). Uses its own SQLite file.

    .venv/bin/python bench/bench_reports.py
"""

from __future__ import annotations

import copy
import hashlib
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# One database per migration state: a database seeded by an older checkout lacks the newer columns.
APPS = ("gongqing", "schools", "indicators", "supervision")
_MIGRATIONS = sorted(p.name for app in APPS for p in (ROOT / app).glob("**/migrations/0*.py"))
DB = Path(f"/tmp/gq_bench_reports_{hashlib.sha1(' '.join(_MIGRATIONS).encode()).hexdigest()[:10]}.sqlite3")


def setup() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not DB.exists():
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)


def scale(ctx, factor: int):
    big = copy.deepcopy(ctx)
    for section in big.resource:
        section["schools"] = [
            {**row, "name": f"{row['name']}（{i}）"} for i in range(factor) for row in section["schools"]
        ]
    for table in big.annex_cv:
        table["rows"] = [{**row, "school": f"{row['school']}（{i}）"} for i in range(factor) for row in table["rows"]]
    big.annex_schools = [{**s, "name": f"{s['name']}（{i}）"} for i in range(factor) for s in big.annex_schools]
    return big


def measure(label: str, ctx) -> None:
    from supervision.reports import rendering

    started = time.perf_counter()
    out = rendering.pdf_from_context(ctx)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    annex = f" + annex {out.annex.pages} pages" if out.annex else ""
    print(
        f"{label}: {len(ctx.school_names)} schools in context, {out.main.pages} pages{annex}, "
        f"{seconds:.1f} s, process max RSS so far {rss:.0f} MiB, "
        f"{len(out.main.data) / 2**20:.1f} MiB PDF"
    )


def main() -> None:
    setup()
    from supervision.models import Stage
    from supervision.reports import context, selectors

    stage = Stage.objects.filter(cycle__is_current=True, number=4).first()
    ctx = context.build_context(stage=stage, round=selectors.default_round())
    measure("demo county", ctx)
    big = scale(ctx, 10)
    big.school_names = [s["name"] for s in big.annex_schools]
    measure("synthetic 300-school county", big)


if __name__ == "__main__":
    main()
