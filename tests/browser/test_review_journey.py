"""Browser journey of a warning (issue 16): a clerk enters an implausible figure, sees the warning beside it,
explains it, attaches the basis and submits; the reviewer sees the warning, the explanation, last year's figure and
the attachment side by side, and sends the return back on that figure."""

import re

import pytest
from playwright.sync_api import expect

from schools.models import ReturnStatus
from tests.browser.conftest import ARTIFACTS
from tests.factories import RoundFactory, SchoolYearFactory, make_return, primary_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_a_warning_is_explained_submitted_and_sent_back_on_its_figure(
    new_page, log_in, ganlu_official, staff, ganlu_school, official_round
):
    last_round = RoundFactory(school_year=SchoolYearFactory(year=2023), is_open=False)
    make_return(school=ganlu_school, round=last_round, status=ReturnStatus.APPROVED, figures=primary_figures())
    ret = make_return(school=ganlu_school, round=official_round, figures=primary_figures())

    # The clerk enters an equipment value of 500,000 yuan where 900,000 was approved last year (−44 %, more than
    # the 20 % drop allowed) and saves: the draft is saved, with the warning beside the figure.
    clerk = log_in(new_page(), ganlu_official)
    clerk.goto(f"/schools/returns/{ret.pk}/edit/")
    clerk.get_by_label("教学仪器设备值（元）", exact=True).fill("500000")
    clerk.get_by_role("button", name="保存草稿").click()
    expect(clerk.locator("ul.messages")).to_contain_text("已保存草稿。")
    row = clerk.locator("table.figures tr").filter(has=clerk.get_by_label("教学仪器设备值（元）", exact=True))
    expect(row.locator(".field-warning")).to_contain_text("900")

    # Submitting now is refused: the warning has no explanation.
    clerk.get_by_role("button", name="保存并提交审核").click()
    expect(clerk.locator("ul.messages")).to_contain_text("提交前请在“数据核查”中填写说明")
    expect(clerk.locator("#return-status")).to_have_text("草稿")

    # On the data-check page the clerk attaches the disposal list to the figure, explains and submits.
    clerk.goto(f"/schools/returns/{ret.pk}/edit/")
    row = clerk.locator("table.figures tr").filter(has=clerk.get_by_label("教学仪器设备值（元）", exact=True))
    row.get_by_role("link", name="填写说明或上传依据").click()
    expect(clerk).to_have_url(re.compile(rf"/review/returns/{ret.pk}/"))
    clerk.locator('#attachment-form input[name="file"]').set_input_files(
        files=[{"name": "报废清单.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    clerk.locator('#attachment-form select[name="field"]').select_option("equipment_value_yuan")
    clerk.locator('#attachment-form input[name="title"]').fill("报废清单")
    clerk.get_by_role("button", name="上传附件").click()
    expect(clerk.locator("ul.messages")).to_contain_text("附件已上传。")
    clerk.locator("#figure-equipment_value_yuan textarea").fill("报废旧设备40万元，见报废清单。")
    clerk.get_by_role("button", name="保存说明并提交审核").click()
    expect(clerk.locator("ul.messages")).to_contain_text("填报已提交")
    expect(clerk.locator("#return-status")).to_have_text("已提交")

    # The reviewer opens it from the queue: this year's and last year's figure, the change, the warning, the
    # explanation and the file, side by side on the figure's row.
    reviewer = log_in(new_page(), staff)
    reviewer.get_by_role("navigation").get_by_role("link", name="待审核", exact=True).click()
    reviewer.locator("tbody tr").filter(has_text="甘露镇中心小学").get_by_role("link", name="审核", exact=True).click()
    row = reviewer.locator("#figure-equipment_value_yuan")
    expect(row.locator(".this-year")).to_have_text("500,000")
    expect(row.locator(".last-year")).to_have_text("900,000")
    expect(row.locator(".change")).to_contain_text("-400,000")
    expect(row.locator(".warning")).to_contain_text("900000")
    expect(row).to_contain_text("报废旧设备40万元，见报废清单。")
    expect(row.get_by_role("link", name="报废清单.pdf")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    reviewer.screenshot(path=str(ARTIFACTS / "review-side-by-side.png"), full_page=True)

    # …and sends it back on that figure, with a comment.
    reviewer.locator("#send-back-field").select_option("equipment_value_yuan")
    reviewer.locator("#send-back-comment").fill("请补充报废审批文件。")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator("ul.messages")).to_contain_text("已退回修改。")
    expect(reviewer.locator("#return-status")).to_have_text("已退回")

    # The clerk sees the comment on the figure, and the explanation to rewrite.
    clerk.goto(f"/review/returns/{ret.pk}/")
    row = clerk.locator("#figure-equipment_value_yuan")
    expect(row.locator(".sent-back")).to_contain_text("请补充报废审批文件。")
    expect(row).to_contain_text("已退回")
