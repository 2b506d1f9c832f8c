"""Time (CPU) the county rules (`evaluate_parts`) after one family's change, with a warm memo, on synthetic counties.

Run: .venv/bin/python bench/bench_parts_change.py [sizes...] [--profile]
Plain Python, no Django (the counties of bench_pure_eval). For each size: one cold run (empty memo), then `CHANGES`
runs in which one school's equipment value changes, its family is evaluated again and the county rules run on all
parts with the memo of the previous run, as `incremental.recompute_changed` does. The last run is checked against
a from-scratch `evaluate`.
"""

from __future__ import annotations

import cProfile
import pstats
import random
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pure_eval import synthetic_input  # noqa: E402

from indicators.domain.evaluate import evaluate, evaluate_parts  # noqa: E402
from indicators.domain.families import family_key, family_parts  # noqa: E402
from indicators.domain.memo import Memo  # noqa: E402

CHANGES = 7


def main(sizes: list[int], profile: bool) -> None:
    for n in sizes:
        inp = synthetic_input(n)
        std, policy = inp.standard, inp.teaching_point_policy
        parts = family_parts(inp.schools, std, policy)
        codes = [s.code for s in inp.schools]
        memo = Memo()
        t0 = time.process_time()
        evaluate_parts(inp, parts.values(), codes, memo)
        cold = time.process_time() - t0
        rng = random.Random(n)
        schools = list(inp.schools)
        times = []
        prof = cProfile.Profile() if profile else None
        for _ in range(CHANGES):
            i = rng.randrange(n)
            s = schools[i]
            if s.equipment_value_yuan is not None:
                schools[i] = replace(s, equipment_value_yuan=s.equipment_value_yuan * Decimal("1.3"))
            key = family_key(schools[i])
            members = [x for x in schools if family_key(x) == key]
            parts = dict(parts) | family_parts(members, std, policy)
            memo.turn()
            if prof:
                prof.enable()
            t0 = time.process_time()
            ev = evaluate_parts(inp, parts.values(), codes, memo)
            times.append(time.process_time() - t0)
            if prof:
                prof.disable()
        scratch = evaluate(replace(inp, schools=tuple(schools)))
        same = scratch == ev
        times.sort()
        print(
            f"{n:>6} schools | cold {cold * 1000:7.1f} ms | one change: median {times[len(times) // 2] * 1000:6.1f} ms,"
            f" min {times[0] * 1000:6.1f} ms | equal to from scratch: {same}",
            flush=True,
        )
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main([int(a) for a in args] or [1000, 10000], "--profile" in sys.argv)
