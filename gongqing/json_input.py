"""JSON from outside the portal (API bodies, survey files, page fields), held to a size, a depth and a number of
values before it is parsed.

Python's parser holds the whole document as objects, each costing far more than its text (`[],` is 3 bytes and
an 80-byte list), and recurses once per level of nesting (so deep nesting ends in RecursionError, a 500). So
`check_json` scans the bytes first, in chunks, keeping nothing: the nesting depth and the values (keys included:
the commas, colons and opening brackets outside strings bound how many objects the parser would create) are
counted, and the document is refused at the first cap it passes. Only then does `loads` parse it. Malformed JSON is
left for the parser to refuse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32
MAX_JSON_VALUES = 1_000_000
_CHUNK = 256 * 1024
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("]"): -1}


class JsonRefused(ValueError):
    """The document passes a cap; `message` is Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_large(size: int, limit: int) -> JsonRefused:
    return JsonRefused(
        _("JSON数据过大（%(size)s），不能超过%(limit)s。")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def too_deep() -> JsonRefused:
    return JsonRefused(_("JSON嵌套层级过深（超过%(max)s层），已拒绝。") % {"max": MAX_JSON_DEPTH})


def check_json(chunks: Iterable[bytes], *, max_bytes: int) -> None:
    """Refuse UTF-8 JSON arriving as `chunks` that is over max_bytes, nested deeper than MAX_JSON_DEPTH or holding
    more than MAX_JSON_VALUES values; ValueError for brackets that close more than they open. Linear in the size,
    memory of one chunk."""
    size = values = depth = 0
    in_string = False
    carry = b""
    for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise too_large(size, max_bytes)
        data = carry + chunk
        # An odd run of backslashes at the end escapes the next chunk's first byte: keep one for it.
        odd = (len(data) - len(data.rstrip(b"\\"))) % 2
        carry, data = (b"\\", data[:-1]) if odd else (b"", data)
        # Outside strings a backslash is invalid anyway (the parser stops there), so dropping escapes leaves every
        # quote a delimiter, and dropping empty strings leaves what is outside them as it was.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        pieces = ((b'"' if in_string else b"") + data).replace(b'""', b"").split(b'"')
        outside = b"".join(pieces[0::2])
        in_string = len(pieces) % 2 == 0
        # Every value or key but the document's first follows a comma, a colon or an opening bracket.
        values += outside.count(b",") + outside.count(b":") + outside.count(b"[") + outside.count(b"{")
        if values > MAX_JSON_VALUES:
            raise JsonRefused(_("JSON数据项过多（超过%(max)s个），已拒绝。") % {"max": f"{MAX_JSON_VALUES:,}"})
        brackets = outside.translate(_BRACKETS, _NOT_BRACKETS)
        if brackets:
            if max(accumulate(map(_STEP.__getitem__, brackets), initial=depth)) > MAX_JSON_DEPTH:
                raise too_deep()
            depth += 2 * brackets.count(b"[") - len(brackets)
            if depth < 0:  # more closing than opening brackets: the parser stops there anyway
                raise ValueError("unbalanced brackets")


def loads(data: bytes, *, max_bytes: int, **options) -> Any:
    """Check `data` (UTF-8, a BOM allowed) against the caps, then parse it with json.loads(**options).

    Raises JsonRefused for a cap, ValueError for malformed JSON."""
    check_json((data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK)), max_bytes=max_bytes)
    try:
        return json.loads(data.decode("utf-8-sig"), **options)
    except RecursionError:  # unreachable after the depth check; kept so no input can become a server error
        raise too_deep() from None
