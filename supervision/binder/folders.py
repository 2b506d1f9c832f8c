"""The binder's folders and where each file goes: pure functions over plain data, no database.

Folders follow the standard's order (R1–R7, G1–G15, Q1–Q9, S1, V1–V6), then 实施方案, 阶段报告, 年度考核 (the county's
binder only). A file bearing on several folders is stored once, under the first of them in that order, and listed
under each with the path it is stored at. Names follow one pattern, `G5_班额/03_某某小学_整改验收_2022-10-12.pdf`:
the folder, a number within the folder, whose it is, what it is, its date; the number makes every name new, so no
file ever overwrites another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sources import ASSESSMENT, EVIDENCE, PLAN, STAGE_REPORTS, TABLE, BinderFile

INDICATOR_CODES = (
    *(f"R{i}" for i in range(1, 8)),
    *(f"G{i}" for i in range(1, 16)),
    *(f"Q{i}" for i in range(1, 10)),
    "S1",
    *(f"V{i}" for i in range(1, 7)),
)
COUNTY_FOLDERS = ((PLAN, "实施方案"), (STAGE_REPORTS, "阶段报告"), (ASSESSMENT, "年度考核"))
OTHER = "other"
NAME_CHARS = 16  # a folder's indicator name: its first clause, at most this long
TITLE_CHARS = 40  # a file's owner and title, each
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')


def clean(text: str, limit: int) -> str:
    """A name part safe on every file system: no separators or reserved characters, no spaces, at most `limit`."""
    text = _UNSAFE.sub("", text or "").strip("._")
    return text[:limit] or "-"


@dataclass(frozen=True)
class Folder:
    key: str  # an indicator code, or plan / stage_reports / assessment / other
    label: str  # the indicator's name, or the folder's
    dirname: str

    @property
    def is_indicator(self) -> bool:
        return self.key in INDICATOR_CODES


def short(name: str) -> str:
    """The folder's words for an indicator: the name's first clause, e.g. 县域内义务教育学校规划布局合理，符合… →
    县域内义务教育学校规划布局合理."""
    return clean(re.split(r"[，；。;]", name or "", maxsplit=1)[0], NAME_CHARS)


def folders(*, names: dict[str, str], county: bool) -> list[Folder]:
    """Every folder of a binder in order; a township's binder has no county documents' folders."""
    out = [Folder(code, names.get(code, ""), f"{code}_{short(names.get(code, ''))}") for code in INDICATOR_CODES]
    if county:
        out += [Folder(key, label, label) for key, label in COUNTY_FOLDERS]
    return out


@dataclass
class Entry:
    file: BinderFile
    folder: Folder  # where it is stored
    path: str  # its path in the zip
    keys: tuple[str, ...]  # every folder it is listed under
    missing: str = ""  # why it could not be read (set while the zip is written)


@dataclass
class Listing:
    folder: Folder
    entries: list[Entry] = field(default_factory=list)  # stored here or elsewhere, in the order they are listed

    def evidence(self) -> list[Entry]:
        """The uploaded evidence listed here that could be read (not the generated tables)."""
        return [e for e in self.entries if e.file.kind == EVIDENCE and not e.missing]


def _sort_key(f: BinderFile) -> tuple:
    return (f.kind != TABLE, f.date is None, f.date or 0, f.owner, f.title, f.source)


def file_name(n: int, f: BinderFile) -> str:
    parts = [f"{n:02d}", clean(f.owner, TITLE_CHARS), clean(f.title, TITLE_CHARS)]
    if f.date:
        parts.append(f.date.isoformat())
    return "_".join(parts) + (f.ext if re.fullmatch(r"\.[a-z0-9]{1,5}", f.ext or "") else "")


def arrange(files: list[BinderFile], order: list[Folder]) -> tuple[list[Entry], list[Listing]]:
    """Each file's one place (the first of its folders in `order`) and each folder's listing.

    A file whose keys name no folder of `order` goes to a last folder 其他 (a source registered later may name keys
    this binder has no folder for). Within a folder the generated result table comes first (number 00), then the
    files by date; numbers count from 01.
    """
    position = {f.key: i for i, f in enumerate(order)}
    placed: dict[str, list[tuple[BinderFile, tuple[str, ...]]]] = {f.key: [] for f in order}
    other = Folder(OTHER, "其他", "其他")
    for f in files:
        keys = tuple(dict.fromkeys(k for k in f.keys if k in position))  # known, once, as given
        if not keys:
            placed.setdefault(OTHER, []).append((f, (OTHER,)))
            continue
        first = min(keys, key=position.__getitem__)
        placed[first].append((f, tuple(sorted(keys, key=position.__getitem__))))
    all_folders = order + ([other] if placed.get(OTHER) else [])
    listings = {f.key: Listing(f) for f in all_folders}
    entries: list[Entry] = []
    for folder in all_folders:
        used: set[str] = set()
        n = 0
        for f, keys in sorted(placed[folder.key], key=lambda pair: _sort_key(pair[0])):
            if f.kind == TABLE:
                name = file_name(0, f)
            else:
                n += 1
                name = file_name(n, f)
            while name in used:  # two tables of one folder: never the same name twice
                n += 1
                name = file_name(n, f)
            used.add(name)
            entry = Entry(f, folder, f"{folder.dirname}/{name}", keys)
            entries.append(entry)
    for entry in entries:
        for key in entry.keys:
            listings[key].entries.append(entry)
    return entries, [listings[f.key] for f in all_folders]
