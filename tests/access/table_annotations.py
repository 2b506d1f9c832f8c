"""Who may use the pages of what is attached to a return (schools.annotations): the side-by-side review page, the
explanations, the reviewer's marks, the attachments and the data-quality page.

A return's review page, explanations and attachments belong to its township and the bureau: never 江益镇's official
for 甘露镇's return, and not the county's read-only roles (they read results, not the review). Accepting an explanation
and marking a figure for follow-up are the bureau's. The data-quality page is the county's review of a round: the
bureau and the leadership group; township officials see their warnings on their own returns' pages instead.
"""

from django.core.files.base import ContentFile

from schools.annotations.models import ReturnAttachment
from tests.access.table_core import BUREAU, GANLU_ENTRY, NOBODY

QUALITY_READERS = BUREAU | {"leadership"}


def _attachment(objs) -> ReturnAttachment:
    ret = objs["draft_return"]
    found = ReturnAttachment.objects.filter(school_return=ret).first()
    if found:
        return found
    attachment = ReturnAttachment(school_return=ret, name="购置依据.pdf", content_type="application/pdf", size=9)
    attachment.file.save("basis.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


ROUTES = {
    "annotations:review": {"kwargs": lambda objs: {"pk": objs["draft_return"].pk}, "GET": GANLU_ENTRY, "POST": NOBODY},
    "annotations:explanations": {
        "kwargs": lambda objs: {"pk": objs["draft_return"].pk},
        "GET": NOBODY,
        "POST": GANLU_ENTRY,
        "data": lambda objs: {"explain:rule|primary_students": "说明"},
    },
    "annotations:accept": {
        "kwargs": lambda objs: {"pk": objs["submitted_return"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
        "data": lambda objs: {"rule_code": "rule", "field": "primary_students"},
    },
    "annotations:follow_up": {
        "kwargs": lambda objs: {"pk": objs["submitted_return"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
        "data": lambda objs: {"field": "primary_students"},
    },
    "annotations:attachment_add": {
        "kwargs": lambda objs: {"pk": objs["draft_return"].pk},
        "GET": NOBODY,
        "POST": GANLU_ENTRY,
        "data": lambda objs: {"title": "购置依据"},
    },
    "annotations:attachment_download": {
        "kwargs": lambda objs: {"pk": _attachment(objs).pk},
        "GET": GANLU_ENTRY,
        "POST": NOBODY,
    },
    "annotations:quality": {"GET": QUALITY_READERS, "POST": NOBODY},
    "annotations:quality_export": {"GET": QUALITY_READERS, "POST": NOBODY},
}
