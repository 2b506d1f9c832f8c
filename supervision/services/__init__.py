"""Writes of supervision, by subject: cycles and the plan (`cycles`), the ledger sync after a recompute (`sync`),
progress, evidence and the work workflow (`work`), items added by hand (`items`), the daily overdue notices
(`notices`). Each state change is audited; items keep a history. Callers import from here."""

from .cycles import (
    cycle_add,
    cycle_create,
    cycle_set_current,
    measure_save,
    measures_seed,
    published_stage_dates,
    routing_save,
)
from .items import item_create, item_schedule
from .notices import ESCALATE_AFTER_DAYS, overdue_notices_send
from .records import finding_save, project_save, review_save
from .sync import SYNCED_FIELDS, Routing, ledger_sync
from .work import progress_post, work_done, work_review

__all__ = [
    "ESCALATE_AFTER_DAYS",
    "SYNCED_FIELDS",
    "Routing",
    "cycle_add",
    "cycle_create",
    "cycle_set_current",
    "item_create",
    "item_schedule",
    "finding_save",
    "ledger_sync",
    "project_save",
    "review_save",
    "measure_save",
    "measures_seed",
    "overdue_notices_send",
    "progress_post",
    "published_stage_dates",
    "routing_save",
    "work_done",
    "work_review",
]
