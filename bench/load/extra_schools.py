"""Add N synthetic schools with stored results in a round of their own (bench/bench_api.py's generator), so that the
load test's dashboards and result lists read a county of that size: `python bench/load/extra_schools.py 2000`."""

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

import bench_api  # noqa: E402

if __name__ == "__main__":
    rnd, rows = bench_api.make_county(int(sys.argv[1]), random.Random(1), 0)
    print(f"load: {sys.argv[1]} extra schools, {rows} results in round {rnd.pk}")
