"""Every `manage.py` line of README.md and docs/*.md runs as printed (issue 11, finding 8).

The lines are discovered, not listed: every line of a fenced code block and every inline code span of a table row
that mentions `manage.py` (backslash continuations joined, shell comments dropped). Lines that go through docker are
excepted (the fast suite has no Docker). Each document runs in order in its own temporary folder, on a copy of the
source tree and a copy of one SQLite database with the demo data (`migrate` + `seed_demo`, made once), so a `backup`
line makes the archive a later `restore` line reads, and `api_token create` makes the token `revoke` revokes.

What the test may change in a line, and nothing else:
- the interpreter (`python`, `.venv/bin/python`, `/opt/gongqing/venv/bin/python`, or none before a bare `manage.py`
  in a table) becomes this interpreter (`sys.executable`, the checkout's `.venv`);
- an absolute path (`/var/backups/…`, `/tmp/drill-media`) moves into the temporary folder (its parent is created);
- `DATABASE_URL=…` in front of a command (the restore drill's scratch database) becomes an empty SQLite file there.

The shell expands each line's words (`$(date +%F)`, quotes) exactly as it would when pasted, then the command runs
without a shell. A `restore` whose archive no earlier line made (the docs name a dated archive the reader picks) gets
one first from `backup` of the same database. Each line must exit 0, must not be a `--help`, and where the command
says what it makes, that is checked: the PDF, the archive, the restored row counts, the token, the static files.
The environment is a plain shell's (PATH, HOME, locale; nothing the test run set) with the development defaults of
the portal (DEBUG on, eager Celery, the database and VAR_DIR in the temporary folder).
"""

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN_TIMEOUT = 600  # a guard against a hung command, not a speed limit

# ---------------------------------------------------------------------------------------------------------------------
# Discovery


@dataclass(frozen=True)
class DocCommand:
    source: str  # "README.md:121"
    text: str  # as printed: continuations joined, comment dropped


FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
SPAN = re.compile(r"`([^`]+)`")


def strip_comment(line: str) -> str:
    """The line without a shell comment (`#` at a word's start, outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def _wanted(text: str) -> bool:
    return "manage.py" in text and "docker" not in text


def commands_in(markdown: str, name: str) -> list[DocCommand]:
    found = []
    lines = markdown.splitlines()
    fence = None
    i = 0
    while i < len(lines):
        line, number = lines[i], i + 1
        opening = FENCE.match(line)
        if opening and (fence is None or opening.group(1).startswith(fence)):
            fence = None if fence else opening.group(1)
        elif fence:
            text = line
            while text.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text.rstrip()[:-1].rstrip() + " " + lines[i].strip()
            text = strip_comment(text).strip()
            if _wanted(text):
                found.append(DocCommand(f"{name}:{number}", text))
        elif line.lstrip().startswith("|"):
            found += [DocCommand(f"{name}:{number}", span.strip()) for span in SPAN.findall(line) if _wanted(span)]
        i += 1
    return found


def documented_commands() -> dict[str, list[DocCommand]]:
    by_document = {}
    for path in DOCUMENTS:
        commands = commands_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        if commands:
            by_document[str(path.relative_to(ROOT))] = commands
    return by_document


# ---------------------------------------------------------------------------------------------------------------------
# Running

ASSIGNMENT = r"[A-Z_][A-Z0-9_]*=\S*"
SHAPE = re.compile(rf"^(?P<env>(?:{ASSIGNMENT}\s+)*)(?:(?P<python>\S*python[0-9.]*)\s+)?manage\.py(?P<args>(?:\s.*)?)$")
ABSOLUTE = re.compile(r"(?<![^\s=])/(?=[^\s/])")  # a word (or an option's value) that starts at the root


@dataclass
class Run:
    command: DocCommand
    argv: list[str] = field(default_factory=list)  # after the shell's expansion, without the interpreter
    env: dict = field(default_factory=dict)
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def report(self) -> str:
        ran = shlex.join(["python", "manage.py", *self.argv]) if self.argv else "(not run)"
        return (
            f"{self.command.source}: {self.command.text}\n    ran: {ran}\n    "
            + "\n    ".join(self.problems)
            + (f"\n    stdout: {self.stdout[-800:]!r}\n    stderr: {self.stderr[-1500:]!r}" if self.argv else "")
        )


# What a reader's shell has, nothing this test run has set (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in the
# worker, which `check --deploy` rightly calls an error) and no portal setting (.env.example's variables are not here).
SHELL_VARIABLES = re.compile(r"PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|XDG_\w+|SSL_CERT_\w+")


def base_env(folder: Path, database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if SHELL_VARIABLES.fullmatch(k)}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        VAR_DIR=str(folder / "var"),
        ENV_FILE=str(folder / "no.env"),  # never a developer's .env
    )
    return env


def copy_tree(target: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "var", ".env", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"
    )
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)
    return target


def _expand(words: str, cwd: Path) -> list[str]:
    """The words as the shell would pass them (quotes, `$(…)`), NUL-separated to survive spaces."""
    done = subprocess.run(
        ["bash", "-c", f"printf '%s\\0' {words}"], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.split("\0")[:-1]


def manage(argv, *, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
    )


def sqlite_path(env) -> Path:
    return Path(env["DATABASE_URL"].removeprefix("sqlite:///"))


def run_document(commands: list[DocCommand], *, folder: Path, database: Path | None, media: Path | None) -> list[Run]:
    """Run one document's lines in order in `folder`: a copy of the tree, of `database` and of its `media`."""
    app = copy_tree(folder / "app")
    fs = folder / "fs"  # where absolute paths go
    db = folder / "db.sqlite3"
    if database:
        shutil.copyfile(database, db)
    if media:
        shutil.copytree(media, folder / "var" / "media")
    runs = []
    for command in commands:
        run = Run(command)
        runs.append(run)
        shape = SHAPE.match(command.text)
        if not shape:
            run.problems.append("not a line the test can run: write it as `[VAR=value …] python manage.py …`")
            continue
        env, moved = base_env(folder, db), []
        for assignment in shape["env"].split():
            key, value = assignment.split("=", 1)
            if key == "DATABASE_URL":  # a scratch database: an empty one of its own
                value = f"sqlite:///{folder / (value.rstrip('/').rsplit('/', 1)[-1] or 'scratch')}.sqlite3"
            else:
                value = _expand(ABSOLUTE.sub(f"{fs}/", value), app)[0]
                moved.append(value)
            env[key] = value
        args = ABSOLUTE.sub(f"{fs}/", shape["args"])
        try:
            run.argv = _expand(args, app)
        except subprocess.CalledProcessError as exc:
            run.problems.append(f"the shell cannot read it: {exc.stderr.strip()}")
            continue
        if not run.argv:
            run.problems.append("no management command")
            continue
        if {"--help", "-h"} & set(run.argv) or run.argv[0] == "help":
            run.problems.append("`--help` proves nothing: show the command doing its work")
            continue
        for word in run.argv + moved:
            if word.startswith(f"{fs}/"):
                Path(word).parent.mkdir(parents=True, exist_ok=True)
        run.env = env
        before = PRECONDITIONS.get(run.argv[0])
        if before:
            before(run, app, base_env(folder, db))
        started = time.monotonic()
        done = manage(run.argv, cwd=app, env=env)
        run.seconds = time.monotonic() - started
        run.returncode, run.stdout, run.stderr = done.returncode, done.stdout, done.stderr
        if done.returncode != 0:
            run.problems.append(f"exit {done.returncode}")
            continue
        check = CHECKS.get(run.argv[0])
        if check:
            try:
                check(run, app)
            except AssertionError as exc:
                run.problems.append(f"it exited 0 but did not do what it says: {exc}")
    return runs


# ---------------------------------------------------------------------------------------------------------------------
# What each command says it makes


def option(argv, name):
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(f"{name}="):
            return word.split("=", 1)[1]
    return None


def positionals(argv):
    out, skip = [], False
    for word in argv[1:]:
        if skip:
            skip = False
        elif word.startswith("--"):
            skip = "=" not in word and word not in ("--force", "--noinput", "--no-input", "--deploy", "--dry-run")
        else:
            out.append(word)
    return out


def _archive_of_restore(run, app) -> Path:
    return app / positionals(run.argv)[0]  # an absolute path stays itself


def restore_needs_an_archive(run, app, document_env):
    """The archive a restore line names, from `backup` of the document's database when no earlier line made it."""
    archive = _archive_of_restore(run, app)
    if not archive.exists():
        made = manage(["backup", "--out", str(archive)], cwd=app, env=document_env)
        assert made.returncode == 0, made.stderr


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def check_render_report(run, app):
    out = app / option(run.argv, "--out")
    assert out.is_file() and out.read_bytes()[:5] == b"%PDF-", f"no PDF at {out}"


def check_backup(run, app):
    out = option(run.argv, "--out")
    if out:
        archive = app / out
    else:
        made = sorted((Path(run.env["VAR_DIR"]) / "backups").glob("gongqing-*.tar.gz"))
        assert made, "no archive under VAR_DIR/backups"
        archive = made[-1]
    assert archive.is_file(), f"no archive at {archive}"
    assert manifest_of(archive)["row_counts"]["schools_school"] > 0, "the archive holds no schools"


def check_restore(run, app):
    assert "恢复完成" in run.stdout, "no 恢复完成 in its output"
    counts = manifest_of(_archive_of_restore(run, app))["row_counts"]
    with sqlite3.connect(sqlite_path(run.env)) as db:
        for table, n in counts.items():
            (rows,) = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            # the audit log also holds the restore's own row (and a forced restore's earlier ones)
            assert rows == n or (table == "gongqing_auditevent" and rows > n), f"{table}: {rows} rows, archive {n}"
    assert counts["schools_school"] > 0


def check_api_token(run, app):
    action = run.argv[1]
    with sqlite3.connect(sqlite_path(run.env)) as db:
        if action == "create":
            raw = run.stdout.strip().splitlines()[-1]
            found = db.execute(
                "SELECT t.name, u.username FROM gongqing_apitoken t JOIN gongqing_user u ON u.id = t.user_id "
                "WHERE t.prefix = ? AND t.revoked_at IS NULL",
                (raw[:8],),
            ).fetchone()
            assert found == (run.argv[2], option(run.argv, "--user")), f"no active token {raw[:8]}… of that name"
        elif action == "revoke":
            (active,) = db.execute(
                "SELECT COUNT(*) FROM gongqing_apitoken WHERE (prefix = ? OR name = ?) AND revoked_at IS NULL",
                (run.argv[2], run.argv[2]),
            ).fetchone()
            assert active == 0 and run.stdout.startswith("revoked"), "the token is still active"


def check_collectstatic(run, app):
    root = Path(run.env.get("STATIC_ROOT") or Path(run.env["VAR_DIR"]) / "staticfiles")
    assert (root / "staticfiles.json").is_file() or any(root.rglob("*.css")), f"nothing collected in {root}"


def check_prune_audit(run, app):
    assert "已删除" in run.stdout or "would delete" in run.stdout.lower(), "it does not say what it removed"


PRECONDITIONS = {"restore": restore_needs_an_archive}
CHECKS = {
    "render_report": check_render_report,
    "backup": check_backup,
    "restore": check_restore,
    "api_token": check_api_token,
    "collectstatic": check_collectstatic,
    "prune_audit": check_prune_audit,
}

# ---------------------------------------------------------------------------------------------------------------------
# Tests


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    """One SQLite database with the demo data (and its media), copied for each document."""
    folder = tmp_path_factory.mktemp("demo")
    env = base_env(folder, folder / "db.sqlite3")
    for argv in (["migrate", "--noinput"], ["seed_demo"]):
        done = manage(argv, cwd=ROOT, env=env)
        assert done.returncode == 0, f"{argv}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return folder / "db.sqlite3", folder / "var" / "media"


def test_the_extractor_finds_code_block_lines_and_table_cells_and_skips_docker_and_comments():
    markdown = """
Prose mentions `python manage.py prose_only` and is not run.

```sh
# python manage.py commented_out
.venv/bin/python manage.py backup --out b.tar.gz   # a comment
DATABASE_URL=postgres://x@h/scratch MEDIA_ROOT=/tmp/m \\
    /opt/gongqing/venv/bin/python manage.py restore b.tar.gz
docker compose exec web python manage.py seed_demo
echo "# not a comment" && ls
```

| command | what |
|---|---|
| `python manage.py recompute` / `restore b.tar.gz` | two spans, one with manage.py |
| `manage.py backup` | a bare one |
"""
    found = commands_in(markdown, "X.md")
    assert found == [
        DocCommand("X.md:6", ".venv/bin/python manage.py backup --out b.tar.gz"),
        DocCommand(
            "X.md:7",
            "DATABASE_URL=postgres://x@h/scratch MEDIA_ROOT=/tmp/m /opt/gongqing/venv/bin/python manage.py "
            "restore b.tar.gz",
        ),
        DocCommand("X.md:15", "python manage.py recompute"),
        DocCommand("X.md:16", "manage.py backup"),
    ]
    assert strip_comment('x "a # b" # c') == 'x "a # b"'


def test_a_documented_line_that_does_not_run_fails_the_check(tmp_path):
    """The runner reports a line that exits non-zero, a `--help` and a line of another shape; a good line passes."""
    markdown = """
```sh
python manage.py check
python manage.py no_such_command
python manage.py check --help
cd /opt && python manage.py check
```
"""
    runs = run_document(commands_in(markdown, "NEW.md"), folder=tmp_path, database=None, media=None)
    assert [bool(r.problems) for r in runs] == [False, True, True, True]
    assert runs[1].problems == ["exit 1"] and "Unknown command" in runs[1].stderr
    assert "--help" in runs[2].problems[0] and "not a line the test can run" in runs[3].problems[0]


def test_every_manage_py_line_of_the_readme_and_docs_runs_as_printed(demo_database, tmp_path):
    database, media = demo_database
    by_document = documented_commands()
    assert len(by_document.get("README.md", [])) >= 5, "the README's everyday commands were not found"
    runs = []
    for name, commands in by_document.items():
        folder = tmp_path / Path(name).stem
        runs += run_document(commands, folder=folder, database=database, media=media)
    print("\n".join(f"ok {r.seconds:5.1f} s  {r.command.source}: {r.command.text}" for r in runs if not r.problems))
    failed = [r.report() for r in runs if r.problems]
    assert not failed, f"{len(failed)} of {len(runs)} documented commands do not work as printed:\n" + "\n".join(failed)
