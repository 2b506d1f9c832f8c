"""A paper tally deleted by mistake is not lost: it leaves S1 and comes back from the recycle bin."""

from django.urls import reverse

from gongqing.models import AuditEvent
from gongqing.roles import Role
from supervision.survey import selectors
from supervision.survey.models import PaperTally
from tests.survey.test_paper import _post


def _parents(survey):
    return next(g for g in selectors.survey_tally(survey).groups if g.key == "parents")


def test_a_deleted_tally_leaves_s1_and_the_admin_restores_it(client, staff, personas, survey):
    client.force_login(staff)
    client.post(reverse("survey:paper_add", args=[survey.pk, "parents"]), _post(5, {"satisfied": 5}))
    tally = PaperTally.objects.get()
    assert _parents(survey).rate.paper_forms == 5
    client.post(reverse("survey:paper_delete", args=[survey.pk, tally.pk]))
    assert _parents(survey).rate.paper_forms == 0
    kept = PaperTally.all_objects.get(pk=tally.pk)
    assert kept.deleted_by == staff and kept.counts == tally.counts
    assert AuditEvent.objects.filter(action="survey.paper_delete").count() == 1

    client.force_login(personas[Role.BUREAU_ADMIN])
    assert client.post(reverse("recycle_restore", args=["paper_tally", tally.pk])).status_code == 302
    assert _parents(survey).rate.paper_forms == 5
    assert AuditEvent.objects.filter(action="papertally.restore").count() == 1
