"""Objects for the route × role test.

`objs` is built fresh for every case. Keys a table may use in its `kwargs` and `data` callables:

- township            甘露镇
- school              甘露镇中心小学 (primary) with `draft_return` in `round`
- fresh_school        a 甘露镇 school with no return yet (for starting one)
- submitted_return    a submitted return of another 甘露镇 school in `round`
- approved_return     an approved return of a third 甘露镇 school in `round`
- draft_return        the draft of `school` in `round` (complete: it can be submitted)
- round               the official round of 2024 (open)
- school_year         2024
- managed_user        a 甘露镇 official who is not a persona, for the user-admin routes
- standard            the built-in national 2017 standard
- evidence            an evidence file of a county entry of `school_year`
- notice              a notice of the requesting user (of `ganlu_official` for anonymous)
- user                the requesting user (None for anonymous)

Keys in GANLU_KEYS name objects owned by 甘露镇: a route whose kwargs read one of them must refuse `jiangyi_official`.
"""

import pytest
from django.core.files.base import ContentFile

from gongqing.roles import Role
from indicators.loading import national_standard_row
from indicators.models import CountyEntry, Evidence
from schools.models import ReturnStatus
from tests.factories import SchoolFactory, UserFactory, make_return

GANLU_KEYS = frozenset(
    {"township", "school", "fresh_school", "draft_return", "submitted_return", "approved_return", "managed_user"}
)


class Objects(dict):
    """A dict that remembers which keys were read, so the test knows whose objects a route was given."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _school_codes_clear_of_the_fixtures():
    """SchoolFactory's codes start at 2136000000, where ganlu_school and jiangyi_school have fixed codes."""
    SchoolFactory.reset_sequence(1000)


@pytest.fixture
def objs(personas, ganlu, official_round, ganlu_school, school_year):
    second = SchoolFactory(name="甘露镇第二小学", code="2136100002", township=ganlu)
    third = SchoolFactory(name="甘露镇第三小学", code="2136100003", township=ganlu)
    return Objects(
        township=ganlu,
        school=ganlu_school,
        fresh_school=SchoolFactory(name="甘露镇新建小学", code="2136100004", township=ganlu),
        draft_return=make_return(school=ganlu_school, round=official_round),
        submitted_return=make_return(school=second, round=official_round, status=ReturnStatus.SUBMITTED),
        approved_return=make_return(school=third, round=official_round, status=ReturnStatus.APPROVED),
        round=official_round,
        school_year=school_year,
        managed_user=UserFactory(username="ganlu_clerk", role=Role.TOWNSHIP_OFFICIAL, township=ganlu),
        standard=national_standard_row(),
        evidence=_evidence(school_year),
    )


def _evidence(school_year):
    entry = CountyEntry.objects.create(school_year=school_year, code="G1", value={"met": True})
    evidence = Evidence(entry=entry, name="规划.pdf", content_type="application/pdf", size=9)
    evidence.file.save("plan.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return evidence
