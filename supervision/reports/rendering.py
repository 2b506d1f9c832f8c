"""Context → HTML → PDF bytes. No database writes here: the storing is the services' job.

A report with annexes longer than `REPORTS_SPLIT_PAGES` (200 by default) is rendered again as two documents: the
report with a note that the annexes are bound separately, and the annexes on their own (both with the running title,
page numbers and the provisional mark).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from gongqing import pdf

from .context import ReportContext

TEMPLATE = "reports/pdf/report.html"


def split_pages() -> int:
    return int(getattr(settings, "REPORTS_SPLIT_PAGES", 200))


@dataclass
class RenderedReport:
    main: pdf.RenderedPdf
    annex: pdf.RenderedPdf | None = None

    @property
    def refused(self) -> list[str]:
        return self.main.refused + (self.annex.refused if self.annex else [])


def report_html(ctx: ReportContext, *, annexes: bool = True, annex_only: bool = False) -> str:
    with translation.override("zh-hans"):
        return render_to_string(TEMPLATE, {"r": ctx, "annexes": annexes, "annex_only": annex_only})


def pdf_from_context(ctx: ReportContext, *, split_at: int | None = None, progress=None) -> RenderedReport:
    """The report's PDF (and a separate annex PDF when the whole would pass `split_at` pages)."""
    limit = split_pages() if split_at is None else split_at
    step = progress or (lambda percent, note: None)
    document, fetcher = pdf.render_document(report_html(ctx))
    step(75, "layout")
    if len(document.pages) <= limit or not ctx.annexes:
        data = document.write_pdf()
        return RenderedReport(pdf.RenderedPdf(data, len(document.pages), list(fetcher.refused), list(fetcher.served)))
    main = pdf.render_pdf(report_html(ctx, annexes=False))
    step(85, "annexes")
    annex = pdf.render_pdf(report_html(ctx, annexes=False, annex_only=True))
    return RenderedReport(main, annex)
