"""gongqing.rows.plain_rows: the driver's rows, equal to Django's values_list for integer and text columns."""

from gongqing.rows import plain_rows
from schools.models import School


def test_plain_rows_are_the_values_list_rows(ganlu_school, jiangyi_school):
    qs = School.objects.order_by("code").values_list("pk", "code", "name", "township_id")
    rows = plain_rows(qs)
    assert rows == list(qs)
    assert [r[2] for r in rows] == ["甘露镇中心小学", "江益镇中心小学"]


def test_a_filter_that_matches_nothing_gives_no_rows_and_no_query(ganlu_school, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert plain_rows(School.objects.filter(pk__in=[]).values_list("pk", "code")) == []
