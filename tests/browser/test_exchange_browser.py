"""Browser journey: a township official downloads the round's "all schools" template and uploads it back unchanged;
the approved school is skipped and counted, the draft is saved again."""

import pytest
from playwright.sync_api import expect

from schools.models import ReturnStatus, SchoolReturn
from tests.factories import SchoolFactory, make_return, primary_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_all_schools_template_goes_back_in_as_it_came_out(
    new_page, log_in, tmp_path, ganlu, ganlu_school, ganlu_official, official_round
):
    approved = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)
    second = SchoolFactory(code="2136000009", name="甘露镇第二小学", township=ganlu)
    draft = make_return(school=second, round=official_round, figures=primary_figures(students=120, classes=3))
    page = log_in(new_page(), ganlu_official)
    page.goto(f"/schools/exchange/rounds/{official_round.pk}/")
    links = page.locator("#template-links")
    expect(links.get_by_role("link", name="仅待填报学校（.xlsx）")).to_be_visible()
    with page.expect_download() as download:
        links.get_by_role("link", name="全部学校（.xlsx）").click()
    path = tmp_path / "template.xlsx"
    download.value.save_as(path)

    page.locator('input[name="files"]').set_input_files(str(path))
    page.get_by_role("button", name="上传并导入").click()
    result = page.locator("#import-result")
    expect(result).to_contain_text("已导入 1 所学校的填报")
    expect(result).to_contain_text("已审核的 1 所学校未变动，已跳过")
    approved.refresh_from_db()
    assert (approved.version, approved.status) == (1, ReturnStatus.APPROVED)
    assert SchoolReturn.objects.get(pk=draft.pk).version == 2
