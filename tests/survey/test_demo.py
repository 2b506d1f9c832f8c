"""The survey's demo step: 2024 answered by every group, principals short of 30; a second run adds nothing."""

from io import StringIO

from django.core.management.base import OutputWrapper

from supervision.survey import demo, selectors
from supervision.survey.models import PaperTally, Response, Survey


def _run():
    out = StringIO()
    demo.seed_survey(OutputWrapper(out))
    return out.getvalue()


def test_the_demo_survey_has_every_group_and_one_short(school_year):
    _run()
    tally = selectors.survey_tally(Survey.objects.get(school_year=school_year))
    valid = {g.key: g.rate.valid for g in tally.groups}
    assert valid["principals"] == 19
    assert all(n >= 30 for g, n in valid.items() if g != "principals")
    assert valid["residents"] == 45 + 30  # online and the paper batch
    assert tally.result.status == "no_data" and tally.result.short_groups == ("principals",)
    assert tally.reference_rate is not None


def test_the_demo_is_deterministic_and_a_second_run_adds_nothing(school_year):
    _run()
    first = sorted(Response.objects.values_list("id", "answers"))
    out = _run()
    assert "新增答卷 0" in out
    assert sorted(Response.objects.values_list("id", "answers")) == first
    assert PaperTally.objects.count() == 1


def test_the_demo_does_nothing_without_its_school_year(db):
    _run()
    assert Survey.objects.count() == 0
