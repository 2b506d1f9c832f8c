"""The import through the pages: the first file of a format is mapped (defaults from the header text) and the
mapping saved; the next file of that format goes in with it; a bad file is refused naming the cell, all or nothing."""

from decimal import Decimal

from django.urls import reverse

from gongqing.models import AuditEvent
from schools.statistics.models import StatisticsFormat, StatisticsSchool, StatisticsUpload
from tests.statistics_return.conftest import NINE, PRIMARY
from tests.statistics_return.files import export, primary_rows, upload


def first_file():
    pupils = [*primary_rows(PRIMARY, 400, 10), [NINE, "一年级", 2, 80, 0, 2, 0], [NINE, "七年级", 3, 140, 0, 3, 0]]
    buildings = [[PRIMARY, 2000, 600, 2900, 90.00], [NINE, 5000, 800, 9000, 245.67]]
    teachers = [[PRIMARY, "小学", 24, 0, 12, 10, 2, 1, 1], [NINE, "小学", 6, 0, 5, 1, 1, 0, 0]]
    return export(pupils, buildings, teachers)


def post_upload(client, year, content, name="基表2024.xlsx"):
    return client.post(reverse("statistics:upload"), {"school_year": year.pk, "files": upload(content, name)})


def test_a_mapping_is_proposed_saved_and_reused_on_a_second_file(county, login):
    client = login(county["staff"])
    response = post_upload(client, county["year"], first_file())
    pending = StatisticsUpload.objects.get()
    assert response.status_code == 302 and response.url == reverse("statistics:mapping", args=[pending.pk])
    page = client.get(response.url).content.decode()
    # The defaults from the header text are selected: the teaching area is 教室 + 体育馆.
    assert 'value="{}|教学及辅助用房/教室" selected'.format(pending.sheets[1]["ident"]) in page
    form = {"name": "省统计系统2024版"}
    for figure, cols in _defaults(pending).items():
        form[f"map_{figure}"] = [f"{i}|{k}" for i, k in cols]
    form["bands"] = []  # this county keeps no bands
    response = client.post(response.url, form)
    assert response.status_code == 302
    fmt = StatisticsFormat.objects.get()
    assert fmt.name == "省统计系统2024版" and not StatisticsUpload.objects.exists()
    row = StatisticsSchool.objects.get(school=county["primary"])
    assert row.figures["primary_students"] == "400" and row.figures["teaching_area_m2"] == "2600"
    assert row.bands == {}

    # Next year's file, same format, other numbers and another file name: imported at once with the saved mapping.
    second = export(
        primary_rows(PRIMARY, 412, 10) + [[NINE, "一年级", 2, 80, 0, 2, 0]],
        [[PRIMARY, 2100, 600, 2900, 91.5], [NINE, 5000, 800, 9000, 245.67]],
        [[PRIMARY, "小学", 25, 0, 12, 10, 2, 1, 1]],
    )
    response = post_upload(client, county["year"], second, "另一个名字.xlsx")
    assert response.status_code == 200
    assert "使用已保存的对应关系“省统计系统2024版”" in response.content.decode()
    row = StatisticsSchool.objects.get(school=county["primary"])
    # 412 pupils; 91.5 万元 = 915,000 yuan; teaching area 2100 + 600.
    assert row.figures["primary_students"] == "412"
    assert Decimal(row.figures["equipment_value_yuan"]) == 915000 and row.figures["teaching_area_m2"] == "2700"
    assert StatisticsFormat.objects.count() == 1


def _defaults(pending):
    from schools.statistics.mapping import default_mapping
    from schools.statistics.reader import Sheet

    return default_mapping([Sheet.from_json(s) for s in pending.sheets])["figures"]


def test_a_bad_file_is_refused_naming_the_cell_and_changes_nothing(county, login):
    client = login(county["staff"])
    post_upload(client, county["year"], first_file())
    pending = StatisticsUpload.objects.get()
    form = {f"map_{f}": [f"{i}|{k}" for i, k in cols] for f, cols in _defaults(pending).items()}
    client.post(reverse("statistics:mapping", args=[pending.pk]), form)
    before = list(StatisticsSchool.objects.values_list("school_id", "figures"))

    bad = export(
        primary_rows(PRIMARY, 400, 10), [[PRIMARY, 2000, 600, "二千", 90]], [[PRIMARY, "小学", 24, 0, 12, 10, 2, 1, 1]]
    )
    page = post_upload(client, county["year"], bad).content.decode()
    assert "工作表“校舍及设备”第4行D列（运动场地面积）：“二千”不是有效的数字。" in page
    assert list(StatisticsSchool.objects.values_list("school_id", "figures")) == before
    assert AuditEvent.objects.filter(action="statistics.import", result="refused").exists()


def test_an_old_workbook_is_refused_by_the_upload_checker(county, login):
    client = login(county["staff"])
    page = post_upload(client, county["year"], b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "基表.xls")
    assert "另存为" in page.content.decode()
    assert not StatisticsUpload.objects.exists()


def test_a_township_official_cannot_open_the_statistics_pages(county, login, ganlu_official):
    client = login(ganlu_official)
    assert client.get(reverse("statistics:index")).status_code == 403
    assert post_upload(client, county["year"], first_file()).status_code == 403
