"""Browser journey: the bureau downloads the demo statistics export, maps it (the defaults from its headers), sees
the differences with 第三小学's flip first, and resolves one of each kind."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gongqing.models import User
from schools.statistics.models import Resolution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bureau_maps_the_demo_export_and_resolves_one_difference_of_each_kind(new_page, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = new_page()
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill("staff")
    page.locator('input[name="password"]').fill("Demo#2024staff")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator(".userbox .who")).to_contain_text(User.objects.get(username="staff").full_name)
    page.goto("/statistics/")
    row = page.locator("#statistics-years tr", has_text="2024—2025学年")
    with page.expect_download() as download:
        row.get_by_role("link", name="演示基表").click()
    path = tmp_path / "基表2024.xlsx"
    download.value.save_as(path)

    form = page.locator("#statistics-upload")
    form.locator('select[name="school_year"]').select_option(label="2024—2025学年")
    form.locator('input[name="files"]').set_input_files(str(path))
    form.get_by_role("button", name="上传").click()
    expect(page.locator("#sheets")).to_contain_text("学生及班级")
    teaching = page.locator('#mapping-table tr[data-figure="teaching_area_m2"] select option:checked')
    expect(teaching).to_have_count(6)  # 教室、实验室、图书室、微机室、体育馆、其他
    page.get_by_role("button", name="保存对应关系并导入").click()
    expect(page.locator("#import-result")).to_contain_text("所学校")
    page.get_by_role("link", name="查看核对结果").click()

    rows = page.locator("#differences tbody tr")
    expect(rows.first).to_contain_text("共青城市第三小学")
    expect(rows.first).to_contain_text("通过 → 未通过")
    expect(rows.first).to_contain_text("R4（小学）：达标 → 未达标")

    def resolve(school, kind, text=""):
        row = page.locator("#differences tbody tr", has_text=school)
        row.locator('select[name="kind"]').select_option(kind)
        row.locator('input[name="text"]').fill(text)
        row.get_by_role("button", name="保存").click()
        expect(page.locator("#differences tbody tr", has_text=school).locator(".resolution")).to_be_visible()

    resolve("共青城市第三小学", "statistics")
    resolve("甘露镇中学", "portal")
    resolve("江益镇中心小学", "explained", "一名音乐教师在统计系统中登记为其他学科")
    kinds = dict(Resolution.objects.values_list("school__name", "kind"))
    assert kinds == {"共青城市第三小学": "statistics", "甘露镇中学": "portal", "江益镇中心小学": "explained"}
    expect(page.locator("#differences tbody tr", has_text="江益镇中心小学")).to_contain_text("一名音乐教师")
