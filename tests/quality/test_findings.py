"""The findings contract: change checks read as Findings, in a constant number of queries, with extra checks."""

import datetime
from decimal import Decimal

import pytest

from schools.models import ReturnStatus
from schools.quality import findings as quality
from schools.quality.findings import Finding
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return, primary_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def years():
    last = RoundFactory(school_year=SchoolYearFactory(year=2023), as_of=datetime.date(2023, 9, 1))
    this = RoundFactory(school_year=SchoolYearFactory(year=2024), as_of=datetime.date(2024, 9, 1))
    return last, this


def _pair(last, this, now, before, kind="primary"):
    school = SchoolFactory(kind=kind)
    make_return(school=school, round=last, status=ReturnStatus.APPROVED, figures=before)
    return make_return(school=school, round=this, figures=now)


def test_a_rise_of_students_past_30_percent_is_a_change_warning_naming_both_values(years):
    # 400 -> 540 pupils: 540 / 400 = 1.35 > 1.3 (the seeded rule "primary-students-rise", formerly WARN_CHANGES).
    ret = _pair(*years, primary_figures(students=540), primary_figures(students=400))
    found = [f for f in quality.findings_for_return(ret) if f.kind == quality.CHANGE]
    assert len(found) == 1
    f = found[0]
    assert isinstance(f, Finding)
    assert (f.rule_code, f.field, f.importance) == ("primary-students-rise", "primary_students", "warning")
    assert (f.left, f.right) == (Decimal("1.35"), Decimal("1.3"))
    assert "小学在校生数 540" in f.message and "上次审核的小学在校生数 400" in f.message and "1.35" in f.message


def test_a_rise_of_25_percent_and_a_first_return_raise_no_change_finding(years):
    last, this = years
    ret = _pair(last, this, primary_figures(students=500), primary_figures(students=400))  # +25 %
    first = make_return(school=SchoolFactory(), round=this)
    out = quality.findings_for_returns([ret, first])
    assert [f for f in out[ret.pk] if f.kind == quality.CHANGE] == []
    assert [f for f in out[first.pk] if f.kind == quality.CHANGE] == []


def test_the_previous_figures_are_the_last_approved_before_the_round_not_a_draft_or_a_later_round(years):
    last, this = years
    school = SchoolFactory()
    make_return(school=school, round=last, status=ReturnStatus.APPROVED, figures=primary_figures(students=400))
    later = RoundFactory(school_year=SchoolYearFactory(year=2025), as_of=datetime.date(2025, 9, 1))
    make_return(school=school, round=later, status=ReturnStatus.APPROVED, figures=primary_figures(students=100))
    ret = make_return(school=school, round=this, figures=primary_figures(students=540))
    (data,) = quality.load_returns([ret])
    assert data.previous["primary_students"] == 400


def test_findings_for_many_returns_take_a_constant_number_of_queries(years, django_assert_max_num_queries):
    last, this = years
    few = [_pair(last, this, primary_figures(students=540), primary_figures(students=400)) for _ in range(2)]
    with django_assert_max_num_queries(12) as few_queries:
        quality.findings_for_returns(few)
    many = few + [_pair(last, this, primary_figures(students=540), primary_figures(students=400)) for _ in range(8)]
    with django_assert_max_num_queries(len(few_queries.captured_queries)):
        out = quality.findings_for_returns(many)
    assert all(any(f.kind == quality.CHANGE for f in out[r.pk]) for r in many)


def test_an_extra_check_registered_by_another_app_adds_its_findings(years):
    ret = make_return(school=SchoolFactory(), round=years[1])
    extra = Finding("x.demo", "示例", "warning", "", "整份填报的示例提示。", None, None, "rule")

    def demo(returns, context):
        return {r.return_id: [extra] for r in returns}

    quality.EXTRA_CHECKS.append(demo)
    try:
        assert extra in quality.findings_for_return(ret)
    finally:
        quality.EXTRA_CHECKS.remove(demo)
    assert extra not in quality.findings_for_return(ret)


def test_the_number_of_queries_does_not_grow_with_the_number_of_rules(years, django_assert_max_num_queries):
    from schools.quality.models import Rule

    last, this = years
    returns = [_pair(last, this, primary_figures(students=540), primary_figures(students=400)) for _ in range(3)]
    with django_assert_max_num_queries(12) as before:
        quality.findings_for_returns(returns)
    Rule.objects.bulk_create(
        Rule(code=f"extra-{i}", label=f"附加规则{i}", left="primary_teachers", operator=">=", right=str(i))
        for i in range(30)
    )
    with django_assert_max_num_queries(len(before.captured_queries)):
        out = quality.findings_for_returns(returns)
    # 24 teachers: the rules "primary_teachers >= 25" ... ">= 29" trip, five per return.
    assert all(len([f for f in out[r.pk] if f.rule_code.startswith("extra-")]) == 5 for r in returns)
