"""seed_demo writes the demo county's statistics export; mapped with the defaults proposed from its headers, it
shows the few differences written into it, 共青城市第三小学's flip first."""

import pytest
from django.core.management import call_command

from gongqing.models import User
from gongqing.uploads import check_upload
from indicators.reconcile.selectors import reconciliation
from schools.models import SchoolYear
from schools.statistics import services
from schools.statistics.mapping import default_mapping
from schools.statistics.reader import read_uploads
from tests.statistics_return.files import upload


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demo_export_maps_by_default_and_shows_its_differences_flip_first(demo, settings):
    path = settings.MEDIA_ROOT / "statistics" / "demo_2024.xlsx"
    sheets = read_uploads([check_upload(upload(path.read_bytes(), path.name), allowed={"xlsx"})])
    assert [s.key for s in sheets] == ["学校基本情况", "学生及班级", "专任教师", "校舍", "体育运动场地", "教学设备"]
    mapping = default_mapping(sheets)
    assert len(mapping["bands"]) == 9
    services.statistics_import(
        school_year=SchoolYear.objects.get(year=2024),
        sheets=sheets,
        mapping=mapping,
        fmt=None,
        source=path.name,
        by=User.objects.get(username="staff"),
    )
    rec = reconciliation(year=2024)
    found = {(r.school.name, d.figure): (d.portal, d.statistics) for r in rec.rows for d, _c, _r in r.differences}
    # 第三小学: 1,545 pupils × 3.6 m² = 5,562 m² in the statistics return; 甘露镇中学 8 more pupils; 江益镇中心小学
    # one PE/arts teacher fewer; 第一小学 one class moved between bands. Equipment rounded to 0.01 万元: no difference.
    assert found[("共青城市第三小学", "teaching_area_m2")][1] == 5562
    assert found[("甘露镇中学", "junior_students")] == (772, 780)
    portal, stat = found[("江益镇中心小学", "primary_teachers_pe_arts")]
    assert portal - stat == 1
    assert ("共青城市第一小学", "bands_primary") in found
    assert len(found) == 4
    assert rec.rows[0].school.name == "共青城市第三小学"
    assert (rec.rows[0].portal_verdict, rec.rows[0].statistics_verdict) == (True, False)
    assert [r.flips for r in rec.rows] == [True, False, False, False]
