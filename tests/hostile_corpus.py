"""The hostile corpus of issue 11, generated when asked for: each shape that once grew the server or reached a
parser, its size a parameter. The fast suite makes them small (or lowers a cap); bench/bench_hostile_uploads.py
makes them at full size and throws them at a running server.
"""

from __future__ import annotations

import io
import random
import zipfile

from tests.schools.exchange_files import rewrite_member, workbook_bytes, zip_bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_WITH_SCRIPT = PNG_SIGNATURE + b"<html><script>alert(document.cookie)</script></html>"


def wide_csv(size: int, columns: int = 200) -> bytes:
    """A returns.csv of `columns` columns (all but school_year unknown) filled with two-letter cells."""
    header = "school_year," + ",".join(f"c{i}" for i in range(1, columns)) + "\r\n"
    row = ",".join(["xx"] * columns) + "\r\n"
    return (header + row * max(size // len(row), 1)).encode()


def csv_zip_bomb(files: int = 95, size: int = 1_000_000, columns: int = 200) -> bytes:
    """Finding 1: a ZIP of `files` wide CSVs of just under `size` bytes each, compressing some 270:1."""
    one = wide_csv(size - 4096, columns)
    return zip_bytes({f"returns{i}.csv": one for i in range(files)})


def random_csv(size: int, seed: int = 0) -> bytes:
    """A classes.csv of random digits: it does not compress much (no ratio cap applies)."""
    rnd = random.Random(seed)
    lines = ["school_code,section,grade,name,students"]
    while sum(len(line) + 2 for line in lines) < size:
        lines.append(
            f"{rnd.randrange(10**10)},primary,{rnd.randrange(1, 7)},{rnd.randrange(10**6)}班,{rnd.randrange(99)}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def csv_zip_of_tables(files: int = 4, size: int = 4096) -> bytes:
    """More CSVs than there are tables (returns, classes, rooms), each innocent."""
    return zip_bytes({f"classes{i}.csv": random_csv(size, seed=i) for i in range(files)})


def csv_long_line(chars: int) -> bytes:
    """A valid header, then one line of `chars` characters and no line break."""
    return b"school_code,section,grade,name,students\r\n" + b"x," * (chars // 2)


def small_entries_zip(entries: int = 900, size: int = 4000) -> bytes:
    """Many entries under the per-entry ratio floor, each inflating ~200:1: held by the archive's total ratio."""
    return zip_bytes({f"f{i}.csv": b"a" * size for i in range(entries)})


def workbook_with_styles(elements: int) -> bytes:
    """An XLSX whose styles.xml holds `elements` cell formats with varied attributes (so its ratio stays low):
    openpyxl builds an object for each when it opens the workbook (~750 bytes of memory apiece)."""
    rnd = random.Random(1)
    plain = workbook_bytes({"学校填报": [["学校标识码"], ["2136000001"]]})
    formats = "".join(
        f'<xf numFmtId="{rnd.randrange(10**6)}" fontId="0" fillId="0" borderId="0"/>' for _ in range(elements)
    )

    def many_formats(data: bytes) -> bytes:
        start = data.index(b"<cellXfs")
        return (
            data[:start]
            + f'<cellXfs count="{elements}">{formats}</cellXfs>'.encode()
            + data[data.index(b"</cellXfs>") + 10 :]
        )

    return rewrite_member(plain, "xl/styles.xml", many_formats)


def workbook_with_shared_strings(strings: int) -> bytes:
    """An XLSX with `strings` distinct shared strings, which openpyxl holds in memory when it opens the workbook."""
    plain = workbook_bytes({"学校填报": [["学校标识码"], ["2136000001"]]})
    table = "".join(f"<si><t>{i:x}</t></si>" for i in range(strings))
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{strings}">{table}</sst>'
    source = zipfile.ZipFile(io.BytesIO(plain))
    members = {info.filename: source.read(info.filename) for info in source.infolist()}
    members["xl/sharedStrings.xml"] = sst.encode()
    return zip_bytes(members)


def nested_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def many_values_json(values: int) -> bytes:
    """`values` empty arrays: 3 bytes of text, ~80 bytes of Python objects each."""
    return b"[" + b"[]," * (values - 1) + b"[]]"
