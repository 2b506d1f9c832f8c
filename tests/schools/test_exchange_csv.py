"""CSV for machines: returns.csv, classes.csv, rooms.csv with English headers, UTF-8 (BOM or not) or GB18030."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schools.models import FIGURE_FIELDS, ReturnClass, ReturnStatus, SchoolReturn
from tests.factories import RoundFactory, SchoolYearFactory, make_return, primary_figures
from tests.schools.exchange_files import read_sheets, zip_bytes


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


def sheet_as_csv(rows) -> str:
    """A sheet as Excel or WPS write it with 另存为 CSV: the Chinese headers, numbers as shown, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def test_the_template_saved_as_csv_in_gb18030_with_chinese_headers_is_accepted(
    login, staff, ganlu, ganlu_school, official_round
):
    earlier = RoundFactory(school_year=SchoolYearFactory(year=2023))
    make_return(school=ganlu_school, round=earlier, status=ReturnStatus.APPROVED)
    client = login(staff)
    template = client.get(reverse("schools:exchange_template", args=[official_round.pk, ganlu.pk])).content
    sheets = read_sheets(template)
    assert sheets["学校填报"][0][0] == "学校标识码"
    files = [csv_file(f"{title}.csv", sheet_as_csv(rows), "gb18030") for title, rows in sheets.items()]
    response = client.post(reverse("schools:exchange_upload", args=[official_round.pk]), {"files": files})
    html = response.content.decode()
    assert 'id="import-result"' in html, html
    ret = SchoolReturn.objects.get(school=ganlu_school, round=official_round)
    # The approved return of 2023 (400 pupils, 10 classes, 2 rooms) came back through the three CSVs.
    assert (ret.primary_students, ret.classes.count(), ret.rooms.count()) == (400, 10, 2)
    assert "班级 10 个，功能室 2 间" in html


def test_a_chinese_header_csv_names_problems_by_its_chinese_columns(post, ganlu_school):
    text = "学校标识码,小学在校生数\r\n" + f"{ganlu_school.code},-5\r\n"
    html = post(csv_file("学校填报.csv", text, "gb18030"))
    assert "学校填报.csv 第2行 ‘小学在校生数’：不能为负数" in html


def test_only_returns_csv_does_not_claim_classes_or_rooms_were_imported(post, ganlu_school, official_round):
    make_return(school=ganlu_school, round=official_round)  # 10 classes and 2 rooms kept
    html = post(csv_file("returns.csv", returns_csv(ganlu_school).replace(",60,2,", ",400,10,", 1), "utf-8"))
    assert 'id="import-result"' in html, html
    assert "已导入 1 所学校的填报（新建 0 份）。" in html
    assert "班级" not in html.split('id="import-result"')[1].split("</strong>")[0]
    assert "文件中没有班级、功能室表，各校的班级和功能室名单保持不变。" in html
    assert SchoolReturn.objects.get(school=ganlu_school).classes.count() == 10


def test_the_upload_page_shows_the_field_guide_it_refers_to(login, staff, official_round):
    html = login(staff).get(reverse("schools:exchange_upload", args=[official_round.pk])).content.decode()
    guide = html.split('id="field-guide"')[1]
    for text in ("学校填报", "returns.csv", "小学在校生数", "primary_students", "班级", "classes.csv", "功能室"):
        assert text in guide
    row = guide.split("教学仪器设备值（元）")[1].split("</tr>")[0]
    assert "equipment_value_yuan" in row and "元" in row and "教学仪器设备资产值" in row
    row = guide.split('">学校标识码')[1].split("</tr>")[0]
    assert "必填" in row
