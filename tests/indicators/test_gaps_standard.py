"""The gaps page fills 标准 for the rule items too: G5's class cap (and G3's rooms, tested on the filter)."""

from django.urls import reverse

from indicators import services as indicator_services
from indicators.models import SchoolResult
from tests.factories import make_return, primary_figures


def test_the_gaps_page_shows_g5s_class_cap_as_its_standard(ganlu_school, official_round, staff, login):
    # 400 pupils in 8 classes: 50 a class, over the primary cap of 45 → G5 not met
    make_return(school=ganlu_school, round=official_round, status="approved", figures=primary_figures(classes=8))
    indicator_services.mark_stale_now(round=official_round)
    indicator_services.recompute_round(round_id=official_round.pk)
    assert SchoolResult.objects.get(round=official_round, school=ganlu_school, code="G5").status == "not_met"
    html = login(staff).get(reverse("indicators:round_gaps", args=[official_round.pk])).content.decode()
    row = html.split("<td>G5 ", 1)[1].split("</tr>", 1)[0]
    assert "小学每班 ≤ 45人" in row
