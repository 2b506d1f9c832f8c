"""Demo data of the reports: a narrative of its own for every stage of every cycle (fast; nothing is rendered).

Each stage's narrative says what that stage's report is about (PLAN.md): the baseline and the mobilisation, the
progress against the targets, the hardest gaps, the full self-assessment, the answer to the review findings. The
issuer is left empty, so each report names its stage's default issuer.

Set DEMO_RENDER_REPORT=1 to also render the current cycle's stage-4 report synchronously (about 10 s).
Idempotent: drafts are created once and never overwritten.
"""

from __future__ import annotations

import os

from supervision.models import Stage

from . import selectors, services
from .models import ReportDraft

NARRATIVES: dict[int, dict[str, str]] = {
    1: {
        "summary": (
            "宣传发动阶段，市委、市政府召开全市推进义务教育优质均衡发展动员大会，成立以市长为组长的领导小组，"
            "领导小组办公室设在市教体局。对照评估办法逐校逐项摸清底数，形成基线数据和差距清单。"
        ),
        "basic_facts": "全市义务教育学校布局基本合理，城区学校规模较大，乡村学校和教学点办学条件逐年改善。",
        "measures": (
            "印发实施方案，明确各部门和各乡镇（街道）的职责分工；通过电视、报纸、政务新媒体开展宣传，"
            "向学生家长发放《致家长的一封信》，营造全社会关心支持义务教育的氛围。"
        ),
        "problems": (
            "基线测算显示：城区部分小学规模偏大、班额超标，体育运动场馆面积和教学仪器设备值存在缺口，"
            "个别乡村学校音乐、美术专用教室面积不足。"
        ),
        "next_steps": "按差距清单分解任务，形成“一校一策”，将资金、用地和编制需求报市政府常务会议研究。",
        "findings_response": "",
    },
    2: {
        "summary": (
            "推进实施阶段，各责任单位按实施方案确定的时限推进各项措施。本报告逐项对照措施的计划阶段和完成时限，"
            "说明完成进度和滞后原因。"
        ),
        "basic_facts": "",
        "measures": (
            "缺口测算已完成并报市政府审议；第一小学风雨操场及运动场扩建项目开工；"
            "第五小学教学仪器设备完成政府采购；教师补充计划报市委编办、市人社局审核。"
        ),
        "problems": "个别措施进度滞后于计划：乡村小规模学校公用经费按100人核定尚未落实，学校规模调整方案仍在论证。",
        "next_steps": "对滞后事项实行周调度，由领导小组办公室督办，逾期事项通报责任单位。",
        "findings_response": "",
    },
    3: {
        "summary": (
            "重点攻坚阶段，集中力量解决最难啃的问题：大班额和超大规模学校、体育运动场馆面积、"
            "城乡之间差异系数偏大。本报告列出尚未解决的重点难点和已经销号的问题。"
        ),
        "basic_facts": "",
        "measures": (
            "已完成整改的问题按“完成一项、验收一项、销号一项”办理；设备更新等已验收事项待下次数据采集后体现。"
        ),
        "problems": (
            "第一小学学生规模和班额、体育运动场馆面积仍是最难解决的问题，需新建学校分流学生；"
            "小学体育运动场馆面积差异系数仍需持续压降。"
        ),
        "next_steps": "加快新建学校建设进度，秋季学期前完成学区调整；对逾期事项约谈牵头单位。",
        "findings_response": "",
    },
    4: {
        "summary": (
            "本阶段，市委、市政府坚持把推进县域义务教育优质均衡发展作为重大民生工程，"
            "统筹编制、人社、财政、住建、自然资源等部门和各乡镇（街道）协同推进。\n\n"
            "对照《县域义务教育优质均衡发展督导评估办法》逐项自查，全市资源配置、政府保障程度、教育质量和社会认可度"
            "四个方面的达成情况见正文各表；尚未达标的指标已纳入整改台账，明确责任单位和完成时限。"
        ),
        "basic_facts": "全市义务教育学校布局基本合理，城区学校规模较大，乡村学校和教学点办学条件逐年改善。",
        "measures": (
            "一是强化组织领导，建立“党委领导、政府主导、部门联动”的工作机制；二是加大经费投入，按标准测算缺口并落实保障；"
            "三是加强教师队伍建设，补足配齐体育、艺术等学科教师，推进校长教师交流轮岗；四是推进学校标准化建设。"
        ),
        "problems": "部分城区学校大班额和学校规模偏大问题仍然存在；个别乡村学校功能室面积不足、教学仪器设备值偏低。",
        "next_steps": "对照整改台账，逐校制定“一校一策”，按期完成新建、改扩建项目，确保各项指标在评估前全部达到要求。",
        "findings_response": "",
    },
    5: {
        "summary": (
            "巩固提升阶段，我市对照省级评估反馈意见逐条整改，巩固自评成果。本报告说明各项指标的最终达成情况"
            "和对每一条反馈问题的整改回应，迎接国家评估认定。"
        ),
        "basic_facts": "",
        "measures": "",
        "problems": "少数指标仍在整改中，已明确完成时限，评估前完成并在下次数据采集中体现。",
        "next_steps": "建立义务教育优质均衡发展长效机制，将各项指标纳入对乡镇（街道）和部门的年度履职考核。",
        "findings_response": "对评估组反馈的问题，我市逐条建立整改清单，明确责任单位和整改时限，整改情况见下表。",
    },
}


def seed_reports(stdout) -> None:
    created = 0
    for stage in Stage.objects.select_related("cycle"):
        _draft, made = ReportDraft.objects.get_or_create(stage=stage, defaults=NARRATIVES.get(stage.number, {}))
        created += made
    stdout.write(f"自评报告文稿 report drafts: {created} 新建 created\n")
    if os.environ.get("DEMO_RENDER_REPORT") == "1":
        stage = Stage.objects.filter(cycle__is_current=True, number=4).first()
        rnd = selectors.stage_round(stage=stage) if stage else None
        if stage and rnd:
            report = services.render_now(stage=stage, round=rnd)
            stdout.write(f"自评报告 report {report.pk}: {report.status}, {report.pages} 页 pages\n")


DEMO_STEP = seed_reports
