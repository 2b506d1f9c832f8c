"""Drill (a): the private Redis (broker and cache) stopped for 60 s while users save returns and ask for a report
and a recompute, then started again — empty, as a restarted Redis without persistence is.

Expected: pages and saves keep answering (the cache degrades to misses, sessions and idempotency keys live in the
database); the render and the recompute asked for during the outage stay queued in the database (the broker cannot
take them) and run once after Redis is back, sent by the job sweep (beat, every minute); no error page without a
clear message.

    .venv/bin/python bench/drills/drill_redis_down.py [seconds down, default 60]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import Stack, Tally, Users, say  # noqa: E402


def main(down_seconds: float = 60.0):
    stack = Stack("redis-down")
    say(f"drill (a): Redis (private, port {stack.redis_port}) stopped {down_seconds:.0f} s under load")
    stack.pg_init()
    stack.redis_start()
    data = stack.setup()
    stack.web_start()
    stack.worker_start()
    stack.beat_start()
    round_id, stage = data["round_id"], data["stage_id"]
    runs_before = int(stack.sql(f"SELECT runs FROM indicators_evaluationstate WHERE round_id = {round_id}")[0][0])
    tally = Tally()
    users = Users(stack, data, tally)
    users.start()
    say(f"{len(data['returns'])} users saving returns and opening pages")
    time.sleep(10)
    tally.phase = "down"
    stack.redis_stop()
    down_at = time.monotonic()
    say("Redis stopped")
    time.sleep(5)
    status, text, seconds = users.staff.call("POST", f"/reports/stage/{stage}/render/", {"round": round_id}, form=True)
    tally.add("render request", status, text, seconds)
    say(f"render requested during the outage: HTTP {status} in {seconds:.2f} s")
    status, text, seconds = users.staff.call("POST", f"/indicators/rounds/{round_id}/recompute/", {}, form=True)
    tally.add("recompute request", status, text, seconds)
    say(f"recompute requested during the outage: HTTP {status} in {seconds:.2f} s")
    queued = stack.sql(f"SELECT status, coalesce(sent_at::text, 'never') FROM reports_report WHERE stage_id = {stage}")
    state = stack.sql(
        f"SELECT computed_version, data_version FROM indicators_evaluationstate WHERE round_id = {round_id}"
    )
    say(f"  in the database meanwhile: report {queued}, results at version {state[0][0]} of {state[0][1]}")
    time.sleep(max(0.0, down_seconds - (time.monotonic() - down_at)))
    stack.redis_start()
    back = time.monotonic()
    tally.phase = "after"
    say(f"Redis started again (empty) after {back - down_at:.1f} s")
    report_done = fresh = None
    while time.monotonic() - back < 240 and (report_done is None or fresh is None):
        row = stack.sql(f"SELECT status FROM reports_report WHERE stage_id = {stage} ORDER BY id DESC LIMIT 1")
        if report_done is None and row and row[0][0] in ("done", "failed"):
            report_done = time.monotonic() - back
            say(f"  report {row[0][0]} {report_done:.1f} s after Redis was back")
        st = stack.sql(
            f"SELECT computed_version, data_version FROM indicators_evaluationstate WHERE round_id = {round_id}"
        )
        if fresh is None and int(st[0][0]) >= int(st[0][1]):
            fresh = time.monotonic() - back
            say(f"  results recomputed {fresh:.1f} s after Redis was back")
        time.sleep(0.5)
    users.finish()

    reports = stack.sql(f"SELECT id, status, attempts FROM reports_report WHERE stage_id = {stage}")
    runs_after = int(stack.sql(f"SELECT runs FROM indicators_evaluationstate WHERE round_id = {round_id}")[0][0])
    media = Path(stack.env["VAR_DIR"]) / "media" / "reports"
    files = sorted(p.name for p in media.rglob("*.pdf")) if media.exists() else []
    saves_down = sum(1 for e in tally.events if e[1] == "down" and e[2] == 200)
    good, checked, wrong = users.check_returns()
    say("figures:")
    tally.report()
    say(f"  successful answers during the outage: {saves_down}")
    say(f"  reports: {reports} (id, status, attempts); files: {files}")
    say(f"  recompute runs: {runs_before} before, {runs_after} after (one run for the outage's request)")
    say(f"  returns: stored = last acknowledged version for {good}/{checked}; mismatches: {wrong}")
    ok = (
        not tally.unclear
        and report_done is not None
        and fresh is not None
        and len(reports) == 1
        and reports[0][1] == "done"
        and len(files) == 1
        and runs_after == runs_before + 1
        and not wrong
    )
    say("RESULT:", "PASS" if ok else "FAIL")
    stack.stop_all()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 60.0))
