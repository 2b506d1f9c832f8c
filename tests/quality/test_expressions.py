"""The rule expression language: what it computes (hand-worked) and what it refuses, with the reasons."""

from decimal import Decimal

import pytest

from schools.quality.expressions import Env, ExpressionError, NoValue, parse
from schools.validation import ClassRow, RoomRow

D = Decimal
CLASSES = [
    ClassRow("primary", 1, "一(1)", 40),
    ClassRow("primary", 2, "二(1)", 44),
    ClassRow("junior", 7, "七(1)", 50),
]
ROOMS = [RoomRow("music", D("96.5")), RoomRow("art", D("90")), RoomRow("art", None)]
ENV = Env(
    {"primary_students": 84, "primary_teachers": 5, "classrooms": 3, "training_funds_yuan": D("2500.50")},
    CLASSES,
    ROOMS,
    previous={"primary_students": 70},
    stat={"primary_students": 86},
)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("100 × primary_teachers ÷ primary_students", D(500) / D(84)),  # 5.952...
        ("100 * primary_teachers / primary_students", D(500) / D(84)),
        ("(primary_students - 4) / 8", D(10)),  # 80 / 8
        ("-classrooms + 10", D(7)),
        ("2 + 3 × 4", D(14)),  # × binds tighter
        ("(2 + 3) × 4", D(20)),
        ("training_funds_yuan", D("2500.50")),
        ("count(classes)", D(3)),
        ("count(classes.primary)", D(2)),
        ("count(rooms.art)", D(2)),
        ("sum(classes.students)", D(134)),  # 40 + 44 + 50
        ("sum(classes.junior.students)", D(50)),
        ("min(classes.primary.students)", D(40)),
        ("max(classes.students)", D(50)),
        ("sum(rooms.area_m2)", D("186.5")),  # the room without an area adds nothing
        ("max(rooms.music.area_m2)", D("96.5")),
        ("primary_students ÷ prev(primary_students)", D(84) / D(70)),  # 1.2
        ("stat(primary_students) - primary_students", D(2)),
        ("（primary_students）", D(84)),  # full-width parentheses, as a Chinese keyboard types them
    ],
)
def test_valid_expressions_compute_the_hand_worked_value(source, value):
    assert parse(source).evaluate(ENV) == value


def test_an_expression_lists_the_figures_it_reads_and_whether_it_reads_prev_or_stat():
    e = parse("primary_students ÷ prev(primary_students) + stat(classrooms)")
    assert e.figures == ("primary_students",)
    assert (e.uses_prev, e.uses_stat) == (True, True)
    assert [display for display, _read in e.terms] == ["小学在校生数", "上次审核的小学在校生数", "统计报表的普通教室数"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("junior_students", "初中在校生数未填写"),
        ("primary_students / (classrooms - 3)", "除数为0"),
        ("prev(classrooms)", "没有上次审核的普通教室数"),
        ("stat(classrooms)", "没有统计报表的普通教室数"),
        ("min(classes.junior.students) + max(rooms.music.area_m2) - min(classes.primary.students)", None),
    ],
)
def test_an_expression_without_a_value_says_why(source, reason):
    env = Env({"primary_students": 84, "classrooms": 3}, CLASSES, ROOMS)
    if reason is None:
        assert parse(source).evaluate(env) == D(50) + D("96.5") - D(40)
        return
    with pytest.raises(NoValue) as caught:
        parse(source).evaluate(env)
    assert caught.value.reason == reason


def test_min_of_an_empty_list_has_no_value_but_count_and_sum_are_zero():
    env = Env({}, [], [])
    assert parse("count(classes)").evaluate(env) == 0
    assert parse("sum(classes.students)").evaluate(env) == 0
    with pytest.raises(NoValue, match="名单为空"):
        parse("min(classes.students)").evaluate(env)


NOT_A_FIGURE = "不是填报指标名称（应为交换格式中的英文名，如 primary_students）。"
LIST_COLUMN = "的括号中应为“名单.列”（classes.students 或 rooms.area_m2）"
LIST_ROWS = "统计名单的行数，括号中应为 classes、classes.primary、classes.junior、rooms、rooms.music、rooms.art 之一"


NOT_A_FIGURE = "不是填报指标名称（应为交换格式中的英文名，如 primary_students）。"
LIST_ROWS = "统计名单的行数，括号中应为 classes、classes.primary、classes.junior、rooms、rooms.music、rooms.art 之一"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "表达式不能为空。"),
        ("   ", "表达式不能为空。"),
        ("pupils + 1", "第1个字符处的“pupils”" + NOT_A_FIGURE),
        ("primary_students +", "表达式不完整：结尾缺少数字、指标名或右括号。"),
        ("(1 + 2", "第1个字符处的左括号没有对应的右括号。"),
        ("1 + 2)", "第6个字符处的右括号没有对应的左括号。"),
        ("1 2", "第3个字符处多出了“2”，缺少运算符？"),
        ("* 2", "第1个字符处的“*”前缺少数字或指标名。"),
        ("__import__('os')", "第12个字符“'”不能用在表达式中（只能用指标名、数字、+ - × ÷ 和括号）。"),
        ("eval(1)", "不支持的函数“eval”，只能使用 count、sum、min、max、prev、stat。"),
        ("primary_students ** 2", "第19个字符处的“*”前缺少数字或指标名。"),
        ("primary_students; 1", "第17个字符“;”不能用在表达式中（只能用指标名、数字、+ - × ÷ 和括号）。"),
        (
            "primary_students.__class__",
            "第1个字符处的“primary_students.__class__”" + NOT_A_FIGURE,
        ),
        ("prev", "函数“prev”后应紧跟括号，如 prev(...)。"),
        ("prev(3)", "prev(...) 的括号中应为一个指标名称。"),
        ("prev(classes)", "名单“classes”只能放在 count、sum、min、max 中，如 count(classes)。"),
        ("classes", "名单“classes”只能放在 count、sum、min、max 中，如 count(classes)。"),
        ("sum(classes)", "sum(...) 的括号中应为“名单.列”（classes.students 或 rooms.area_m2），而不是“classes”。"),
        (
            "max(rooms.students)",
            "max(...) 的括号中应为“名单.列”（classes.students 或 rooms.area_m2），而不是“rooms.students”。",
        ),
        (
            "count(classes.students)",
            "count(...) " + LIST_ROWS + "，而不是“classes.students”。",
        ),
        ("count(classes", "count(classes后应为“)”，第14个字符处却是“结尾”。"),
        ("1" * 19, "第1个字符处的数字过长。"),
        ("(" * 21 + "1" + ")" * 21, "括号嵌套过深（最多20层）。"),
        ("1 + " * 80 + "1", "表达式过长（最多300个字符）。"),
    ],
)
def test_refused_expressions_say_why_in_chinese(source, message):
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert str(caught.value) == message
