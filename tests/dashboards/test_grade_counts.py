"""The class sums the early warnings forecast from: each school's class list in the return the round evaluates (the
latest approved one of the year up to the round's date, as the evaluation picks it), summed by grade in SQL."""

import datetime

import pytest

from indicators import loading
from indicators.domain.forecast import Grade
from schools.models import ReturnClass, School
from supervision.dashboards import selectors
from tests.factories import RoundFactory, SchoolFactory, make_return


def with_classes(school, round, status, classes):
    """A return whose class list is `classes`: (grade, pupils) per class."""
    ret = make_return(school=school, round=round, status=status, with_rows=False)
    for n, (grade, students) in enumerate(classes):
        section = "primary" if grade <= 6 else "junior"
        ReturnClass.objects.create(school_return=ret, section=section, grade=grade, name=f"{n}", students=students)
    return ret


@pytest.fixture
def rounds(school_year):
    official = RoundFactory(school_year=school_year)
    interim = RoundFactory(school_year=school_year, kind="interim", name="期中", as_of=datetime.date(2024, 12, 1))
    same_day = RoundFactory(school_year=school_year, kind="interim", name="期中补充", as_of=interim.as_of)
    return official, interim, same_day


def test_the_latest_approved_return_of_the_year_is_summed_by_grade(rounds, ganlu, django_assert_num_queries):
    official, interim, same_day = rounds
    a, b, c, d = (SchoolFactory(code=f"36000000{i}", township=ganlu) for i in range(4))
    # a: official 40 + 41 in grade 1 (81 pupils, 2 classes) and 30 in grade 6; interim 50 in grade 1 only.
    with_classes(a, official, "approved", [(1, 40), (1, 41), (6, 30)])
    with_classes(a, interim, "approved", [(1, 50)])
    # b: official only; c: a draft in the interim round, which is not evaluated.
    with_classes(b, official, "approved", [(7, 45), (7, 44), (8, 46)])
    with_classes(c, official, "approved", [(2, 33)])
    with_classes(c, interim, "draft", [(2, 99)])
    # d: two interim rounds on the same day, the later round (by its id) wins: 12 in grade 3, not 11.
    with_classes(d, interim, "approved", [(3, 11)])
    with_classes(d, same_day, "approved", [(3, 12)])
    schools = School.objects.all()

    with django_assert_num_queries(2):
        grades, info = selectors.grade_counts(round=official, schools=schools)
    assert {g.school_id: dict(g.grades) for g in grades} == {
        a.pk: {1: Grade(81, 2), 6: Grade(30, 1)},
        b.pk: {7: Grade(89, 2), 8: Grade(46, 1)},
        c.pk: {2: Grade(33, 1)},
    }
    assert info[b.pk].township_id == ganlu.pk and info[b.pk].code == b.code

    grades, info = selectors.grade_counts(round=same_day, schools=schools)
    by_school = {g.school_id: dict(g.grades) for g in grades}
    assert by_school == {
        a.pk: {1: Grade(50, 1)},
        b.pk: {7: Grade(89, 2), 8: Grade(46, 1)},
        c.pk: {2: Grade(33, 1)},
        d.pk: {3: Grade(12, 1)},
    }
    # the same returns as the evaluation reads (loading.round_returns), summed by hand
    for sid, ret in loading.round_returns(round=same_day).items():
        summed: dict[int, list[int]] = {}
        for cls in ret.classes.all():
            summed.setdefault(cls.grade, [0, 0])
            summed[cls.grade][0] += cls.students
            summed[cls.grade][1] += 1
        assert by_school[sid] == {g: Grade(*v) for g, v in summed.items()}


def test_a_school_outside_the_readers_schools_is_left_out(rounds, ganlu, jiangyi):
    official = rounds[0]
    a, b = SchoolFactory(code="360000010", township=ganlu), SchoolFactory(code="360000011", township=jiangyi)
    with_classes(a, official, "approved", [(1, 40)])
    with_classes(b, official, "approved", [(1, 41)])
    grades, info = selectors.grade_counts(round=official, schools=School.objects.filter(township=ganlu))
    assert [g.school_id for g in grades] == [a.pk] and list(info) == [a.pk]
