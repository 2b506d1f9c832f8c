"""The school page on the demo county reads in at most 12 queries, for the bureau and a township official, and in as
many again once the county holds more schools, the school more returns, teaching points and history.

The 12 (docs/performance-reads.md): the session and the user with their township and unread notices, 2; the school
with its teaching points, its returns, the rounds open for entry, the history of the returns, classes and rooms in one
union, 4; the results panel (the school's results with their round and its state, the verdicts, the standard), 3; the
school's plan (the items, the projects), 2; the session's refresh, 1.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from gongqing.models import User
from schools.models import School, SchoolKind
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return

PAGE_QUERIES = 12


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def grow(school) -> list[str]:
    """Five more schools in the school's township, two teaching points of its own, and three earlier years' returns
    each edited twice (figures, a class, a room): more rows in every table the page reads. The names to look for."""
    for _ in range(5):
        SchoolFactory(township=school.township)
    points = [SchoolFactory(township=school.township, parent=school, kind=SchoolKind.TEACHING_POINT) for _ in range(2)]
    rounds = []
    for year in (2019, 2020, 2021):
        rnd = RoundFactory(school_year=SchoolYearFactory(year=year), name=f"{year}年正式批次")
        ret = make_return(school=school, round=rnd)
        for backbone in (7, 8):
            ret.primary_teachers_backbone = backbone
            ret.save()
            row = ret.classes.first()
            row.students += 1
            row.save()
            room = ret.rooms.first()
            room.area_m2 += 1
            room.save()
        rounds.append(rnd.name)
    return [p.name for p in points] + rounds


@pytest.mark.parametrize("username", ["admin", "ganlu"])
def test_the_school_page_takes_at_most_12_queries_however_much_the_county_holds(
    demo, client, username, django_assert_max_num_queries
):
    user = User.objects.get(username=username)
    school = School.objects.filter(township__name="甘露镇", kind="primary", returns__isnull=False).first()
    client.force_login(user)
    url = reverse("schools:detail", args=[school.pk])
    client.get(url)  # the session and the user as for any signed-in reader
    with django_assert_max_num_queries(PAGE_QUERIES) as demo_county:
        response = client.get(url)
    assert response.status_code == 200 and school.name in response.text
    assert 'id="history"' in response.text
    edits = response.text.count('class="history-edit"')

    shown = grow(school)
    with django_assert_max_num_queries(PAGE_QUERIES) as larger_county:
        response = client.get(url)
    assert response.status_code == 200
    assert all(name in response.text for name in shown)
    assert response.text.count('class="history-edit"') >= edits + 3  # a line per earlier round at least
    assert len(larger_county.captured_queries) == len(demo_county.captured_queries)
