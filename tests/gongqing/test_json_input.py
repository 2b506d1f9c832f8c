"""JSON from outside (issue 11, finding 4): size, depth and values are held before anything is parsed; the API and
the survey import use this (tests/api/test_json_bodies.py, tests/survey/test_exchange.py), and so do the what-if
change list and the API's cursor."""

import json

import pytest

from gongqing import json_input
from gongqing.json_input import MAX_JSON_DEPTH, MAX_JSON_VALUES, JsonRefused, check_json
from indicators.whatif.forms import changes_from_post


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_nesting_up_to_the_cap_parses_and_one_level_more_is_refused():
    assert json_input.loads(nested(MAX_JSON_DEPTH), max_bytes=1000) == json.loads(nested(MAX_JSON_DEPTH))
    with pytest.raises(JsonRefused, match="嵌套层级过深（超过32层）"):
        json_input.loads(nested(MAX_JSON_DEPTH + 1), max_bytes=1000)


def test_nesting_far_past_the_recursion_limit_is_refused_not_a_recursion_error():
    with pytest.raises(JsonRefused, match="嵌套层级过深"):
        json_input.loads(b'{"a":' * 100_000 + b"1" + b"}" * 100_000, max_bytes=10**7)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_brackets_and_escapes_inside_strings_do_not_count_whatever_the_chunks(size):
    # 40 levels, but 39 of them are inside strings (with escaped quotes and backslashes around them): depth 2.
    doc = json.dumps({'a\\"[': ["[" * 39 + '\\"', "x\\", {"k": '"]]]]'}]}).encode()
    check_json(chunked(doc, size), max_bytes=10**6)
    deep = b'["\\\\", ' * 40 + b"1" + b"]" * 40  # a string ending in an escaped backslash does not hide nesting
    with pytest.raises(JsonRefused, match="嵌套层级过深"):
        check_json(chunked(deep, size), max_bytes=10**6)


def test_too_many_values_are_refused_before_parsing():
    """`[],` is 3 bytes of text and ~80 bytes of objects: values are counted by their commas, colons and brackets."""
    fits = b"[" + b"0," * (MAX_JSON_VALUES - 2) + b"0]"  # 1 array + 999,999 numbers: 1,000,000 values
    assert len(json_input.loads(fits, max_bytes=10**7)) == MAX_JSON_VALUES - 1
    with pytest.raises(JsonRefused, match="数据项过多（超过1,000,000个）"):
        json_input.loads(b"[" + b"[]," * MAX_JSON_VALUES + b"[]]", max_bytes=10**7)


def test_a_document_over_the_size_is_refused_and_malformed_json_stays_a_value_error():
    with pytest.raises(JsonRefused, match="JSON数据过大"):
        json_input.loads(b"[" + b" " * 2000 + b"]", max_bytes=1000)
    for malformed in (b"[1]]", b"{", b'"abc', b"", b'"\\'):
        with pytest.raises(ValueError) as caught:
            json_input.loads(malformed, max_bytes=1000)
        assert not isinstance(caught.value, JsonRefused)


def test_a_deep_what_if_change_list_is_no_change_list():
    assert changes_from_post({"changes": "[" * 5000 + "]" * 5000}) == []
    assert changes_from_post({"changes": '[{"field": "x"}]'}) == [{"field": "x"}]
