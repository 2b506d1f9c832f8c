"""One binder's content: ask the sources, arrange the files, write the zip, render the index. No writes to the database.

A file that cannot be read (gone from the disk, refused by the storage, a record without a file) is not put in the
zip: it is listed in the index as missing, with its record, and the build goes on. A registered source that fails is
named in the index and the build goes on without its files.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongqing import pdf
from schools.models import CountyProfile

from . import folders, selectors, sources
from .folders import Entry, Listing

log = logging.getLogger(__name__)
INDEX_NAME = "00_目录.pdf"
TEMPLATE = "binder/pdf/index.html"


@dataclass
class Built:
    entries: list[Entry]
    listings: list[Listing]
    index: pdf.RenderedPdf
    bare: list[str]  # indicator codes without readable evidence
    failed_sources: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[Entry]:
        return [e for e in self.entries if e.missing]


def title(*, scope: sources.Scope, township_name: str = "") -> str:
    county = CountyProfile.get().name
    if scope.county:
        return _("%(county)s义务教育优质均衡发展督导评估档案") % {"county": county}
    return _("%(county)s%(township)s义务教育优质均衡发展档案") % {"county": county, "township": township_name}


def collect(scope: sources.Scope, *, names: dict[str, str]) -> tuple[list[sources.BinderFile], list[str]]:
    """Every registered source's files for the scope, the result tables, and the names of sources that failed."""
    files: list[sources.BinderFile] = []
    failed: list[str] = []
    for name, source in list(sources.BINDER_SOURCES.items()):
        try:
            files += list(source(scope))
        except Exception:
            log.exception("binder source %s failed", name)
            failed.append(name)
    files += sources.result_tables(
        scope, codes=folders.INDICATOR_CODES, names=names, items=selectors.county_items(scope) if scope.county else {}
    )
    return [f for f in files if scope.holds(f.school_ids)], failed


def _read(f: sources.BinderFile) -> bytes:
    if f.data is not None:
        return f.data
    if not f.storage_name:
        raise FileNotFoundError(_("记录没有文件"))
    with default_storage.open(f.storage_name, "rb") as fh:
        return fh.read()


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return _("文件不存在")
    return _("无法读取（%(kind)s）") % {"kind": type(exc).__name__}


def write_zip(path: Path, entries: list[Entry], listings: list[Listing], progress: Callable[[int, str], None]) -> None:
    """Each folder (a directory entry, in order) and the files stored in it; unreadable files are marked missing."""
    by_folder: dict[str, list[Entry]] = {}
    for e in entries:
        by_folder.setdefault(e.folder.key, []).append(e)
    done, total = 0, max(len(entries), 1)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for listing in listings:
            zf.writestr(zipfile.ZipInfo(listing.folder.dirname + "/"), b"")
            for e in by_folder.get(listing.folder.key, []):
                try:
                    data = _read(e.file)
                except Exception as exc:
                    e.missing = _reason(exc)
                    log.warning("binder: %s missing (%s: %s)", e.path, type(exc).__name__, exc)
                else:
                    zf.writestr(e.path, data)
                done += 1
                if done % 50 == 0:
                    progress(30 + 50 * done // total, "files")


def bare_codes(listings: list[Listing]) -> list[str]:
    return [li.folder.key for li in listings if li.folder.is_indicator and not li.evidence()]


def index_context(
    *, scope: sources.Scope, listings: list[Listing], entries: list[Entry], verdicts: dict[str, str], heading: str,
    scope_label: str, failed_sources: list[str],
) -> dict:  # fmt: skip
    bare = bare_codes(listings)
    folder_rows = []
    for li in listings:
        rows = [
            {
                "path": e.path,
                "source": e.file.source,
                "date": e.file.date,
                "uploader": e.file.uploader,
                "elsewhere": e.folder.key != li.folder.key,
                "stored_in": e.folder.dirname,
                "missing": e.missing,
            }
            for e in li.entries
        ]
        folder_rows.append(
            {
                "dirname": li.folder.dirname,
                "label": li.folder.label,
                "verdict": verdicts.get(li.folder.key, ""),
                "rows": rows,
            }
        )
    by_key = {li.folder.key: li.folder for li in listings}
    missing = [{"path": e.path, "source": e.file.source, "reason": e.missing} for e in entries if e.missing]
    return {
        "title": heading,
        "county": CountyProfile.get().name,
        "scope": scope_label,
        "cycle": str(scope.cycle),
        "round": str(scope.round),
        "generated_at": timezone.localtime(),
        "files": sum(1 for e in entries if not e.missing),
        "missing_count": len(missing),
        "bare_count": len(bare),
        "bare": [
            {"code": c, "name": by_key[c].label, "verdict": verdicts.get(c, ""), "dirname": by_key[c].dirname}
            for c in bare
        ],
        "missing": missing,
        "failed_sources": failed_sources,
        "folders": folder_rows,
    }


def render_index(ctx: dict) -> pdf.RenderedPdf:
    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATE, {"x": ctx})
    return pdf.render_pdf(html)


def build(
    *, scope: sources.Scope, zip_path: Path, scope_label: str, township_name: str = "",
    progress: Callable[[int, str], None] | None = None,
) -> Built:  # fmt: skip
    """Write the binder of `scope` to `zip_path` (the index PDF inside it, first in the listing) and return it."""
    step = progress or (lambda percent, note: None)
    names = selectors.indicator_names(school_year=scope.round.school_year)
    files, failed = collect(scope, names=names)
    step(20, "collected")
    order = folders.folders(names=names, county=scope.county)
    entries, listings = folders.arrange(files, order)
    verdicts = selectors.indicator_verdicts(scope, folders.INDICATOR_CODES)
    step(30, "arranged")
    body = zip_path.with_name(zip_path.name + ".body")
    try:
        write_zip(body, entries, listings, step)
        step(80, "index")
        heading = title(scope=scope, township_name=township_name)
        ctx = index_context(
            scope=scope, listings=listings, entries=entries, verdicts=verdicts, heading=heading,
            scope_label=scope_label, failed_sources=failed,
        )  # fmt: skip
        index = render_index(ctx)
        step(90, "packing")
        # The index first, then the folders as written: the body's entries copied after it (no source read again).
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            out.writestr(INDEX_NAME, index.data)
            with zipfile.ZipFile(body) as src:
                for info in src.infolist():
                    out.writestr(info, src.read(info))
    finally:
        body.unlink(missing_ok=True)
    return Built(entries, listings, index, bare_codes(listings), failed)
