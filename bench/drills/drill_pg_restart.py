"""Drill (b): the private PostgreSQL cluster stopped for a few seconds and started again while users work.

Expected: requests during the outage fail within seconds with a clear message (503 "数据库暂时无法连接", JSON under
/api/), the portal recovers by itself once PostgreSQL is back (no restart of gunicorn), and no return is half
written: every stored version is the last one a user was told was saved, every return has all its class rows.

    .venv/bin/python bench/drills/drill_pg_restart.py [seconds down, default 8]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import Stack, Tally, Users, say  # noqa: E402


def main(down_seconds: float = 8.0):
    stack = Stack("pg-restart")
    say(f"drill (b): PostgreSQL (private cluster, port {stack.pg_port}) stopped {down_seconds:.0f} s under load")
    stack.pg_init()
    stack.redis_start()
    data = stack.setup()
    stack.web_start()
    stack.worker_start()
    rows_before = stack.sql("SELECT count(*) FROM schools_schoolreturn")[0][0]
    tally = Tally()
    users = Users(stack, data, tally)
    users.start()
    say(f"{len(data['returns'])} users saving returns and opening pages")
    time.sleep(10)
    tally.phase = "down"
    stopped = time.monotonic()
    stack.pg_stop("fast")
    say(f"PostgreSQL stopped ({time.monotonic() - stopped:.1f} s to stop)")
    time.sleep(down_seconds)
    stack.pg_start()
    back = time.monotonic()
    tally.phase = "after"
    say(f"PostgreSQL started again after {back - stopped:.1f} s")
    time.sleep(15)
    users.finish()

    down = [e for e in tally.events if e[1] == "down"]
    failed = [e for e in down if e[2] >= 500 or e[2] == 0]
    after_ok = [e for e in tally.events if e[0] >= back and 200 <= e[2] < 400]
    after_failed = [e for e in tally.events if e[0] >= back and (e[2] >= 500 or e[2] == 0)]
    first_ok = min((e[0] - e[3] for e in after_ok), default=None)  # when the first successful request was sent
    last_failed = max((e[0] for e in after_failed), default=None)
    good, checked, wrong = users.check_returns()
    rows_after = stack.sql("SELECT count(*) FROM schools_schoolreturn")[0][0]
    classes = stack.sql(
        "SELECT r.id, count(c.id) FROM schools_schoolreturn r LEFT JOIN schools_returnclass c "
        f"ON c.school_return_id = r.id WHERE r.id IN ({','.join(map(str, data['returns']))}) GROUP BY r.id"
    )
    expected_classes = len(data["payload"]["classes"])
    half = [r for r in classes if int(r[1]) != expected_classes]
    say("figures:")
    tally.report()
    if failed:
        say(
            f"  failures during the outage answered within {max(e[3] for e in failed):.2f} s at most "
            f"(median {sorted(e[3] for e in failed)[len(failed) // 2]:.2f} s)"
        )
    if last_failed is not None:
        say(f"  last failure {last_failed - back:.2f} s after PostgreSQL was back")
    say(
        f"  recovered: first success sent {first_ok - back:.2f} s after PostgreSQL was back"
        if first_ok
        else "  NOT recovered"
    )
    say(f"  returns: {rows_before} rows before, {rows_after} after; stored = last acknowledged: {good}/{checked}")
    say(f"  half-written returns (class rows missing): {len(half)}; version mismatches: {wrong}")
    ok = first_ok is not None and not tally.unclear and not wrong and not half and rows_before == rows_after
    say("RESULT:", "PASS" if ok else "FAIL")
    stack.stop_all()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 8.0))
