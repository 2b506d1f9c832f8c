"""The API's filter sets are built per request from shallow copies of their filters and one form class per filter set
class (gongqing.api.filters.StrictFilterSet): each request's filters must still be its own, bound to its own filter set,
method filters included, and a request's data must not leak into the next one's form."""

from django.http import QueryDict

from indicators.api import SchoolResultFilter, SectionResultFilter


def test_each_filter_set_has_its_own_filters_bound_to_itself_and_the_class_one_form_class():
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


def test_a_requests_data_and_errors_stay_in_its_own_form():
    bad = SchoolResultFilter(QueryDict("round=abc&met=maybe"))
    good = SchoolResultFilter(QueryDict("round=4&met=false"))
    assert not bad.is_valid()
    assert set(bad.form.errors) == {"round", "met"}
    assert bad.form.errors["round"] == ["须为整数。"]
    assert good.is_valid(), good.form.errors
    assert good.form.cleaned_data["round"] == 4
    assert good.form.cleaned_data["met"] is False
    assert "met" not in good.form.errors and not good.form.errors
