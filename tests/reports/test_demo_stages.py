"""The five stage reports of the demo: each reports what it is, names its issuer and rests on its own round.

The demo cycle moves with today (today falls in the middle of stage 3) and so do the demo's rounds
(`schools.demo.date_shift`): the 2023 official round lies before the end of stage 1, the 2024 official round after it,
and the 2025 self-check is still open. So stage 1's report rests on the 2023 round and stage 3's (not yet ended) on
the latest closed round, 2024's, whatever the date: checked on two dates a year apart.
"""

import datetime
import os
import re
import shutil
import subprocess
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from indicators import demo as indicators_demo
from schools import demo as schools_demo
from supervision import demo as supervision_demo
from supervision.models import Cycle
from supervision.reports import context, rendering, selectors
from supervision.reports import demo as reports_demo
from supervision.reports.models import ReportDraft

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = "共青城市推进义务教育优质均衡发展工作领导小组办公室"
GOVERNMENT = "共青城市人民政府"
# Each stage's own chapter headings (PLAN.md); none of them appears in another stage's report.
HEADINGS = {
    1: ("二、基线：各项指标现状", "三、差距清单与缺口", "四、宣传发动与责任分工", "五、下一步工作安排"),
    2: ("一、各项措施推进情况（对照目标）", "二、整改台账推进情况", "四、推进中的问题", "五、下一步推进安排"),
    3: ("一、重点难点问题", "二、已解决的问题", "四、下一步攻坚措施"),
    4: ("二、主要工作措施", "三、指标达成情况", "四、存在的问题和薄弱环节", "五、整改措施和下一步工作"),
    5: ("一、最终达成情况", "二、对评估反馈问题的逐条回应", "三、尚存的问题", "四、巩固提升措施"),
}
STAGE_NAMES = {1: "宣传发动", 2: "推进实施", 3: "重点攻坚", 4: "自查评估", 5: "巩固提升，迎接评估"}


def seed(day: datetime.date) -> Cycle:
    steps = [indicators_demo.DEMO_STEP, supervision_demo.DEMO_STEP, reports_demo.DEMO_STEP]
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ), tick=False):
        schools_demo.run(stdout=StringIO(), steps=steps)
    return Cycle.objects.get(is_current=True)


@pytest.fixture
def fast_hash(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("day", [datetime.date(2026, 5, 20), datetime.date(2027, 5, 20)])
def test_stages_1_and_3_rest_on_different_rounds_whatever_the_date(db, fast_hash, day):
    cycle = seed(day)
    stages = {s.number: s for s in cycle.stages.all()}
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ), tick=False):
        first, third = (selectors.stage_round(stage=stages[n]) for n in (1, 3))
    assert stages[1].ends < day <= stages[3].ends  # stage 1 ended, stage 3 runs
    assert (first.name, third.name) == ("2023年正式批次", "2024年正式批次")
    assert first.as_of <= stages[1].ends < third.as_of <= day
    assert not first.is_open and not third.is_open


def _text(path, *pages: int) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(pages[0]), "-l", str(pages[-1])] if pages else [])
    out = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, text=True).stdout
    return re.sub(r"\s+", "", out)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) missing")
def test_the_five_demo_reports_each_report_what_they_are(db, fast_hash, tmp_path):
    day = datetime.date(2026, 12, 5)
    cycle = seed(day)
    out = os.environ.get("REPORTS_DEMO_PDF_DIR")  # set it to keep the five PDFs for a look
    texts, covers = {}, {}
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ), tick=False):
        for stage in cycle.stages.all():
            draft = ReportDraft.objects.get(stage=stage)
            ctx = context.build_context(
                stage=stage, round=selectors.stage_round(stage=stage), narrative=draft.narrative()
            )
            path = tmp_path / f"stage{stage.number}.pdf"
            ctx.annexes = []  # small documents: the annexes' tables are checked on the hand-worked county
            path.write_bytes(rendering.pdf_from_context(ctx).main.data)
            if out:
                shutil.copy(path, out)
            texts[stage.number], covers[stage.number] = _text(path), _text(path, 1)
    for number, name in STAGE_NAMES.items():
        assert f"共青城市推进县域义务教育优质均衡发展“{name}”阶段自评报告" in covers[number]
        assert (OFFICE if number <= 3 else GOVERNMENT) in covers[number]
        assert (GOVERNMENT if number <= 3 else OFFICE) not in covers[number]
        for other, headings in HEADINGS.items():
            for heading in headings:
                assert (heading in texts[number]) is (other == number), (number, heading)
    assert "依据数据批次：2023—2024学年2023年正式批次" in covers[1]
    for number in (2, 3, 4, 5):
        assert "依据数据批次：2024—2025学年2024年正式批次" in covers[number]
    # each stage's own narrative
    assert "动员大会" in texts[1] and "周调度" in texts[2] and "最难啃" in texts[3] and "迎接国家评估认定" in texts[5]
