"""The bureau's grade-1 intake estimates: entered, refused when bad, used by the class-size forecast, read-only
for leadership."""

from decimal import Decimal

import pytest
from django.urls import reverse

from gongqing.models import AuditEvent
from indicators.models import IntakeEstimate, SchoolResult
from schools.models import ReturnClass
from tests.dashboards.test_dashboards import county, leader  # noqa: F401  (fixtures)

D = Decimal


@pytest.fixture
def bureau(personas):
    return personas["bureau_staff"]


def test_the_bureau_enters_an_intake_estimate_and_the_forecast_uses_it(client, bureau, county):  # noqa: F811
    school = SchoolResult.objects.filter(round=county, school__name="看板小学03").first().school
    ret = school.returns.get()
    classes = ReturnClass.objects.filter(school_return=ret, grade=1).count()
    client.force_login(bureau)
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []  # cached without estimates
    url = reverse("dashboards:intake")
    page = client.get(url)
    assert page.status_code == 200 and page.context["year"] == county.school_year.year + 1
    assert "看板小学03" in page.text
    response = client.post(f"{url}?year={county.school_year.year + 1}", {f"n_{school.pk}": str(classes * 45 + 7)})
    assert response.status_code == 302
    estimate = IntakeEstimate.objects.get()
    assert (estimate.school, estimate.year, estimate.students) == (
        school,
        county.school_year.year + 1,
        classes * 45 + 7,
    )
    assert AuditEvent.objects.filter(action="dashboard.intake_estimates").count() == 1
    warnings = client.get(reverse("dashboards:warnings")).context  # the estimate changes the cache key
    rows = warnings["class_table"].rows
    # grade 1 next year: classes × 45 + 7 pupils in this year's grade-1 classes of at most 45 → 7 over
    assert [(r[0], r[2], r[3], r[7], r[-1]) for r in rows] == [
        ("看板小学03", "1年级", classes * 45 + 7, 7, "教体局招生预估")
    ]
    assert warnings["intakes_used"] == 1
    client.post(f"{url}?year={county.school_year.year + 1}", {f"n_{school.pk}": ""})  # blank: no estimate
    assert not IntakeEstimate.objects.exists()
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []


def test_a_bad_intake_is_refused_naming_the_school_and_nothing_changes(client, bureau, county):  # noqa: F811
    schools = {s.name: s for s in (r.school for r in SchoolResult.objects.filter(round=county, code="R1"))}
    client.force_login(bureau)
    url = f"{reverse('dashboards:intake')}?year={county.school_year.year + 1}"
    response = client.post(url, {f"n_{schools['看板小学01'].pk}": "60", f"n_{schools['看板小学02'].pk}": "六十"})
    assert response.status_code == 400
    assert "看板小学02：一年级招生预估须为0至5000之间的整数" in response.text
    assert 'value="六十"' in response.text
    assert not IntakeEstimate.objects.exists()
    assert not AuditEvent.objects.filter(action="dashboard.intake_estimates").exists()


def test_leadership_reads_the_forecast_but_cannot_enter_estimates(client, leader, county):  # noqa: F811
    client.force_login(leader)
    assert client.get(reverse("dashboards:intake")).status_code == 403
    assert "录入一年级招生预估" not in client.get(reverse("dashboards:warnings")).text
