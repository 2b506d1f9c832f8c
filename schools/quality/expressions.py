"""The rule expression language: parsed by a small recursive-descent parser (never eval), compiled to closures.

Grammar (spaces are free; × and ÷ may also be written * and /):

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/" | "×" | "÷") factor)*
    factor     := number | figure | "-" factor | "(" expression ")" | call
    call       := "prev(" figure ")" | "stat(" figure ")"
                | "count(" list ")" | ("sum" | "min" | "max") "(" list "." attribute ")"
    list       := "classes" | "classes.primary" | "classes.junior" | "rooms" | "rooms.music" | "rooms.art"
    attribute  := "students" (of classes) | "area_m2" (of rooms)

A figure is an exchange name of GLOSSARY (`primary_students`, `classrooms`, ...). `prev(figure)` is the school's
last approved value, `stat(figure)` the statistics return's value. An empty figure, min/max of an empty list, a
missing prev/stat value or a division by zero gives no value: the rule does not apply to that return, and the
reason is kept (`NoValue`). Anything else is refused by `parse` with a Chinese reason (`ExpressionError`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from schools.models import FIGURE_FIELDS

MAX_LENGTH = 300
MAX_DEPTH = 20
FUNCTIONS = ("count", "sum", "min", "max", "prev", "stat")
LISTS = {
    "classes": ("classes", None),
    "classes.primary": ("classes", "primary"),
    "classes.junior": ("classes", "junior"),
    "rooms": ("rooms", None),
    "rooms.music": ("rooms", "music"),
    "rooms.art": ("rooms", "art"),
}
ATTRIBUTES = {"classes": "students", "rooms": "area_m2"}
OPERATORS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
OPERATOR_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠"}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(?P<op>[-+*/×÷()（）,]))"
)
_PAREN = {"（": "(", "）": ")"}


class ExpressionError(ValueError):
    """A refused expression; the message is Chinese and says why."""


class NoValue(Exception):  # noqa: N818 - an outcome, not a failure
    """The expression has no value for this return (empty figure, division by zero...); `reason` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Env:
    """What an expression reads for one return; list aggregates are computed once per return and cached."""

    __slots__ = ("figures", "classes", "rooms", "previous", "stat", "_agg")

    def __init__(self, figures, classes, rooms, previous=None, stat=None):
        self.figures = figures
        self.classes = classes
        self.rooms = rooms
        self.previous = previous or {}
        self.stat = stat or {}
        self._agg = {}

    def values(self, kind: str, which: str | None) -> list[Decimal]:
        key = (kind, which)
        got = self._agg.get(key)
        if got is None:
            if kind == "classes":
                got = [
                    Decimal(c.students) for c in self.classes if which in (None, c.section) and c.students is not None
                ]
            else:
                got = [
                    Decimal(r.area_m2 if r.area_m2 is not None else 0) for r in self.rooms if which in (None, r.room)
                ]
            self._agg[key] = got
        return got

    def count(self, kind: str, which: str | None) -> int:
        rows = self.classes if kind == "classes" else self.rooms
        attr = "section" if kind == "classes" else "room"
        return sum(1 for r in rows if which in (None, getattr(r, attr)))


Fn = Callable[[Env], Decimal]


@dataclass(frozen=True)
class Expression:
    source: str
    evaluate: Fn
    figures: tuple[str, ...]  # figures read directly, in order of appearance (the first is shown beside)
    terms: tuple[tuple[str, Fn], ...]  # each figure/call with its compiled reader, to name values in messages
    uses_prev: bool
    uses_stat: bool


def _label(figure: str) -> str:
    from schools.validation import label

    return label(figure)


def _tokens(source: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    text = source.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            bad = text[pos:].lstrip()[:1]
            where = len(text) - len(text[pos:].lstrip()) + 1
            raise ExpressionError(
                _("第%(pos)s个字符“%(char)s”不能用在表达式中（只能用指标名、数字、+ - × ÷ 和括号）。")
                % {"pos": where, "char": bad}
            )
        kind = m.lastgroup
        value = m.group(kind)
        out.append((kind, _PAREN.get(value, value), m.start(kind) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokens(source)
        self.i = 0
        self.depth = 0
        self.figures: list[str] = []
        self.terms: list[tuple[str, Fn]] = []
        self.uses_prev = self.uses_stat = False

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None, len(self.source) + 1)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, value: str, after: str):
        kind, got, pos = self.take()
        if got != value:
            raise ExpressionError(
                _("%(after)s后应为“%(want)s”，第%(pos)s个字符处却是“%(got)s”。")
                % {"after": after, "want": value, "pos": pos, "got": got or _("结尾")}
            )

    def parse(self) -> Fn:
        if not self.tokens:
            raise ExpressionError(_("表达式不能为空。"))
        fn = self.expression()
        kind, got, pos = self.peek()
        if kind is not None:
            if got == ")":
                raise ExpressionError(_("第%(pos)s个字符处的右括号没有对应的左括号。") % {"pos": pos})
            raise ExpressionError(_("第%(pos)s个字符处多出了“%(got)s”，缺少运算符？") % {"pos": pos, "got": got})
        return fn

    def expression(self) -> Fn:
        fn = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            fn = _add(fn, self.term()) if op == "+" else _sub(fn, self.term())
        return fn

    def term(self) -> Fn:
        fn = self.factor()
        while self.peek()[1] in ("*", "/", "×", "÷"):
            op = self.take()[1]
            fn = _mul(fn, self.factor()) if op in ("*", "×") else _div(fn, self.factor())
        return fn

    def factor(self) -> Fn:
        kind, value, pos = self.take()
        if kind is None:
            raise ExpressionError(_("表达式不完整：结尾缺少数字、指标名或右括号。"))
        if kind == "num":
            if len(value) > 18:
                raise ExpressionError(_("第%(pos)s个字符处的数字过长。") % {"pos": pos})
            number = Decimal(value)
            return lambda env: number
        if value == "-":
            inner = self.factor()
            return lambda env: -inner(env)
        if value == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(_("括号嵌套过深（最多%(n)s层）。") % {"n": MAX_DEPTH})
            fn = self.expression()
            kind, got, pos2 = self.take()
            if got != ")":
                raise ExpressionError(_("第%(pos)s个字符处的左括号没有对应的右括号。") % {"pos": pos})
            self.depth -= 1
            return fn
        if kind == "op":
            raise ExpressionError(_("第%(pos)s个字符处的“%(op)s”前缺少数字或指标名。") % {"pos": pos, "op": value})
        if self.peek()[1] == "(":
            return self.call(value, pos)
        return self.figure(value, pos)

    def figure(self, name: str, pos: int, *, within: str = "") -> str | Fn:
        if name not in FIGURE_FIELDS:
            if name in FUNCTIONS:
                raise ExpressionError(_("函数“%(name)s”后应紧跟括号，如 %(name)s(...)。") % {"name": name})
            if name in LISTS:
                raise ExpressionError(
                    _("名单“%(name)s”只能放在 count、sum、min、max 中，如 count(%(name)s)。") % {"name": name}
                )
            raise ExpressionError(
                _("第%(pos)s个字符处的“%(name)s”不是填报指标名称（应为交换格式中的英文名，如 primary_students）。")
                % {"pos": pos, "name": name}
            )
        if within:
            return name
        self.figures.append(name)
        label = _label(name)

        def read(env: Env) -> Decimal:
            value = env.figures.get(name)
            if value is None:
                raise NoValue(_("%(field)s未填写") % {"field": label})
            return Decimal(value)

        self.terms.append((label, read))
        return read

    def call(self, name: str, pos: int) -> Fn:
        if name not in FUNCTIONS:
            raise ExpressionError(
                _("不支持的函数“%(name)s”，只能使用 count、sum、min、max、prev、stat。") % {"name": name}
            )
        self.take()  # "("
        kind, arg, apos = self.take()
        if kind != "name":
            raise ExpressionError(
                _("%(name)s(...) 的括号中应为%(what)s。")
                % {"name": name, "what": _("一个指标名称") if name in ("prev", "stat") else _("一个名单")}
            )
        self.expect(")", f"{name}({arg}")
        if name in ("prev", "stat"):
            figure = self.figure(arg, apos, within=name)
            label = _label(figure)
            if name == "prev":
                self.uses_prev = True
                display = _("上次审核的%(field)s") % {"field": label}

                def read(env: Env) -> Decimal:
                    value = env.previous.get(figure)
                    if value is None:
                        raise NoValue(_("没有上次审核的%(field)s") % {"field": label})
                    return Decimal(value)
            else:
                self.uses_stat = True
                display = _("统计报表的%(field)s") % {"field": label}

                def read(env: Env) -> Decimal:
                    value = env.stat.get(figure)
                    if value is None:
                        raise NoValue(_("没有统计报表的%(field)s") % {"field": label})
                    return Decimal(value)

            self.terms.append((display, read))
            return read
        return self.aggregate(name, arg, apos)

    def aggregate(self, name: str, arg: str, pos: int) -> Fn:
        if name == "count":
            if arg not in LISTS:
                raise ExpressionError(
                    _("count(...) 统计名单的行数，括号中应为 %(lists)s 之一，而不是“%(arg)s”。")
                    % {"lists": "、".join(LISTS), "arg": arg}
                )
            kind, which = LISTS[arg]

            def read(env: Env) -> Decimal:
                return Decimal(env.count(kind, which))

            self.terms.append((f"count({arg})", read))
            return read
        head, _dot, attribute = arg.rpartition(".")
        if head not in LISTS or ATTRIBUTES[LISTS[head][0]] != attribute:
            raise ExpressionError(
                _("%(name)s(...) 的括号中应为“名单.列”（classes.students 或 rooms.area_m2），而不是“%(arg)s”。")
                % {"name": name, "arg": arg}
            )
        kind, which = LISTS[head]
        display = f"{name}({arg})"

        if name == "sum":

            def read(env: Env) -> Decimal:
                return sum(env.values(kind, which), Decimal(0))
        else:
            pick = min if name == "min" else max

            def read(env: Env) -> Decimal:
                values = env.values(kind, which)
                if not values:
                    raise NoValue(_("%(expr)s：名单为空") % {"expr": display})
                return pick(values)

        self.terms.append((display, read))
        return read


def _add(a: Fn, b: Fn) -> Fn:
    return lambda env: a(env) + b(env)


def _sub(a: Fn, b: Fn) -> Fn:
    return lambda env: a(env) - b(env)


def _mul(a: Fn, b: Fn) -> Fn:
    return lambda env: a(env) * b(env)


def _div(a: Fn, b: Fn) -> Fn:
    def divide(env: Env) -> Decimal:
        divisor = b(env)
        if not divisor:
            raise NoValue(_("除数为0"))
        try:
            return a(env) / divisor
        except InvalidOperation as exc:  # pragma: no cover - Decimal's own guard
            raise NoValue(_("无法计算")) from exc

    return divide


def parse(source: str) -> Expression:
    """The compiled expression, or ExpressionError with a Chinese reason."""
    source = (source or "").strip()
    if len(source) > MAX_LENGTH:
        raise ExpressionError(_("表达式过长（最多%(n)s个字符）。") % {"n": MAX_LENGTH})
    p = _Parser(source)
    fn = p.parse()
    return Expression(source, fn, tuple(p.figures), tuple(p.terms), p.uses_prev, p.uses_stat)
