"""Shared fixtures: the personas every access test uses.

- bureau admin and bureau staff see and manage everything;
- 甘露镇's official (`ganlu_official`) enters data for 甘露镇's schools only;
- 江益镇's official (`jiangyi_official`) must see nothing of 甘露镇's;
- a leadership reader, a department officer (市财政局), an auditor and the API client.
"""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from gongqing.roles import Role
from tests.factories import (
    PASSWORD,
    BodyFactory,
    RoundFactory,
    SchoolFactory,
    SchoolYearFactory,
    TownshipFactory,
    UserFactory,
)

# Hypothesis: no deadline (no wall-clock limits in tests). The fast pass keeps hypothesis's 100 examples per pure
# property; database-driven properties ask for a few (`max_examples=n * profile_scale()`). HYPOTHESIS_PROFILE=bench
# (bench/bench_props.py) runs 20 times as many examples of each.
hypothesis_settings.register_profile("portal", deadline=None)
hypothesis_settings.register_profile("bench", deadline=None, max_examples=2000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))

SEEDED: dict = {}  # the migrations' seeded rows, kept to put back after each flush (tests/reseed.py)


def _keep_seeded(blocker) -> None:
    from tests.reseed import snapshot

    with blocker.unblock():
        SEEDED.update(snapshot())


if os.environ.get("PORTAL_TEST_USE_EXISTING_DB"):
    # .ci/run's integration pass: use the already-migrated database that the real Celery worker also uses.
    @pytest.fixture(scope="session")
    def django_db_setup(django_db_blocker):
        _keep_seeded(django_db_blocker)

else:

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        _keep_seeded(django_db_blocker)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put the migrations' seeded rows back (tests/reseed.py) for the next test."""
    result = yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from tests.reseed import restore

        with item.config.stash[blocking_manager_key].unblock():
            restore(SEEDED)
    return result


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2 costs 0.3 s a user and tests make eight personas; tests of password rules don't depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ganlu(db):
    return TownshipFactory(name="甘露镇", code="360482101")


@pytest.fixture
def jiangyi(db):
    return TownshipFactory(name="江益镇", code="360482102")


@pytest.fixture
def finance(db):
    return BodyFactory(code="finance", name="市财政局")


@pytest.fixture
def personas(db, ganlu, jiangyi, finance):
    return {
        Role.BUREAU_ADMIN: UserFactory(username="admin", role=Role.BUREAU_ADMIN),
        Role.BUREAU_STAFF: UserFactory(username="staff", role=Role.BUREAU_STAFF),
        "ganlu_official": UserFactory(username="ganlu", role=Role.TOWNSHIP_OFFICIAL, township=ganlu),
        "jiangyi_official": UserFactory(username="jiangyi", role=Role.TOWNSHIP_OFFICIAL, township=jiangyi),
        Role.LEADERSHIP: UserFactory(username="leader", role=Role.LEADERSHIP),
        Role.DEPARTMENT_OFFICER: UserFactory(username="finance", role=Role.DEPARTMENT_OFFICER, body=finance),
        Role.AUDITOR: UserFactory(username="auditor", role=Role.AUDITOR),
        Role.API_CLIENT: UserFactory(username="jiujiang", role=Role.API_CLIENT),
    }


@pytest.fixture
def staff(personas):
    return personas[Role.BUREAU_STAFF]


@pytest.fixture
def ganlu_official(personas):
    return personas["ganlu_official"]


@pytest.fixture
def jiangyi_official(personas):
    return personas["jiangyi_official"]


@pytest.fixture
def school_year(db):
    return SchoolYearFactory(year=2024)


@pytest.fixture
def official_round(school_year):
    return RoundFactory(school_year=school_year)


@pytest.fixture
def ganlu_school(ganlu):
    return SchoolFactory(name="甘露镇中心小学", code="2136000001", township=ganlu)


@pytest.fixture
def jiangyi_school(jiangyi):
    return SchoolFactory(name="江益镇中心小学", code="2136000002", township=jiangyi)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password():
    return PASSWORD
