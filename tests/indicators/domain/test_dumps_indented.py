"""dumps_indented writes exactly what dumps(…, indent=2) writes, the text `manage.py evaluate --format json` prints."""

from decimal import Decimal

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
