"""One role vocabulary and one access layer (docs/architecture.md, "Access").

Every module of the apps is read from its source (migrations left out). Outside `gongqing/roles.py` and the access
modules, a module must not
- name a role by its string (`"township_official"`): it names `Role.TOWNSHIP_OFFICIAL` or, better, a group;
- spell out a group of roles (a tuple, list or set of `Role` members, a comprehension over `Role`, several roles in
  one call such as `roles_required(Role.BUREAU_ADMIN, Role.BUREAU_STAFF)`): groups are named once in roles.py;
- read a user's memberships (`township_membership`, `body_membership`, `TownshipMembership`, `BodyMembership`,
  a township's `.memberships`) to scope a query: the access modules answer who sees what.
Templates must not compare a role with its string either: they ask `{% may_open "route" %}` (gongqing/templatetags).
The modules allowed to do one of these are listed in ALLOWED, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gongqing.roles import Role

ROOT = Path(__file__).resolve().parents[1]
APPS = ("gongqing", "schools", "indicators", "supervision")
ROLE_STRINGS = frozenset(r.value for r in Role)
MEMBERSHIP_NAMES = frozenset({"township_membership", "body_membership", "TownshipMembership", "BodyMembership"})
MEMBERSHIP_ATTRS = MEMBERSHIP_NAMES | {"memberships"}

ACCESS_MODULES = frozenset(
    {
        "gongqing/roles.py",
        "schools/access.py",
        "indicators/access.py",
        "supervision/access.py",
        "supervision/reports/access.py",
    }
)
# module -> (the rules it may break, why)
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "schools/models.py": (frozenset({"membership"}), "defines TownshipMembership and its related name"),
    "supervision/models.py": (frozenset({"membership"}), "defines BodyMembership and its related name"),
    "schools/apps.py": (frozenset({"membership"}), "registers the township membership kind (gongqing.memberships)"),
    "supervision/apps.py": (frozenset({"membership"}), "registers the body membership kind (gongqing.memberships)"),
    "schools/demo.py": (
        frozenset({"membership", "string"}),
        "demo data: creates the officials' memberships; the auditor's username is 'auditor'",
    ),
    "supervision/demo.py": (frozenset({"membership"}), "demo data: creates the department officer's membership"),
}


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _iterates_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "Role"


def findings(source: str) -> list[tuple[int, str, str]]:
    """(line, rule, what) for every breach of the three rules in one module's source."""
    out: list[tuple[int, str, str]] = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in ROLE_STRINGS:
                out.append((line, "string", repr(node.value)))
            elif any(name in node.value for name in MEMBERSHIP_NAMES):
                out.append((line, "membership", repr(node.value)))
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            if any(_is_role(e) for e in node.elts) and len(node.elts) > 1:
                out.append((line, "group", ast.unparse(node)))
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            if any(_iterates_role(g.iter) for g in node.generators):
                out.append((line, "group", ast.unparse(node)))
        elif isinstance(node, ast.Call):
            if sum(_is_role(a) for a in node.args) > 1 or any(_iterates_role(a) for a in node.args):
                out.append((line, "group", ast.unparse(node)))
            for kw in node.keywords:
                if kw.arg and any(name in kw.arg for name in MEMBERSHIP_NAMES):
                    out.append((line, "membership", kw.arg))
        elif isinstance(node, ast.BinOp) and (_is_role(node.left) or _is_role(node.right)):
            out.append((line, "group", ast.unparse(node)))
        elif isinstance(node, ast.Attribute) and node.attr in MEMBERSHIP_ATTRS:
            out.append((line, "membership", ast.unparse(node)))
        elif isinstance(node, ast.Name) and node.id in MEMBERSHIP_NAMES:
            out.append((line, "membership", node.id))
        elif isinstance(node, ast.ImportFrom):
            out.extend((line, "membership", a.name) for a in node.names if a.name in MEMBERSHIP_NAMES)
    return out


def app_modules() -> list[str]:
    return [
        p.relative_to(ROOT).as_posix()
        for app in APPS
        for p in sorted((ROOT / app).rglob("*.py"))
        if "/migrations/" not in p.relative_to(ROOT).as_posix()
    ]


def test_no_module_outside_roles_and_access_names_a_role_spells_a_group_or_reads_memberships():
    breaches = []
    for rel in app_modules():
        if rel in ACCESS_MODULES:
            continue
        allowed = ALLOWED.get(rel, (frozenset(), ""))[0]
        breaches += [
            f"{rel}:{line} {rule}: {what}"
            for line, rule, what in findings((ROOT / rel).read_text())
            if rule not in allowed
        ]
    assert breaches == []


def test_every_allowance_is_still_needed():
    """An allowance whose module no longer breaks the rule goes: the list stays the true list of exceptions."""
    for rel, (rules, reason) in ALLOWED.items():
        assert reason
        found = {rule for _line, rule, _what in findings((ROOT / rel).read_text())}
        assert rules <= found, (rel, rules - found)


ROLE_IN_TEMPLATE = re.compile(r"""(?:\.role|\br)\s*[!=]=\s*["'](?P<role>\w+)["']""")


def test_no_template_compares_a_role_with_its_string():
    breaches = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for match in ROLE_IN_TEMPLATE.finditer(path.read_text()):
            if match["role"] in ROLE_STRINGS:
                breaches.append(f"{path.relative_to(ROOT)}: {match[0]}")
    assert breaches == []


# --- The checker finds what it must (each rule on a line of code that breaks it) -----------------------------------


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ('if user.role != "township_official": pass', "string"),
        ("READERS = (Role.BUREAU_ADMIN, Role.LEADERSHIP)", "group"),
        ("READERS = {*BUREAU, Role.LEADERSHIP}", "group"),
        ("ALL = tuple(r for r in Role if r != Role.API_CLIENT)", "group"),
        ("ALL = frozenset(Role)", "group"),
        ("@roles_required(Role.BUREAU_ADMIN, Role.BUREAU_STAFF)\ndef view(request): pass", "group"),
        ("WRITERS = BUREAU | Role.TOWNSHIP_OFFICIAL", "group"),
        ("tid = user.township_membership.township_id", "membership"),
        ('m = getattr(user, "body_membership", None)', "membership"),
        ("qs = User.objects.filter(township_membership__township=t)", "membership"),
        ("from schools.models import TownshipMembership", "membership"),
        ("people = township.memberships.all()", "membership"),
    ],
)
def test_the_checker_finds_each_kind_of_breach(source, rule):
    assert rule in {r for _line, r, _what in findings(source)}


@pytest.mark.parametrize(
    "source",
    [
        "@roles_required(BUREAU)\ndef view(request): pass",
        "if user.role in OVERSEERS: pass",
        "if user.role == Role.API_CLIENT: pass",
        "qs = access.township_officials(township)",
        "from gongqing import memberships\nmemberships.scope_set(user=u, chosen={})",
    ],
)
def test_the_checker_lets_named_groups_and_access_calls_pass(source):
    assert findings(source) == []


def test_the_template_check_finds_a_role_string():
    assert ROLE_IN_TEMPLATE.search('{% if user.role == "bureau_admin" %}')
    assert ROLE_IN_TEMPLATE.search("{% if r != 'auditor' %}")
    body_role = ROLE_IN_TEMPLATE.search('{% if a.role == "lead" %}')  # a body's role on a measure, not a user's
    assert body_role and body_role["role"] not in ROLE_STRINGS
