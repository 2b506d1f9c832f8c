"""The audit log for auditors and bureau admins: filtered, paged, readable, and exported as .xlsx."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from gongqing import audit, refusals
from gongqing.audit_filters import AuditFilterForm, events
from gongqing.audit_present import present
from gongqing.decorators import roles_required
from gongqing.roles import AUDIT_READERS
from gongqing.spreadsheets import safe_row

PAGE_SIZE = 100
EXPORT_CHUNK = 2000
# The export is built within the request: 100,000 rows take about 18 s on 2 busy cores (bench/bench_audit_log.py),
# inside gunicorn's 30 s timeout. A larger selection is refused with a request to narrow the dates or filters.
EXPORT_MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@roles_required(AUDIT_READERS)
def audit_log(request):
    refusals.flush_closed()  # summaries of refusal minutes already over, so the page misses none
    form = AuditFilterForm(request.GET or None)
    page = Paginator(events(form), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = present(page.object_list, request.user)
    query = form.query()
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "q": form.data.get("q", "") if form.is_bound else "",
        "export_url": reverse("audit_log_export") + ("?" + urlencode(query) if query else ""),
    }
    return render(request, "audit_log.html", context)


EXPORT_HEADER = (
    gettext_lazy("时间"),
    gettext_lazy("姓名"),
    gettext_lazy("登录名"),
    gettext_lazy("来源地址"),
    gettext_lazy("操作"),
    gettext_lazy("操作代码"),
    gettext_lazy("结果"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象"),
    gettext_lazy("对象编号"),
    gettext_lazy("变更"),
    gettext_lazy("其他详情"),
)


def _export_row(row) -> list:
    changes = "\n".join(f"{c.label}：{c.old} → {c.new}" for c in row.changes)
    facts = "\n".join(f"{label}：{value}" for label, value in row.facts)
    return [
        row.at,
        row.person,
        row.login,
        row.ip,
        row.action,
        row.action_code,
        row.result,
        row.object_type,
        row.object_text,
        row.event.object_id,
        changes,
        facts,
    ]


@require_safe
@roles_required(AUDIT_READERS)
def audit_log_export(request):
    """The rows the filters select as .xlsx: a write-only workbook written to a temporary file in chunks, so memory
    stays flat whatever the size of the log; every text cell goes through the formula guard."""
    refusals.flush_closed()
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect(reverse("audit_log") + "?" + request.GET.urlencode())
    qs = events(form)
    total = qs.count()
    if total > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("所选记录共 %(n)s 条，超过导出上限 %(max)s 条，请缩小日期范围或增加筛选条件。")
            % {"n": total, "max": EXPORT_MAX_ROWS},
        )
        return redirect(reverse("audit_log") + "?" + request.GET.urlencode())
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计日志"))
    ws.append(safe_row([str(h) for h in EXPORT_HEADER]))
    written = 0
    chunk = []
    for event in qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(event)
        if len(chunk) == EXPORT_CHUNK:
            written += _write_chunk(ws, chunk, request.user)
            chunk = []
    written += _write_chunk(ws, chunk, request.user)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it after sending, which removes it)
    wb.save(out)
    out.seek(0)
    audit.record(action="audit.export", request=request, rows=written, filters=form.query())
    name = f"audit-log-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


def _write_chunk(ws, events_chunk, viewer) -> int:
    for row in present(events_chunk, viewer):
        ws.append(safe_row(_export_row(row)))
    return len(events_chunk)
