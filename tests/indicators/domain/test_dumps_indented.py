"""dumps_indented writes exactly what dumps(…, indent=2) writes, the text `manage.py evaluate --format json` prints."""

from collections import OrderedDict
from decimal import Decimal
from enum import IntEnum
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from indicators.domain.serialize import dumps, dumps_indented


def test_every_kind_of_value_is_written_as_json_writes_it_with_indent_2():
    value = {
        "cv": Decimal("0.233854"),
        "big": Decimal("1E+3"),  # plain notation: 1000
        "students": 430,
        "ratio": 0.5,
        "passed": False,
        "met": True,
        "none": None,
        "name": '甲小学 "一" \\ \n',
        "empty": {},
        "nothing": [],
        "codes": {"R5", "R10", "G4"},  # a set: sorted, as dumps' default gives it
        "rows": [{"code": "R5", "values": [Decimal("7.5"), 1, None]}, ("a", "b")],
    }
    assert dumps_indented(value) == dumps(value, indent=2)
    assert '"big": 1000' in dumps_indented(value)


def test_a_value_it_does_not_write_itself_goes_to_dumps():
    odd = {1: "an integer key", "nan": float("nan")}
    assert dumps_indented(odd) == dumps(odd, indent=2)


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    st.floats(allow_nan=False, allow_infinity=False),
)
_trees = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), inner, max_size=4),
        st.frozensets(st.integers(), max_size=3),
    ),
    max_leaves=30,
)


@given(_trees)
def test_any_tree_is_written_as_json_writes_it_with_indent_2(value):
    assert dumps_indented(value) == dumps(value, indent=2)


def test_deep_nesting_and_subclasses_are_written_as_json_writes_them():
    class Label(str):
        pass

    class Level(IntEnum):
        HIGH = 3

    deep: Any = [Decimal("1.50"), {"leaf": Label("甲")}]
    for i in range(40):  # deeper than the indents kept ready
        deep = {f"k{i}": deep, "level": Level.HIGH, Label("key"): OrderedDict(a=[1, True])}
    assert dumps_indented(deep) == dumps(deep, indent=2)
