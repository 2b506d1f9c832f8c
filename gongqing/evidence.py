"""Evidence files (佐证材料): the one check every evidence upload passes, and the one way every one is served.

Used by the county-entry evidence (indicators) and the progress evidence of rectification items and measures
(supervision). The kinds allowed are told from the bytes by gongqing.uploads.check_upload: PDF, JPEG, PNG, Office
Open XML (Word, Excel, PowerPoint) and plain text. A name whose extension names another kind, or one outside the
list (`page.html` holding a PNG), is refused with a message; a name without an extension is taken as it is. Files
are stored under a random name with the kind's own extension, and served as attachments with the kind's content
type and `nosniff`, whatever an older row's name says.
"""

from __future__ import annotations

import os
import uuid

from django.http import FileResponse
from django.utils.translation import gettext as _

from .uploads import CONTENT_TYPES, EXTENSION_KINDS, KIND_LABELS, CheckedUpload, UploadRejected, check_upload

EXTENSIONS = {
    "pdf": ".pdf",
    "jpeg": ".jpg",
    "png": ".png",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "pptx": ".pptx",
    "text": ".txt",
}
EVIDENCE_KINDS = frozenset(EXTENSIONS)
_KIND_OF_CONTENT_TYPE = {CONTENT_TYPES[kind]: kind for kind in EVIDENCE_KINDS}


def check_evidence(file) -> CheckedUpload:
    """The upload as an evidence file, or UploadRejected with a Chinese message."""
    checked = check_upload(file, allowed=set(EVIDENCE_KINDS))
    ext = os.path.splitext(checked.name)[1].lower()
    if ext and EXTENSION_KINDS.get(ext) != checked.kind:
        raise UploadRejected(
            _("“%(name)s”的内容是%(kind)s，与扩展名“%(ext)s”不符；请将扩展名改为“%(canonical)s”后再上传。")
            % {
                "name": checked.name,
                "kind": KIND_LABELS[checked.kind],
                "ext": ext,
                "canonical": EXTENSIONS[checked.kind],
            }
        )
    return checked


def stored_name(checked: CheckedUpload, prefix: str = "") -> str:
    """A random file name with the extension of what the file is."""
    return f"{prefix}{uuid.uuid4().hex}{EXTENSIONS[checked.kind]}"


def evidence_response(file, *, name: str, content_type: str) -> FileResponse:
    """Serve a stored evidence file: an attachment, typed from the allow-list, never sniffed."""
    kind = _KIND_OF_CONTENT_TYPE.get(content_type)
    if kind is None:
        served_type, filename = "application/octet-stream", name
    else:
        stem, ext = os.path.splitext(name)
        served_type = CONTENT_TYPES[kind]
        filename = name if EXTENSION_KINDS.get(ext.lower()) == kind else f"{stem or name}{EXTENSIONS[kind]}"
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=served_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
