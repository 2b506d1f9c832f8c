"""Demo data of the reports: a narrative draft for every stage of every cycle (fast; nothing is rendered).

Set DEMO_RENDER_REPORT=1 to also render the current cycle's stage-4 report synchronously (about 10 s).
Idempotent: drafts are created once and never overwritten.
"""

from __future__ import annotations

import os

from supervision.models import Stage

from . import selectors, services
from .models import ReportDraft

SUMMARY = (
    "本阶段，市委、市政府坚持把推进县域义务教育优质均衡发展作为重大民生工程，成立领导小组，"
    "统筹编制、人社、财政、住建、自然资源等部门和各乡镇（街道）协同推进。\n\n"
    "对照《县域义务教育优质均衡发展督导评估办法》逐项自查，全市资源配置、政府保障程度、教育质量和社会认可度"
    "四个方面的达成情况见正文各表；尚未达标的指标已纳入整改台账，明确责任单位和完成时限。"
)
BASIC = "全市义务教育学校布局基本合理，城区学校规模较大，乡村学校和教学点办学条件逐年改善。"
MEASURES = (
    "一是强化组织领导，建立“党委领导、政府主导、部门联动”的工作机制；二是加大经费投入，按标准测算缺口并落实保障；"
    "三是加强教师队伍建设，补足配齐体育、艺术等学科教师，推进校长教师交流轮岗；四是推进学校标准化建设。"
)
PROBLEMS = "部分城区学校大班额和学校规模偏大问题仍然存在；个别乡村学校功能室面积不足、教学仪器设备值偏低。"
NEXT = "对照整改台账，逐校制定“一校一策”，按期完成新建、改扩建项目，确保各项指标在评估前全部达到要求。"
FINDINGS = "对评估组反馈的问题，我市逐条建立整改清单，明确责任单位和整改时限，整改情况见下表。"


def seed_reports(stdout) -> None:
    created = 0
    for stage in Stage.objects.select_related("cycle"):
        _draft, made = ReportDraft.objects.get_or_create(
            stage=stage,
            defaults={
                "summary": SUMMARY,
                "basic_facts": BASIC,
                "measures": MEASURES,
                "problems": PROBLEMS,
                "next_steps": NEXT,
                "findings_response": FINDINGS if stage.number >= 5 else "",
            },
        )
        created += made
    stdout.write(f"自评报告文稿 report drafts: {created} 新建 created\n")
    if os.environ.get("DEMO_RENDER_REPORT") == "1":
        stage = Stage.objects.filter(cycle__is_current=True, number=4).first()
        rnd = selectors.default_round()
        if stage and rnd:
            report = services.render_now(stage=stage, round=rnd)
            stdout.write(f"自评报告 report {report.pk}: {report.status}, {report.pages} 页 pages\n")


DEMO_STEP = seed_reports
