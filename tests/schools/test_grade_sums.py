"""ReturnGradeSum: each return's class list summed by grade, kept by the database's triggers (migration 0004).

The sums must equal the class rows' after any write, by any path: the services (the forms, imports, exchange and API
all save through `services.return_save`; a new round's draft is pre-filled by `services.return_start`), the ORM's
save()/delete() of one class, a queryset's update() and delete(), bulk_create and bulk_update (with history, as the
services write), raw SQL, and a return's deletion (its classes go by the cascade). A hand-worked example first, then
random sequences of such writes (hypothesis), each checked against the class rows summed in Python.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager, suppress

import pytest
from django.db import connection, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from schools import services
from schools.models import ReturnClass, ReturnGradeSum, SchoolReturn
from schools.selectors import return_room_rows
from schools.validation import ClassRow
from tests.factories import RoundFactory, SchoolYearFactory, make_return, primary_figures

DB_PROPERTY = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def stored() -> dict[tuple[int, int], tuple[int, int]]:
    return {
        (r, g): (s, c)
        for r, g, s, c in ReturnGradeSum.objects.values_list("school_return_id", "grade", "students", "classes")
    }


def summed() -> dict[tuple[int, int], tuple[int, int]]:
    """The class rows summed by return and grade in Python: what the sums must be."""
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for r, g, s in ReturnClass.objects.values_list("school_return_id", "grade", "students"):
        out[(r, g)][0] += s
        out[(r, g)][1] += 1
    return {k: tuple(v) for k, v in out.items()}


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def add(ret, grade, students, name):
    return ReturnClass.objects.create(school_return=ret, section="primary", grade=grade, name=name, students=students)


def test_the_sums_follow_a_hand_worked_class_list(ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round, with_rows=False)
    a, b = add(ret, 1, 40, "1-1"), add(ret, 1, 42, "1-2")
    add(ret, 2, 45, "2-1")
    assert stored() == {(ret.pk, 1): (82, 2), (ret.pk, 2): (45, 1)}
    a.grade = 2
    a.save()  # 1-1 moves to grade 2
    assert stored() == {(ret.pk, 1): (42, 1), (ret.pk, 2): (85, 2)}
    ReturnClass.objects.filter(pk=b.pk).update(students=F("students") + 6)
    assert stored() == {(ret.pk, 1): (48, 1), (ret.pk, 2): (85, 2)}
    b.delete()  # grade 1's last class: the grade has no row
    assert stored() == {(ret.pk, 2): (85, 2)}
    ReturnClass.objects.filter(pk=a.pk).update(name="renamed")  # a name is no sum
    assert stored() == {(ret.pk, 2): (85, 2)}
    ret.delete()  # the classes go by the cascade, and their sums with them
    assert stored() == {}


def test_the_migration_fills_the_sums_of_existing_class_lists(ganlu_school, official_round):
    from importlib import import_module

    fill = import_module("schools.migrations.0004_return_grade_sums").FILL
    ret = make_return(school=ganlu_school, round=official_round)  # 400 pupils in 10 classes, grades 1–6 in turn
    expected = {(ret.pk, g): (80, 2) for g in (1, 2, 3, 4)} | {(ret.pk, 5): (40, 1), (ret.pk, 6): (40, 1)}
    assert summed() == expected
    ReturnGradeSum.objects.all().delete()  # as before the migration
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert stored() == expected


# ------------------------------------------------------------------------------------------------ random writes

grades = st.integers(min_value=1, max_value=6)
pupils = st.integers(min_value=0, max_value=60)
class_lists = st.lists(st.tuples(grades, pupils), max_size=8)

writes = st.one_of(
    st.tuples(st.just("service_save"), st.integers(0, 1), class_lists),
    st.tuples(st.just("create"), st.integers(0, 1), grades, pupils),
    st.tuples(st.just("save"), st.integers(0, 50), grades, pupils),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("update_students"), st.integers(0, 1), grades, st.integers(-5, 5)),
    st.tuples(st.just("update_grade"), st.integers(0, 1), grades, grades),
    st.tuples(st.just("move"), st.integers(0, 50)),  # a class to the other return
    st.tuples(st.just("queryset_delete"), st.integers(0, 1), grades),
    st.tuples(st.just("bulk_create"), st.integers(0, 1), class_lists),
    st.tuples(st.just("bulk_update"), st.integers(0, 1), pupils),
    st.tuples(st.just("raw_update"), st.integers(0, 1), pupils),
    st.tuples(st.just("delete_return"), st.integers(0, 1)),
)


def apply(write, returns, user, counter) -> None:
    kind, *args = write
    ret = returns[args[0] % len(returns)] if kind not in ("save", "delete", "move") else None
    rows = list(ReturnClass.objects.order_by("pk"))
    picked = rows[args[0] % len(rows)] if rows and kind in ("save", "delete", "move") else None
    if kind == "service_save":  # the forms', imports', exchange's and API's path: rows created, changed, deleted
        current = SchoolReturn.objects.get(pk=ret.pk)
        classes = [ClassRow("primary", g, f"{g}年级{i}班", n) for i, (g, n) in enumerate(args[1])]
        figures = primary_figures(students=max(1, sum(n for _g, n in args[1])), classes=max(1, len(classes)))
        with suppress(services.ReturnInvalid):  # refused whole: nothing written
            services.return_save(
                school_return=current,
                figures=figures,
                classes=classes,
                rooms=return_room_rows(current),
                expected_version=current.version,
                by=user,
            )
    elif kind == "create":
        add(ret, args[1], args[2], f"c{next(counter)}")
    elif kind == "save" and picked:
        picked.grade, picked.students = args[1], args[2]
        picked.save()
    elif kind == "delete" and picked:
        picked.delete()
    elif kind == "update_students":
        ReturnClass.objects.filter(school_return=ret, grade=args[1], students__gte=5).update(
            students=F("students") + args[2]
        )
    elif kind == "update_grade":
        ReturnClass.objects.filter(school_return=ret, grade=args[1]).update(grade=args[2])
    elif kind == "move" and picked and len(returns) == 2:
        other = next(r for r in returns if r.pk != picked.school_return_id)
        ReturnClass.objects.filter(pk=picked.pk).update(school_return=other)
    elif kind == "queryset_delete":
        ReturnClass.objects.filter(school_return=ret, grade=args[1]).delete()
    elif kind == "bulk_create":
        objs = [
            ReturnClass(school_return=ret, section="primary", grade=g, name=f"b{next(counter)}", students=n)
            for g, n in args[1]
        ]
        bulk_create_with_history(objs, ReturnClass, batch_size=3, default_user=user)
    elif kind == "bulk_update":
        objs = list(ReturnClass.objects.filter(school_return=ret))
        for i, obj in enumerate(objs):
            obj.students, obj.grade = args[1] + i, 1 + (obj.grade + i) % 6
        bulk_update_with_history(objs, ReturnClass, ["grade", "students"], batch_size=3, default_user=user)
    elif kind == "raw_update":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE schools_returnclass SET students = %s WHERE school_return_id = %s AND grade <= 3",
                [args[1], ret.pk],
            )
    elif kind == "delete_return" and len(returns) == 2:
        returns.remove(ret)
        SchoolReturn.objects.get(pk=ret.pk).delete()


@pytest.fixture
def two_drafts(ganlu_school, jiangyi_school, official_round):
    return [
        make_return(school=ganlu_school, round=official_round),
        make_return(school=jiangyi_school, round=official_round),
    ]


@settings(max_examples=60, **DB_PROPERTY)
@given(sequence=st.lists(writes, min_size=1, max_size=12))
def test_the_sums_equal_the_class_rows_after_any_sequence_of_writes(two_drafts, ganlu_official, sequence):
    counter = iter(range(10**6))
    with rolled_back():
        returns = list(two_drafts)
        assert stored() == summed() != {}
        for write in sequence:
            apply(write, returns, ganlu_official, counter)
            assert stored() == summed(), write
        assert all(c > 0 for _s, c in stored().values())  # no grade left with no class


def test_return_start_prefills_the_sums_with_the_previous_classes(ganlu_school, official_round, ganlu_official):
    make_return(school=ganlu_school, round=official_round, status="approved")
    later = RoundFactory(school_year=SchoolYearFactory(year=official_round.school_year.year + 1))
    ret = services.return_start(school=ganlu_school, round=later, by=ganlu_official)
    mine = {g: v for (r, g), v in stored().items() if r == ret.pk}
    assert mine == {1: (80, 2), 2: (80, 2), 3: (80, 2), 4: (80, 2), 5: (40, 1), 6: (40, 1)}  # 400 in 10 classes
