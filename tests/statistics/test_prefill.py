"""The official round pre-filled from the statistics return, and a figure changed away from it asking for an
explanation (a STAT_DIFF warning among the return's findings; stat(figure) reads the same figures)."""

from django.urls import reverse

from schools.models import SchoolReturn
from schools.quality.findings import STAT_SOURCES, findings_for_return
from schools.statistics.models import PrefilledReturn, StatisticsSchool, StatisticsYear
from tests.factories import make_return


def test_the_official_round_is_prefilled_and_a_changed_figure_asks_for_an_explanation(county, login):
    primary, nine, rnd = county["primary"], county["nine"], county["round"]
    stat_year = StatisticsYear.objects.create(school_year=county["year"])
    StatisticsSchool.objects.create(
        stat_year=stat_year,
        school=primary,
        figures={"primary_students": "400", "primary_classes": "10", "equipment_value_yuan": "915000"},
    )
    StatisticsSchool.objects.create(stat_year=stat_year, school=nine, figures={"junior_students": "409"})
    make_return(school=nine, round=rnd)  # already started: left alone
    client = login(county["staff"])
    page = client.post(reverse("statistics:prefill", args=[rnd.pk])).content.decode()
    assert "已从统计基表预填 1 份填报" in page

    ret = SchoolReturn.objects.get(school=primary, round=rnd)
    assert (ret.primary_students, ret.primary_classes, ret.equipment_value_yuan) == (400, 10, 915000)
    assert ret.primary_teachers_backbone is None  # the township completes what the statistics return lacks
    assert PrefilledReturn.objects.get(school_return=ret).figures == {
        "primary_students": "400",
        "primary_classes": "10",
        "equipment_value_yuan": "915000.00",
    }
    assert [f for f in findings_for_return(ret) if f.rule_code == "STAT_DIFF"] == []

    SchoolReturn.objects.filter(pk=ret.pk).update(primary_students=396)
    ret.refresh_from_db()
    (finding,) = [f for f in findings_for_return(ret) if f.rule_code == "STAT_DIFF"]
    assert finding.field == "primary_students" and finding.importance == "warning"
    assert (finding.left, finding.right) == (396, 400)
    assert "统计基表为400" in finding.message and "请说明原因" in finding.message
    index = client.get(reverse("statistics:index")).content.decode()
    assert "预填后改动的数据" in index and "甘露镇测试小学" in index


def test_stat_of_a_figure_reads_the_statistics_return(county):
    stat_year = StatisticsYear.objects.create(school_year=county["year"])
    StatisticsSchool.objects.create(stat_year=stat_year, school=county["primary"], figures={"primary_students": "400"})
    found = {}
    for source in STAT_SOURCES:
        found.update(source([county["primary"].pk, county["nine"].pk], 2024))
    assert found == {county["primary"].pk: {"primary_students": 400}}


def test_an_interim_round_is_not_prefilled(county, login):
    from tests.factories import RoundFactory

    interim = RoundFactory(school_year=county["year"], kind="interim", name="自查")
    StatisticsYear.objects.create(school_year=county["year"])
    page = login(county["staff"]).post(reverse("statistics:prefill", args=[interim.pk])).content.decode()
    assert "只有正式批次可以从统计基表预填" in page
    assert not SchoolReturn.objects.filter(round=interim).exists()


def _prefilled_changed(county, first, n):
    from tests.factories import SchoolFactory

    rnd = county["round"]
    for i in range(first, first + n):
        school = SchoolFactory(code=f"21360004{i:02d}", township=county["primary"].township)
        ret = make_return(school=school, round=rnd, with_rows=False)
        PrefilledReturn.objects.create(school_return=ret, figures={"primary_students": "399"})


def test_the_statistics_page_s_queries_do_not_grow_with_the_changed_returns(
    county, login, django_assert_max_num_queries
):
    client = login(county["staff"])
    for n in (1, 15):
        _prefilled_changed(county, 0 if n == 1 else 1, 1 if n == 1 else n - 1)
        with django_assert_max_num_queries(15):
            page = client.get(reverse("statistics:index")).content.decode()
        assert page.count("399") >= n
