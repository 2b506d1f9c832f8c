"""The stored JSON: its shape, numbers written from the decimals' own digits, and flags never re-derived."""

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest

from indicators.domain.display import format_value, status_zh
from indicators.domain.evaluate import evaluate
from indicators.domain.inputs import EvaluationInput, SchoolFigures, SectionFigures
from indicators.domain.memo import Memo
from indicators.domain.serialize import (
    RESULT_KEYS,
    assemble,
    decimal_text,
    dumps,
    evaluation_to_json_dict,
    loads,
    result_parts,
)

from .builders import all_entries_met, school, survey_met
from .test_evaluate import county, run

D = Decimal


def test_a_decimal_is_written_as_a_json_number_from_its_own_digits():
    assert dumps(D("0.5153")) == "0.5153"
    assert json.loads(dumps(D("0.5153"))) == 0.5153
    assert dumps({"cv": D("0.1"), "n": 3, "ok": True, "x": None}) == '{"cv": 0.1, "n": 3, "ok": true, "x": null}'


def test_digits_beyond_float_precision_survive():
    assert dumps([D("12345678901234567890.123456789012")]) == "[12345678901234567890.123456789012]"
    assert loads(dumps(D("0.30000000000000000000001"))) == D("0.30000000000000000000001")


def test_exponent_forms_are_written_in_plain_digits():
    assert dumps([D("1E+3"), D("-0.000001"), D("1.10")]) == "[1000, -0.000001, 1.10]"


def test_strings_are_left_alone_and_chinese_is_kept_readable():
    assert dumps({"name": "茶山小学", "note": "0.5153"}) == '{"name": "茶山小学", "note": "0.5153"}'


def test_a_decimal_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        dumps(D("NaN"))


def test_the_evaluation_dict_has_the_agreed_shape():
    d = evaluation_to_json_dict(run())
    assert d["standard"]["version"] == "2017" and d["policy"] == "merge" and d["provisional"] is False
    primary = d["sections"]["primary"]
    assert set(primary["mean"]) == {f"R{i}" for i in range(1, 8)}
    assert primary["cv_limit"] == D("0.50") and primary["cv_met"]["R1"] is True
    row = primary["schools"]["3604820001"]
    assert set(row["values"]) == {f"R{i}" for i in range(1, 8)} and row["passed"] is True
    assert row["met"] == [f"R{i}" for i in range(1, 8)]
    assert d["county"] == {"passed": True, "provisional": False, "blocking": [], "not_evaluated": [], "no_data": []}
    assert set(d["items"]) >= {"G1", "G3", "G15", "Q4", "Q9", "S1", "V1", "V6"} and "V7" not in d["items"]
    assert d["items"]["G3"]["schools"]["3604820001"]["status"] == "met"
    text = dumps(d)
    assert loads(text)["sections"]["junior"]["schools"]["3604820003"]["passed"] is True


def test_stored_values_are_rounded_but_the_flags_come_from_the_unrounded_values():
    school = SchoolFigures(
        "A",
        primary=SectionFigures(1000, 23, 60, 42, 10, 9, 60),
        teaching_area_m2=D("4499.9999"),  # 4.4999999 per student: rounds to 4.5, is under 4.5
        sports_area_m2=D(7500),
        equipment_value_yuan=D(2000000),
        multimedia_rooms=23,
    )
    ev = evaluate(EvaluationInput((school,), ("A",), all_entries_met(), survey_met()))
    row = evaluation_to_json_dict(ev)["sections"]["primary"]["schools"]["A"]
    assert row["values"]["R4"] == D("4.5")
    assert "R4" not in row["met"] and row["status"]["R4"] == "within_tolerance"
    assert '"R4": 4.5,' in dumps(row["values"])


def test_a_provisional_evaluation_says_so_with_n_of_m_and_what_is_missing():
    entries = all_entries_met()
    del entries["G14"]
    schools = county()
    ev = run(schools=schools, expected=(*(s.code for s in schools), "X"), entries=entries)
    d = evaluation_to_json_dict(ev)
    assert d["provisional"] is True and d["county"]["passed"] is None
    assert d["completeness"]["schools"] == "5 of 6 schools"
    assert d["completeness"]["missing_schools"] == ["X"] and d["completeness"]["missing_items"] == ["G14"]
    assert d["county"]["not_evaluated"] == ["G14"]


def test_a_cv_just_over_its_limit_reads_with_four_decimals():
    assert format_value(D("0.5004"), D("0.50")) == "0.5004"
    assert format_value(D("0.4996"), D("0.50")) == "0.4996"
    assert format_value(D("0.5"), D("0.50")) == "0.500"
    assert format_value(D("0.51234"), D("0.50")) == "0.512"
    assert format_value(D("0.50004"), D("0.50")) == "0.50004"
    assert format_value(D("58.50377"), None) == "58.504"
    assert format_value(None) == "—"
    assert status_zh("no_data") == "无数据"


def test_the_engine_imports_nothing_from_django():
    package = Path(__file__).resolve().parents[3] / "indicators" / "domain"
    files = sorted(package.glob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
            else:
                continue
            assert not any(n.split(".")[0] in ("django", "rest_framework", "celery") for n in names), path.name


def test_a_county_items_note_is_kept_and_it_gets_no_school_list():
    from indicators.domain.inputs import CountyEntry

    entries = all_entries_met()
    entries["G1"] = CountyEntry("G1", values={"met": True}, note="布局规划已经市政府批准")
    d = evaluation_to_json_dict(run(entries=entries))
    assert d["items"]["G1"]["note"] == "布局规划已经市政府批准"
    assert d["items"]["G1"]["level"] == "county" and "schools" not in d["items"]["G1"]
    assert d["items"]["G7"]["level"] == "school" and d["items"]["G7"]["applicable"] == 0


def old_result_document(ev) -> dict:
    """The stored result as it was written before result_text: the dict's keys, Decimals as their digits' text."""
    d = evaluation_to_json_dict(ev, school_rows=False)
    return json.loads(json.dumps({k: d[k] for k in RESULT_KEYS}, default=decimal_text, ensure_ascii=False))


def document(ev, memo=None):
    text, runs = result_parts(ev, memo)
    return json.loads(text), runs


def failing_county():
    schools = county()
    schools[0] = school("3604820001", primary=1200, name="茶山街道中心小学", equipment_value_yuan=D(1000))
    schools[2] = school("3604820003", "junior", junior=900, name="江益中学", rooms=(), training_funds_yuan=D(0))
    return schools


def test_the_result_text_holds_the_same_document_as_the_evaluation_dict_with_decimals_as_text():
    ev = run(failing_county())
    assert ev.gaps and any(item.failing for item in ev.items.values())
    assert assemble(*document(ev)) == old_result_document(ev)


def test_the_result_text_joined_from_a_memo_kept_from_the_last_run_is_the_same_document():
    memo = Memo()
    first = run(failing_county())
    memo.turn()
    parts = result_parts(first, memo)
    memo.turn()
    assert result_parts(first, memo) == parts
    second = run()
    memo.turn()
    assert assemble(*document(second, memo)) == old_result_document(second)


def test_each_check_and_gap_is_the_json_of_its_dict_with_decimals_as_text():
    """The elements of the runs are written directly (met checks by hand): each must be the very text json.dumps
    writes for the dict of `evaluation_to_json_dict`, or the runs' digests would differ from run to run."""
    from indicators.domain.guarantee import SchoolCheck
    from indicators.domain.serialize import _check, _check_element, _gap, _gap_element
    from indicators.domain.status import MET

    def text(obj):
        return json.dumps(obj, default=decimal_text, ensure_ascii=False)

    ev = run(failing_county())
    checks = [c for item in ev.items.values() if item.level == "school" for c in item.schools]
    checks += [
        SchoolCheck("G3", "3604820001", MET),  # a met check without a value
        SchoolCheck("G3", '学校\t"一"', MET, D("1.23456789"), D(2)),  # a code to escape, a value to round
        SchoolCheck("G3", "x", "not_met", D("-0.0000001"), None, {"a": (D("1E+2"), {D(1), "s"})}, "原因"),
    ]
    assert {c.status for c in checks} >= {MET, "not_met"} and ev.gaps
    for c in checks:
        assert _check_element(c)[0] == f"{text(c.school_code)}: {text(_check(c))}"
    for g in ev.gaps:
        assert _gap_element(g)[0] == text(_gap(g))
