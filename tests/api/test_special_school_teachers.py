"""The API's return carries a special school's full-time and certified teachers (GLOSSARY's exchange names)."""

import pytest

from gongqing.roles import Role
from tests.api.conftest import body
from tests.factories import SchoolFactory, make_return
from tests.schools.test_special_school_teachers import SPECIAL


@pytest.fixture
def special_school(ganlu):
    return SchoolFactory(code="2136100009", name="共青城市特殊教育学校", township=ganlu, kind="special")


def test_the_api_return_names_the_special_school_teachers(bearer, personas, special_school, official_round):
    ret = make_return(school=special_school, round=official_round, figures=SPECIAL, with_rows=False)
    city = bearer(personas[Role.API_CLIENT], "read")
    data = body(city.get(f"/api/v1/returns/{ret.pk}/"))
    assert (data["special_teachers"], data["special_teachers_certified"]) == (18, 17)
