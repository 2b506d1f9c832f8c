"""Render a stage's self-assessment report synchronously (for operators), e.g.

    python manage.py render_report --stage 4 --out /tmp/report.pdf

Defaults: the current cycle and the stage's round (the latest closed round as of the stage's end, PLAN.md); with
--year, that school year's latest closed round (else its latest round with results).
"""

import shutil

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from supervision.models import Cycle, Stage
from supervision.reports import selectors, services
from supervision.reports.models import ReportStatus


class Command(BaseCommand):
    help = "生成自评报告 PDF（同步） / render a stage's self-assessment report now"

    def add_arguments(self, parser):
        parser.add_argument("--stage", type=int, required=True, help="阶段序号 stage number (1–5)")
        parser.add_argument("--cycle", type=int, help="工作周期 id / cycle id (default: the current cycle)")
        parser.add_argument("--year", type=int, help="学年 school year, e.g. 2024 (default: the latest with results)")
        parser.add_argument("--round", type=int, help="采集批次 id / collection round id")
        parser.add_argument("--out", help="把 PDF 另存到此路径 / also copy the PDF to this path")

    def handle(self, *args, stage, cycle=None, year=None, round=None, out=None, **options):
        cycle_row = Cycle.objects.filter(pk=cycle).first() if cycle else Cycle.objects.filter(is_current=True).first()
        if cycle_row is None:
            raise CommandError("没有找到工作周期 / no such cycle (and no current cycle)")
        stage_row = Stage.objects.filter(cycle=cycle_row, number=stage).select_related("cycle").first()
        if stage_row is None:
            raise CommandError(f"周期“{cycle_row}”没有第{stage}阶段 / the cycle has no stage {stage}")
        rnd = selectors.resolve_round(year=year, round_id=round, stage=stage_row)
        if rnd is None:
            raise CommandError("没有已计算评估结果的批次 / no collection round with stored results matches")
        try:
            report = services.render_now(stage=stage_row, round=rnd)
        except IntegrityError as exc:
            raise CommandError("相同的报告正在生成 / the same report is being rendered right now") from exc
        if report.status != ReportStatus.DONE:
            raise CommandError(f"生成失败 / rendering failed: {report.error}")
        path = report.file.path
        if out:
            shutil.copyfile(path, out)
            path = out
        self.stdout.write(
            f"已生成 rendered: {report.title} v{report.version} · {rnd} · {report.pages} 页 pages · "
            f"{report.render_seconds} s → {path}"
        )
        if report.annex_file:
            self.stdout.write(f"附件 annexes: {report.annex_pages} 页 pages → {report.annex_file.path}")
