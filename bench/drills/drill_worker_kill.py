"""Drill (c): the whole Celery worker killed (SIGKILL to its process group) while a report renders, then restarted.

Expected: the restarted worker's start-up sweep takes the report up again (its holder is gone), the report is done
within 2 minutes of the restart, one file, one done row, and the page says when it was taken up again.

    .venv/bin/python bench/drills/drill_worker_kill.py
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stack import Http, Stack, say  # noqa: E402


def report_row(stack, stage_id):
    rows = stack.sql(
        "SELECT id, status, attempts, coalesce(resumed_at::text, ''), version FROM reports_report "
        f"WHERE stage_id = {stage_id} ORDER BY id DESC LIMIT 1"
    )
    return rows[0] if rows else None


def main():
    stack = Stack("worker-kill")
    say(
        "drill (c): whole worker killed during a render; private PostgreSQL",
        stack.pg_port,
        "and Redis",
        stack.redis_port,
    )
    stack.pg_init()
    stack.redis_start()
    data = stack.setup()
    stack.web_start()
    stack.worker_start()
    time.sleep(4)
    staff = Http(stack.base, session=data["staff_session"])
    stage = data["stage_id"]
    status, _text, _s = staff.call("POST", f"/reports/stage/{stage}/render/", {"round": data["round_id"]}, form=True)
    say(f"render requested: HTTP {status}")
    deadline = time.monotonic() + 60
    row = None
    while time.monotonic() < deadline:
        row = report_row(stack, stage)
        if row and row[1] == "rendering":
            break
        time.sleep(0.05)
    say(f"report {row[0]} is {row[1]} (attempt {row[2]}): killing the whole worker (SIGKILL to its process group)")
    stack.kill("worker")
    killed = report_row(stack, stage)
    say(f"after the kill: status {killed[1]}")
    time.sleep(3)
    say("restarting the worker")
    restarted = time.monotonic()
    stack.worker_start()
    done_after = None
    while time.monotonic() - restarted < 180:
        row = report_row(stack, stage)
        if row[1] in ("done", "failed"):
            done_after = time.monotonic() - restarted
            break
        time.sleep(0.2)
    media = Path(stack.env["VAR_DIR"]) / "media" / "reports"
    files = sorted(p.name for p in media.rglob(f"*-r{row[0]}*.pdf")) if media.exists() else []
    temps = sorted(p.name for p in media.rglob("*.tmp")) if media.exists() else []
    done_rows = stack.sql(f"SELECT count(*) FROM reports_report WHERE stage_id = {stage} AND status = 'done'")[0][0]
    page = staff.call("GET", f"/reports/stage/{stage}/")[1]
    say("figures:")
    when = f"{done_after:.1f} s" if done_after is not None else "NOT within 180 s"
    say(f"  status {row[1]} {when} after the restart")
    say(f"  attempts {row[2]}, taken up again at {row[3] or '-'}; the page says so: {'重新开始' in page}")
    say(f"  files of the report: {len(files)} {files}; temporary files left: {len(temps)}; done rows: {done_rows}")
    ok = row[1] == "done" and done_after is not None and done_after < 120 and len(files) == 1 and done_rows == "1"
    say("RESULT:", "PASS" if ok else "FAIL")
    stack.stop_all()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
