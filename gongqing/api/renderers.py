"""JSON in and out with exact decimals: a Decimal goes out as a JSON number from its own digits, never via float,
and numbers with a fraction come in as Decimals."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError
from rest_framework.utils import encoders

from gongqing import json_input


def decimal_text(d: Decimal) -> str:
    """A Decimal's digits as a JSON number: plain notation, no float in between (the rule of the stored results,
    indicators.domain.serialize.decimal_text, kept here too because the shared core imports no app)."""
    if not d.is_finite():
        raise ValueError(f"{d} cannot be written as a JSON number")
    return format(d, "f")


API_JSON_MAX_BYTES = 1024 * 1024  # a return with its class list is ~10 KB


json_string = json.encoder.encode_basestring  # a str as ExactJSONRenderer writes it (ensure_ascii off)


class EncodedRows(list):
    """A list's rows already written as JSON text, one str per row, each exactly what ExactJSONRenderer writes for
    the row (`json_text` and `json_string` help); put in as they are when the list is a value of the rendered dict.
    ExactJSONRenderer is the API's only renderer."""


def _dumps(data) -> str:
    """ExactJSONRenderer's text of `data`, before U+2028/U+2029 are escaped."""
    marker = f"~dec{secrets.token_hex(8)}~"
    found = []

    class Encoder(encoders.JSONEncoder):
        def default(self, o):
            if isinstance(o, Decimal):
                found.append(True)
                return f"{marker}{decimal_text(o)}{marker}"
            return super().default(o)

    text = json.dumps(data, cls=Encoder, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if found:
        text = text.replace(f'"{marker}', "").replace(f'{marker}"', "")
    return text


def json_text(value) -> str:
    """Any value as ExactJSONRenderer writes it within a document (for EncodedRows' writers)."""
    return _dumps(value)


class ExactJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, except that Decimals are written as raw numbers (0.233854, not 0.23385400000000001)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        rows = None
        if isinstance(data, dict):
            for key, value in data.items():
                if isinstance(value, EncodedRows):
                    placeholder = f"~rows{secrets.token_hex(8)}~"
                    rows = (placeholder, value)
                    data = {**data, key: placeholder}
                    break
        text = _dumps(data)
        if rows is not None:
            text = text.replace(f'"{rows[0]}"', "[" + ",".join(rows[1]) + "]", 1)
        # As DRF does: U+2028/U+2029 are valid JSON but not valid JavaScript.
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return text.encode()


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number")


class ExactJSONParser(parsers.JSONParser):
    """Numbers with a fraction as Decimals; NaN and Infinity refused; at most API_JSON_MAX_BYTES, nested at most
    json_input.MAX_JSON_DEPTH deep (400 with the reason, before anything is parsed)."""

    renderer_class = ExactJSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            data = stream.read(API_JSON_MAX_BYTES + 1) if stream is not None else b""
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
                data = data.decode(encoding).encode()
            return json_input.loads(
                data, max_bytes=API_JSON_MAX_BYTES, parse_float=Decimal, parse_constant=_refuse_constant
            )
        except json_input.JsonRefused as exc:
            raise ParseError(exc.message, code="parse_error") from None
        except (ValueError, UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("请求体不是有效的JSON。"), code="parse_error") from exc
