"""The one check every upload of the portal passes before anything parses it.

`check_upload(file, allowed={...})` looks at the bytes, not the name or the browser's content type:

- size at most settings.UPLOAD_MAX_BYTES (20 MB by default);
- the type from magic bytes: PDF, PNG, JPEG, text (CSV), and ZIP containers, where an Office file is told by its
  members (xl/workbook.xml, word/document.xml, ppt/presentation.xml);
- refused outright: OLE2 files (.xls, .et, .doc, encrypted workbooks), macro-enabled packages (vbaProject.bin or a
  macroEnabled content type), binary workbooks (.xlsb), and an extension that contradicts the content;
- for every ZIP container, from its central directory and before any entry is read: at most MAX_ZIP_ENTRIES
  entries and MAX_ZIP_UNCOMPRESSED bytes once inflated; no entry, and not the archive as a whole, inflating more
  than MAX_ZIP_RATIO:1 (an entry of under SMALL_ENTRY bytes cannot be a bomb and may); no encrypted entries;
- XML members of Office files must not declare a DOCTYPE or ENTITY (entity bombs) and must be 8-bit encoded;
- counted in the XML streams, because openpyxl (even read-only) holds all of it in memory when it opens a workbook:
  a sheet's rows (MAX_ROWS_PER_SHEET besides the header), the cells of all sheets and the shared strings (each at
  most MAX_CELLS_PER_IMPORT), and the elements of every other part: styles, workbook, theme, properties, charts
  (MAX_XML_ELEMENTS_OUTSIDE_SHEETS).

The caps are sized for the largest county the portal serves (1,000 schools, about 30,000 class rows in one import)
and listed in docs/security.md; CSV imports are held to the same rows and cells by schools.exchange.reader.

openpyxl then parses through defusedxml (installed as a dependency; openpyxl uses it when present), the second line
of defence. Spreadsheet readers use read-only mode and cap rows per sheet (`MAX_ROWS_PER_SHEET`).
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
import zlib
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ZIP_RATIO = 100
SMALL_ENTRY = 4096
MAX_ROWS_PER_SHEET = 40_000
MAX_CELLS_PER_IMPORT = 300_000
MAX_XML_ELEMENTS_OUTSIDE_SHEETS = 50_000
_SNIFF = 64 * 1024
_CHUNK = 1024 * 1024

KIND_LABELS = {
    "xlsx": gettext_lazy("Excel工作簿（.xlsx）"),
    "docx": gettext_lazy("Word文档（.docx）"),
    "pptx": gettext_lazy("PowerPoint演示文稿（.pptx）"),
    "pdf": gettext_lazy("PDF文件"),
    "png": gettext_lazy("PNG图片"),
    "jpeg": gettext_lazy("JPEG图片"),
    "csv": gettext_lazy("CSV文件"),
    "text": gettext_lazy("文本文件"),
    "zip": gettext_lazy("ZIP压缩包"),
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "text": "text/plain",
    "zip": "application/zip",
}
EXTENSION_KINDS = {
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".pptx": "pptx",
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".csv": "csv",
    ".txt": "text",
    ".zip": "zip",
}
OLD_WORKBOOKS = frozenset({".xls", ".et", ".ett", ".xlt", ".xlsm", ".xltm", ".xlsb", ".xlam"})
OLD_DOCUMENTS = frozenset({".doc", ".wps", ".docm", ".dotm", ".ppt", ".dps", ".pptm"})
OFFICE_MARKERS = (("xl/workbook.xml", "xlsx"), ("word/document.xml", "docx"), ("ppt/presentation.xml", "pptx"))
XML_SUFFIXES = (".xml", ".rels", ".vml")


class UploadRejected(Exception):
    """The upload is refused; `message` is Chinese and tells the user what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    kind: str
    size: int
    file: Any = field(repr=False)
    members: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    def open(self):
        """The file, rewound."""
        self.file.seek(0)
        return self.file

    def read(self) -> bytes:
        return self.open().read()

    def stream(self):
        """The file rewound, as a context that leaves it open afterwards (the upload handler owns it)."""
        return nullcontext(self.open())


def save_as_xlsx_message() -> str:
    return _(
        "不支持.xls、.et、.xlsm等格式（旧版、WPS或含宏的工作簿）。请在Excel或WPS中“另存为”Excel工作簿（.xlsx）后再上传。"
    )


def check_upload(file, *, allowed: set[str]) -> CheckedUpload:
    """Check an uploaded file; raise UploadRejected with a Chinese message, or return what it is."""
    name = os.path.basename(getattr(file, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext in OLD_WORKBOOKS:
        raise UploadRejected(save_as_xlsx_message())
    if ext in OLD_DOCUMENTS:
        raise UploadRejected(_("不支持旧版或含宏的Office文件，请另存为.docx、.pptx或PDF后再上传。"))
    size = _size(file)
    limit = getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    if size > limit:
        raise UploadRejected(
            _("文件过大（%(size)s），上传文件不能超过%(limit)s。")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise UploadRejected(_("文件是空的。"))
    file.seek(0)
    head = file.read(_SNIFF)
    file.seek(0)
    kind, members = _detect(file, head, ext)
    if kind not in allowed:
        wanted = "、".join(str(KIND_LABELS[k]) for k in sorted(allowed) if k in KIND_LABELS)
        raise UploadRejected(
            _("不支持该文件类型（%(kind)s），请上传%(wanted)s。")
            % {"kind": KIND_LABELS.get(kind, kind), "wanted": wanted}
        )
    expected = EXTENSION_KINDS.get(ext)
    if expected is not None and expected != kind and {expected, kind} != {"csv", "text"}:
        raise UploadRejected(
            _("文件内容（%(kind)s）与扩展名“%(ext)s”不符，请检查文件。") % {"kind": KIND_LABELS[kind], "ext": ext}
        )
    file.seek(0)
    return CheckedUpload(name=name, kind=kind, size=size, file=file, members=members)


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, os.SEEK_END)
        size = file.tell()
        file.seek(0)
    return size


def _detect(file, head: bytes, ext: str) -> tuple[str, tuple[str, ...]]:
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UploadRejected(
            save_as_xlsx_message() + _("（如果文件设置了打开密码，请先取消密码。）")
            if ext not in (".doc", ".docx", ".ppt", ".pptx")
            else _("不支持旧版Office文件（.doc、.ppt），请另存为.docx、.pptx或PDF后再上传。")
        )
    if head.startswith(b"%PDF-"):
        return "pdf", ()
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", ()
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", ()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _check_zip(file)
    if _is_text(head):
        return ("csv" if ext == ".csv" else "text"), ()
    raise UploadRejected(_("无法识别的文件类型。"))


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _check_zip(file) -> tuple[str, tuple[str, ...]]:
    """Judge a ZIP container from its central directory, then scan its XML members as streams."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise UploadRejected(_("文件已损坏，无法读取压缩包目录。")) from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos)
        names = tuple(i.filename for i in infos)
        kind = _office_kind(archive, names)
        if kind == "xlsx":
            _check_workbook_parts(archive, infos)
        elif kind != "zip":
            for info in infos:
                if info.filename.lower().endswith(XML_SUFFIXES):
                    _scan_xml(archive, info)
    return kind, names


def _check_workbook_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    cells = strings = elements = 0
    for info in infos:
        name = info.filename.lower()
        if not name.endswith(XML_SUFFIXES):
            continue
        if name.startswith("xl/worksheets/"):
            rows, sheet_cells = _scan_xml(
                archive, info, tags=((_ROW_TAG, MAX_ROWS_PER_SHEET + 1), (_CELL_TAG, MAX_CELLS_PER_IMPORT - cells))
            )
            cells += sheet_cells
            if rows > MAX_ROWS_PER_SHEET + 1:
                raise UploadRejected(_("工作表超过%(max)s行，请分批上传。") % {"max": f"{MAX_ROWS_PER_SHEET:,}"})
            if cells > MAX_CELLS_PER_IMPORT:
                raise UploadRejected(
                    _("工作簿的单元格超过%(max)s个，请分批上传。") % {"max": f"{MAX_CELLS_PER_IMPORT:,}"}
                )
        elif name == "xl/sharedstrings.xml":
            (strings,) = _scan_xml(archive, info, tags=((_STRING_TAG, MAX_CELLS_PER_IMPORT),))
            if strings > MAX_CELLS_PER_IMPORT:
                raise UploadRejected(
                    _("工作簿的文本超过%(max)s条，请分批上传。") % {"max": f"{MAX_CELLS_PER_IMPORT:,}"}
                )
        else:
            (found,) = _scan_xml(archive, info, tags=((_ELEMENT_TAG, MAX_XML_ELEMENTS_OUTSIDE_SHEETS - elements),))
            elements += found
            if elements > MAX_XML_ELEMENTS_OUTSIDE_SHEETS:
                raise UploadRejected(_("工作簿的样式、名称或图表等内容过多（可能是恶意文件），已拒绝。"))


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadRejected(
            _("压缩包内文件过多（%(n)s个，最多%(max)s个），已拒绝。") % {"n": len(infos), "max": MAX_ZIP_ENTRIES}
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise UploadRejected(
            _("压缩包解压后过大（%(size)s，最多%(max)s），已拒绝。")
            % {"size": filesizeformat(total), "max": filesizeformat(MAX_ZIP_UNCOMPRESSED)}
        )
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadRejected(_("压缩包中有加密的文件，请取消密码后再上传。"))
        if info.file_size > SMALL_ENTRY and info.file_size > MAX_ZIP_RATIO * info.compress_size:
            raise UploadRejected(_("压缩包的压缩比异常（疑似“压缩炸弹”），已拒绝。"))
    if total > SMALL_ENTRY and total > MAX_ZIP_RATIO * sum(i.compress_size for i in infos):
        raise UploadRejected(_("压缩包的压缩比异常（疑似“压缩炸弹”），已拒绝。"))


def _office_kind(archive: zipfile.ZipFile, names: tuple[str, ...]) -> str:
    lowered = {n.lower() for n in names}
    if any(n.endswith("vbaproject.bin") for n in lowered):
        raise UploadRejected(_("文件含有宏，不能上传。") + save_as_xlsx_message())
    if "xl/workbook.bin" in lowered:
        raise UploadRejected(save_as_xlsx_message())
    if "[content_types].xml" not in lowered:
        return "zip"
    content_types = next(n for n in names if n.lower() == "[content_types].xml")
    info = archive.getinfo(content_types)
    _scan_xml(archive, info)
    with archive.open(info) as fh:
        declared = fh.read(min(info.file_size, 1024 * 1024) + 1).lower()
    if b"macroenabled" in declared or b"vbaproject" in declared:
        raise UploadRejected(_("文件含有宏，不能上传。") + save_as_xlsx_message())
    for marker, kind in OFFICE_MARKERS:
        if marker in lowered:
            return kind
    raise UploadRejected(_("无法识别的Office文件。"))


_ROW_TAG = re.compile(rb"<(?:[a-z0-9_]+:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[a-z0-9_]+:)?c[\s/>]")
_STRING_TAG = re.compile(rb"<(?:[a-z0-9_]+:)?si[\s/>]")
_ELEMENT_TAG = re.compile(rb"<[a-z_]")
_TAIL = 32


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, tags: tuple[tuple[re.Pattern, int], ...] = ()):
    """Refuse DTDs (entity bombs, external entities) and non-8-bit XML, streaming so memory stays flat.

    Also counts the elements each (pattern, limit) of `tags` matches in the lower-cased XML, and stops reading once
    a count is past its limit (the caller refuses). Returns the counts.
    """
    counts = [0] * len(tags)
    tail = b""
    try:
        with archive.open(info) as fh:
            first = True
            while chunk := fh.read(_CHUNK):
                if first and b"\x00" in chunk[:1024]:
                    raise UploadRejected(_("文件中的XML编码不受支持，请用Excel或WPS重新保存。"))
                first = False
                window = tail + chunk.lower()
                if b"<!doctype" in window or b"<!entity" in window:
                    raise UploadRejected(_("文件含有XML文档类型或实体声明（可能是恶意文件），已拒绝。"))
                for i, (tag, _limit) in enumerate(tags):
                    # A tag that ends inside the carried-over tail was counted with the previous window.
                    counts[i] += sum(1 for m in tag.finditer(window) if m.end() > len(tail))
                if any(n > limit for n, (_tag, limit) in zip(counts, tags, strict=True)):
                    break
                tail = window[-_TAIL:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise UploadRejected(_("文件已损坏，无法读取。")) from None
    return counts
