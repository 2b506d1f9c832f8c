import pytest

from gongqing.roles import Role
from schools.models import SchoolKind
from tests.factories import SchoolFactory

PRIMARY = "2136000102"
NINE = "2136000101"


@pytest.fixture
def county(personas, ganlu, jiangyi, school_year, official_round):
    return {
        "primary": SchoolFactory(code=PRIMARY, name="甘露镇测试小学", township=ganlu),
        "nine": SchoolFactory(code=NINE, name="江益镇测试学校", township=jiangyi, kind=SchoolKind.NINE_YEAR),
        "staff": personas[Role.BUREAU_STAFF],
        "round": official_round,
        "year": school_year,
    }
