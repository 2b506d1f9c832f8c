"""The API's filter sets are built per request from shallow copies of their filters and one form class per filter set
class (gongqing.api.filters.StrictFilterSet): each request's filters must still be its own, bound to its own filter set,
method filters included, and a request's data must not leak into the next one's form."""

import pytest
from django.http import QueryDict

from gongqing.api.filters import _Cleaned
from indicators.api import SchoolResultFilter, SectionResultFilter


@pytest.fixture
def no_cleaned_values():
    """Parameters another test validated in this process would skip the form (StrictFilterSet.form)."""
    SchoolResultFilter.__dict__.get("_cleaned", {}).clear()


def test_each_filter_set_has_its_own_filters_bound_to_itself_and_the_class_one_form_class(no_cleaned_values):
    first, second = SchoolResultFilter(QueryDict("met=true")), SchoolResultFilter(QueryDict("met=false&round=3"))
    for fs in (first, second):
        assert set(fs.filters) == set(SchoolResultFilter.base_filters)
        for name, flt in fs.filters.items():
            assert flt is not SchoolResultFilter.base_filters[name]
            assert flt.parent is fs
            assert flt.model is fs.queryset.model
    assert first.filters["round"] is not second.filters["round"]
    met = second.filters["met"]
    assert met.filter.f is met  # the method filter calls its own filter set's method, not the class's filter's
    assert met.filter.method == second.filter_met
    assert type(first.form) is type(second.form) is SchoolResultFilter._form_class
    assert SectionResultFilter(QueryDict()).get_form_class() is not SchoolResultFilter._form_class


def test_a_requests_data_and_errors_stay_in_its_own_form(no_cleaned_values):
    bad = SchoolResultFilter(QueryDict("round=abc&met=maybe"))
    good = SchoolResultFilter(QueryDict("round=4&met=false"))
    assert not bad.is_valid()
    assert set(bad.form.errors) == {"round", "met"}
    assert bad.form.errors["round"] == ["须为整数。"]
    assert good.is_valid(), good.form.errors
    assert good.form.cleaned_data["round"] == 4
    assert good.form.cleaned_data["met"] is False
    assert "met" not in good.form.errors and not good.form.errors


def test_parameters_seen_valid_give_their_cleaned_values_again_and_nothing_else_does(no_cleaned_values):
    first = SchoolResultFilter(QueryDict("round=4&met=false"))
    assert first.is_valid() and not isinstance(first.form, _Cleaned)
    # A later page of the same walk: the same filters, another cursor and page size (not filters).
    again = SchoolResultFilter(QueryDict("met=false&round=4&cursor=WzEsMl0&page_size=100"))
    assert isinstance(again.form, _Cleaned)
    assert again.is_valid() and not again.errors
    assert again.form.cleaned_data == first.form.cleaned_data
    assert str(again.qs.query) == str(first.qs.query)
    assert "round_id" in str(again.qs.query)
    # Other values, or a value given twice, go through the form.
    other = SchoolResultFilter(QueryDict("round=5&met=false"))
    assert not isinstance(other.form, _Cleaned) and other.is_valid()
    assert str(other.qs.query) != str(first.qs.query)
    twice = SchoolResultFilter(QueryDict("round=4&round=abc&met=false"))
    assert not isinstance(twice.form, _Cleaned)
    # Errors are never kept: a bad value is refused every time, with its message.
    for _ in range(2):
        bad = SchoolResultFilter(QueryDict("round=abc"))
        assert not bad.is_valid()
        assert bad.form.errors["round"] == ["须为整数。"]
    # The cleaned values given out are a copy: changing them changes nothing kept.
    again.form.cleaned_data["round"] = 99
    assert SchoolResultFilter(QueryDict("round=4&met=false")).form.cleaned_data["round"] == 4
