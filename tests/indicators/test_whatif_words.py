"""The what-if page in people's words: the policies named in Chinese in the help, the saver by name."""

from django.urls import reverse

from indicators.models import Scenario
from tests.factories import make_return, primary_figures


def test_the_whatif_help_names_the_policies_in_chinese_and_the_saver_by_name(
    ganlu_school, official_round, staff, login
):
    staff.full_name = "王晓梅"
    staff.save(update_fields=["full_name"])
    make_return(school=ganlu_school, round=official_round, status="approved", figures=primary_figures())
    Scenario.objects.create(round=official_round, name="补齐运动场", changes=[], created_by=staff)
    html = login(staff).get(reverse("indicators:whatif", args=[official_round.pk])).content.decode()
    assert "“并入所属学校小学部”“不足50人的教学点不参评”或“每个教学点单独评估”" in html
    for code in ("merge", "exclude_small", "include。"):
        assert code not in html.split("教学点处理方式填", 1)[1].split("<", 1)[0]
    row = html.split("补齐运动场", 1)[1].split("</tr>", 1)[0]
    assert "王晓梅" in row and staff.username not in row
