"""One-way layers and no import cycles (docs/architecture.md): gongqing ← schools ← indicators ← supervision.

Every import statement of the apps' code is read from the source (function-level and TYPE_CHECKING imports included,
migrations left out) and resolved to the project file it names; `from package import name` names the package's
`__init__.py` and, when `name` is a module, that module too. Two rules:
- no file imports a file of a higher app (the URL roots, settings and the Celery app, which sit above everything,
  excepted);
- no import cycle between files (strongly connected components of the file graph: two files that import each other,
  or a longer loop).
These are the rules and counts of the review tool `layers.py` (issue 12), checked here on every run. A new top-level
app must be placed in LAYERS.
"""

from __future__ import annotations

import ast
from pathlib import Path

LAYERS = ("gongqing", "schools", "indicators", "supervision")  # lowest first
ALLOWED_UP = frozenset({"gongqing/urls.py", "gongqing/api_urls.py", "gongqing/settings.py", "gongqing/celery.py"})
ROOT = Path(__file__).resolve().parents[1]


def module_of(rel: str) -> str:
    name = rel[:-3].replace("/", ".")
    return name.removesuffix(".__init__")


def project_files(root: Path, layers) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for app in layers
        for p in sorted((root / app).rglob("*.py"))
        if "/migrations/" not in p.relative_to(root).as_posix()
    }


def imported_files(rel: str, node: ast.Import | ast.ImportFrom, modules: dict[str, str]) -> set[str]:
    """The project files an import statement names (the longest project module each dotted name starts with)."""
    base = module_of(rel).split(".") + (["__init__"] if rel.endswith("__init__.py") else [])
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            module = ".".join(base[: -node.level] + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        names = [module] + [f"{module}.{alias.name}" for alias in node.names]
    found = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            found.add(modules[name])
    return found - {rel}


def import_graph(root: Path, layers=LAYERS, allowed_up=ALLOWED_UP) -> tuple[dict[str, set[str]], list[str]]:
    """The file graph, and each import line from a lower app into a higher one ("file:line -> file")."""
    files = project_files(root, layers)
    modules = {module_of(rel): rel for rel in files}
    graph: dict[str, set[str]] = {rel: set() for rel in files}
    upward = []
    for rel, path in files.items():
        layer = layers.index(rel.split("/")[0])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=rel)):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in sorted(imported_files(rel, node, modules)):
                graph[rel].add(target)
                if layers.index(target.split("/")[0]) > layer and rel not in allowed_up:
                    upward.append(f"{rel}:{node.lineno} -> {target}")
    return graph, upward


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def unlisted_apps(root: Path, layers=LAYERS) -> list[str]:
    return sorted(d.name for d in root.iterdir() if (d / "apps.py").exists() and d.name not in layers)


# --- The project -------------------------------------------------------------------------------------------------


def test_every_app_has_its_place_in_the_layers():
    assert unlisted_apps(ROOT) == []


def test_no_app_imports_a_higher_one():
    _graph, upward = import_graph(ROOT)
    assert upward == []


def test_no_two_files_import_each_other_round_any_loop():
    graph, _upward = import_graph(ROOT)
    assert {"gongqing/urls.py", "indicators/services.py", "supervision/dashboards/views.py"} <= set(graph)  # read
    assert cycles(graph) == []


# --- The checker itself, on a small tree -------------------------------------------------------------------------


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_an_upward_import_is_found_at_module_level_in_a_function_and_under_type_checking(tmp_path):
    write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/apps.py": "",
            "low/a.py": "import high.models\n",
            "low/b.py": "def f():\n    from high import models\n",
            "low/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from high.models import Thing\n",
            "low/urls.py": "from high import views\n",
            "low/migrations/0001_initial.py": "import high.models\n",
            "high/__init__.py": "",
            "high/apps.py": "",
            "high/models.py": "from low import a\n",
            "high/views.py": "",
        },
    )
    _graph, upward = import_graph(tmp_path, ("low", "high"), frozenset({"low/urls.py"}))
    assert upward == [
        "low/a.py:1 -> high/models.py",
        "low/b.py:2 -> high/__init__.py",
        "low/b.py:2 -> high/models.py",
        "low/c.py:3 -> high/models.py",
    ]


def test_a_cycle_is_found_through_relative_imports_and_a_longer_loop(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/apps.py": "",
            "app/services.py": "def enqueue():\n    from .tasks import run\n",
            "app/tasks.py": "from . import services\n",
            "app/x.py": "from app.y import f\n",
            "app/y.py": "import app.z\n",
            "app/z.py": "from .x import g\n",
            "app/alone.py": "from . import services\n",
        },
    )
    graph, _upward = import_graph(tmp_path, ("app",), frozenset())
    assert sorted(cycles(graph)) == [["app/services.py", "app/tasks.py"], ["app/x.py", "app/y.py", "app/z.py"]]


def test_an_app_outside_the_layers_is_named(tmp_path):
    write(tmp_path, {"app/apps.py": "", "extra/apps.py": "", "docs/readme.py": ""})
    assert unlisted_apps(tmp_path, ("app",)) == ["extra"]
