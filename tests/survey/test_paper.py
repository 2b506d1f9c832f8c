"""Paper questionnaires entered by the bureau as counts per item and level."""

from django.urls import reverse

from gongqing.models import AuditEvent
from supervision.survey import selectors
from supervision.survey.models import PaperTally

LEVELS = ("very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "very_dissatisfied", "unknown")


def _post(forms: int, per_item: dict[str, int], label="甘露镇中心小学家长问卷（第1批）"):
    data = {"label": label, "valid_forms": forms}
    for item in range(1, 7):
        for level, n in per_item.items():
            data[f"c_{item}_{level}"] = n
    return data


def test_the_bureau_enters_a_batch_and_the_tally_counts_it(client, staff, survey):
    client.force_login(staff)
    url = reverse("survey:paper_add", args=[survey.pk, "parents"])
    assert client.get(url).status_code == 200
    response = client.post(url, _post(40, {"satisfied": 30, "dissatisfied": 8, "unknown": 2}))
    assert response.status_code == 302
    tally = PaperTally.objects.get()
    assert (tally.group, tally.forms, tally.entered_by) == ("parents", 40, staff)
    assert tally.counts["3"] == {"satisfied": 30, "dissatisfied": 8, "unknown": 2}
    parents = next(g for g in selectors.survey_tally(survey).groups if g.key == "parents")
    # pooled over items: 30 top-three marks of 38 answered on every item
    assert (parents.rate.valid, parents.rate.paper_forms, parents.rate_pct) == (40, 40, "78.95%")
    assert parents.items[0]["levels"] == [0, 30, 0, 8, 0, 2]
    assert AuditEvent.objects.filter(action="survey.paper_add", user=staff).count() == 1
    page = client.get(reverse("survey:detail", args=[survey.pk])).content.decode()
    assert "甘露镇中心小学家长问卷（第1批）" in page


def test_marks_beyond_the_number_of_forms_are_refused(client, staff, survey):
    client.force_login(staff)
    url = reverse("survey:paper_add", args=[survey.pk, "parents"])
    response = client.post(url, _post(10, {"satisfied": 8, "dissatisfied": 5}))
    assert response.status_code == 200
    assert "超过有效问卷份数" in response.content.decode()
    assert PaperTally.objects.count() == 0


def test_an_empty_batch_is_refused(client, staff, survey):
    client.force_login(staff)
    response = client.post(reverse("survey:paper_add", args=[survey.pk, "parents"]), _post(10, {}))
    assert response.status_code == 200
    assert PaperTally.objects.count() == 0


def test_a_group_the_standard_does_not_know_is_not_found(client, staff, survey):
    client.force_login(staff)
    assert client.get(reverse("survey:paper_add", args=[survey.pk, "aliens"])).status_code == 404


def test_leadership_reads_the_tallies_but_enters_nothing(client, personas, survey):
    client.force_login(personas["leadership"])
    assert client.get(reverse("survey:detail", args=[survey.pk])).status_code == 200
    response = client.post(reverse("survey:paper_add", args=[survey.pk, "parents"]), _post(5, {"satisfied": 5}))
    assert response.status_code == 403
    assert PaperTally.objects.count() == 0


def test_the_bureau_deletes_a_batch_entered_by_mistake(client, staff, survey):
    client.force_login(staff)
    client.post(reverse("survey:paper_add", args=[survey.pk, "parents"]), _post(5, {"satisfied": 5}))
    tally = PaperTally.objects.get()
    response = client.post(reverse("survey:paper_delete", args=[survey.pk, tally.pk]))
    assert response.status_code == 302
    assert PaperTally.objects.count() == 0
    assert AuditEvent.objects.filter(action="survey.paper_delete").count() == 1
