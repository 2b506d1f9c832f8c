"""CSV for machines: returns.csv, classes.csv, rooms.csv with English headers, UTF-8 (BOM or not) or GB18030."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import FIGURE_FIELDS, ReturnClass, SchoolReturn
from tests.factories import make_return, primary_figures
from tests.schools.exchange_files import zip_bytes


@pytest.fixture
def post(login, staff, official_round):
    client = login(staff)

    def _post(*files):
        response = client.post(reverse("schools:exchange_upload", args=[official_round.pk]), {"files": list(files)})
        assert response.status_code == 200
        return response.content.decode()

    return _post


def returns_csv(school, year=2024, **overrides):
    figures = primary_figures(students=60, classes=2, **overrides)
    header = ["school_year", "school_code", *FIGURE_FIELDS]
    values = [str(year), school.code, *("" if figures.get(f) is None else str(figures.get(f)) for f in FIGURE_FIELDS)]
    return ",".join(header) + "\r\n" + ",".join(values) + "\r\n"


def classes_csv(school, names=("一年级（1）班", "二年级（1）班")):
    rows = [f"{school.code},primary,{i + 1},{name},30" for i, name in enumerate(names)]
    return "school_code,section,grade,name,students\r\n" + "\r\n".join(rows) + "\r\n"


def rooms_csv(school):
    return f"school_code,room,area_m2\r\n{school.code},music,96.5\r\n{school.code},art,88\r\n"


def csv_file(name, text, encoding):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_three_csvs_are_read_in_each_encoding(post, ganlu_school, official_round, encoding):
    html = post(
        csv_file("returns.csv", returns_csv(ganlu_school), encoding),
        csv_file("classes.csv", classes_csv(ganlu_school), encoding),
        csv_file("rooms.csv", rooms_csv(ganlu_school), encoding),
    )
    assert 'id="import-result"' in html
    ret = SchoolReturn.objects.get(school=ganlu_school, round=official_round)
    assert ret.primary_students == 60
    assert sorted(ret.classes.values_list("name", flat=True)) == ["一年级（1）班", "二年级（1）班"]
    assert sorted(ret.rooms.values_list("area_m2", flat=True)) == [Decimal("88.00"), Decimal("96.50")]


def test_the_csv_zip_export_uploads_back_in_utf8_with_bom(login, staff, ganlu_school, official_round):
    ret = make_return(school=ganlu_school, round=official_round)
    first = ReturnClass.objects.filter(school_return=ret).order_by("pk").first()
    ReturnClass.objects.filter(pk=first.pk).update(name="一年级甲班")
    client = login(staff)
    exported = client.get(reverse("schools:exchange_export_csv", args=[official_round.pk])).content
    archive = zipfile.ZipFile(io.BytesIO(exported))
    returns = archive.read("returns.csv")
    assert returns.startswith(b"\xef\xbb\xbf")
    header = returns.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["school_year", "school_code", "primary_students", "primary_classes"]
    upload = zip_bytes({name: archive.read(name) for name in ("returns.csv", "classes.csv", "rooms.csv")})
    response = client.post(
        reverse("schools:exchange_upload", args=[official_round.pk]),
        {"files": SimpleUploadedFile("returns.zip", upload, content_type="application/zip")},
    )
    assert 'id="import-result"' in response.content.decode()
    ret.refresh_from_db()
    assert ret.version == 2
    assert ret.primary_students == 400
    assert ret.classes.filter(name="一年级甲班").exists()
    assert ret.rooms.count() == 2


def test_gb18030_csvs_keep_their_chinese_class_names(post, ganlu_school, official_round):
    names = ("一年级（1）班", "二年级·启航班")
    html = post(
        csv_file("returns.csv", returns_csv(ganlu_school), "gb18030"),
        csv_file("classes.csv", classes_csv(ganlu_school, names), "gb18030"),
    )
    assert 'id="import-result"' in html
    ret = SchoolReturn.objects.get(school=ganlu_school)
    assert sorted(ret.classes.values_list("name", flat=True)) == sorted(names)


def test_csv_problems_name_the_file_the_row_and_the_english_column(post, ganlu_school):
    text = returns_csv(ganlu_school).replace(",60,2,", ",-60,2,", 1)
    html = post(csv_file("returns.csv", text, "utf-8"), csv_file("classes.csv", classes_csv(ganlu_school), "utf-8"))
    assert "returns.csv 第2行 ‘primary_students’：不能为负数" in html
    assert SchoolReturn.objects.count() == 0


def test_a_csv_of_another_school_year_is_refused(post, ganlu_school):
    html = post(csv_file("returns.csv", returns_csv(ganlu_school, year=2023), "utf-8"))
    assert "returns.csv 第2行 ‘school_year’：学年应为2024" in html
    assert SchoolReturn.objects.count() == 0


def test_a_class_row_of_a_school_not_in_returns_csv_is_refused(post, ganlu_school, jiangyi_school):
    html = post(
        csv_file("returns.csv", returns_csv(ganlu_school), "utf-8"),
        csv_file(
            "classes.csv", classes_csv(ganlu_school) + f"{jiangyi_school.code},primary,3,三年级1班,20\r\n", "utf-8"
        ),
    )
    assert f"classes.csv 第4行 ‘school_code’：学校标识码“{jiangyi_school.code}”不在“returns.csv”中" in html
    assert SchoolReturn.objects.count() == 0


def test_an_unrecognisable_csv_is_refused(post):
    html = post(csv_file("data.csv", "学校,人数\r\n甲,1\r\n", "utf-8"))
    assert "无法识别“data.csv”" in html


def test_bytes_in_no_supported_encoding_are_refused(post):
    html = post(SimpleUploadedFile("returns.csv", b"school_year,school_code\r\n2024,\xff\xfe\x80\r\n"))
    assert 'id="upload-rejected"' in html
    assert SchoolReturn.objects.count() == 0
