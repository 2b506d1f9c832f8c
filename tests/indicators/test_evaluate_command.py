"""`manage.py evaluate FILE`: a standalone exchange file evaluated with the national standard, nothing stored.

Hand computation for the three primary schools of `returns.csv` below, sports ground R5 (threshold 7.5):
  甲 400 students, 3000 m² → 7.5      乙 200 students, 1000 m² → 5.0      丙 400 students, 4000 m² → 10.0
  X̄ = 8000 / 1000 = 8;  Σ(P_i/P)(X_i − X̄)² = 0.4·0.25 + 0.2·9 + 0.4·4 = 3.5;  S = √3.5 = 1.870829;  CV = 0.233854
  R4 (teaching area 6.5 m² per student everywhere): CV = 0.
A teaching point 丁 (30 students, 300 m² sports ground, parent 甲):
  merge   甲 gets its students and ground: (3000 + 300) / (400 + 30) = 7.674419; 丁 has no row
  include 丁 is its own row: 300 / 30 = 10
"""

import gc
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from indicators.domain.evaluate import evaluate
from indicators.domain.serialize import dumps, evaluation_to_json_dict, loads
from indicators.management.commands.evaluate import read_tables, school_figures
from schools.exchange.formats import RETURNS, xlsx_columns

HEADER = (
    "school_year,school_code,school_name,kind,township,parent_code,primary_students,primary_classes,primary_teachers,"
    "primary_teachers_above_required,primary_teachers_backbone,primary_teachers_pe_arts,primary_teachers_certified,"
    "teaching_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms,public_funds_yuan,training_funds_yuan"
)
ROWS = [
    "2024,3600000001,甲小学,primary,甘露镇,,400,10,24,22,5,4,24,2600,3000,900000,11,300000,20000",
    "2024,3600000002,乙小学,小学,甘露镇,,200,5,12,10,3,2,12,1300,1000,450000,6,150000,10000",
    "2024,3600000003,丙小学,primary,江益镇,,400,10,24,22,5,4,24,2600,4000,900000,11,300000,20000",
]
POINT = "2024,3600000004,丁教学点,教学点,甘露镇,3600000001,30,2,3,3,1,1,3,195,300,67500,1,30000,2000"


def _write(folder: Path, rows, name="returns.csv") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


def _json(path: Path, *args) -> dict:
    out = StringIO()
    call_command("evaluate", str(path), "--format", "json", *args, stdout=out)
    return loads(out.getvalue())


def test_json_output_gives_the_hand_computed_cv(tmp_path):
    result = _json(_write(tmp_path, ROWS))

    primary = result["sections"]["primary"]
    assert primary["mean"]["R5"] == Decimal("8")
    assert primary["sd"]["R5"] == Decimal("1.870829")
    assert primary["cv"]["R5"] == Decimal("0.233854")
    assert primary["cv"]["R4"] == Decimal("0")
    assert primary["schools"]["3600000002"]["values"]["R5"] == Decimal("5")
    assert primary["schools"]["3600000002"]["passed"] is False
    assert "R5" not in primary["schools"]["3600000002"]["met"]
    assert primary["schools"]["3600000001"]["passed"] is True
    assert result["county"]["passed"] is False  # 乙小学 fails the 6-of-7 rule: 5.0 is under 85% of 7.5
    assert "S1" in result["county"]["not_evaluated"]


def test_the_policy_option_changes_the_result_for_a_teaching_point(tmp_path):
    path = _write(tmp_path, [*ROWS, POINT])

    merged = _json(path)["sections"]["primary"]["schools"]
    included = _json(path, "--policy", "include")["sections"]["primary"]["schools"]
    excluded = _json(path, "--policy", "exclude_small")

    assert "3600000004" not in merged
    assert merged["3600000001"]["students"] == 430
    assert merged["3600000001"]["values"]["R5"] == Decimal("7.674419")
    assert merged["3600000001"]["merged_points"] == ["3600000004"]
    assert included["3600000004"]["values"]["R5"] == Decimal("10")
    assert included["3600000001"]["students"] == 400
    assert "3600000004" not in excluded["sections"]["primary"]["schools"]
    assert {"school": "3600000004", "section": "primary", "reason": "small_teaching_point"} in excluded["not_evaluated"]


def test_text_output_is_a_chinese_summary(tmp_path):
    out = StringIO()
    call_command("evaluate", str(_write(tmp_path, ROWS)), stdout=out)
    text = out.getvalue()
    assert "小学校际差异系数（每项不超过0.50）" in text
    assert "R5 生均体育运动场馆面积\t8.000\t1.871\t0.234\t✓" in text
    assert "乙小学（3600000002）小学：6项达标，未达标R5" in text
    assert "县域结论：未通过（暂定）" in text


def test_a_bad_cell_exits_with_status_2_naming_row_and_column(tmp_path):
    bad = [ROWS[0], ROWS[1].replace(",200,5,", ",二百,5,"), ROWS[2]]
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", str(_write(tmp_path, bad)), stdout=StringIO())
    assert exc.value.returncode == 2
    assert "returns.csv 第3行 ‘primary_students’：应为整数，而不是“二百”" in str(exc.value)


def test_a_bad_file_run_from_the_shell_prints_to_stderr_and_exits_2(tmp_path):
    bad = [ROWS[0].replace(",3000,", ",很大,")]
    path = _write(tmp_path, bad)
    done = subprocess.run(
        [sys.executable, "manage.py", "evaluate", str(path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "第2行 ‘sports_area_m2’：应为数字，而不是“很大”" in done.stderr
    assert done.stdout == ""


def test_a_file_without_the_kind_column_is_refused_asking_for_it(tmp_path):
    header = HEADER.replace("kind,", "")
    rows = [r.replace(",primary,", ",").replace(",小学,", ",") for r in ROWS]
    path = tmp_path / "returns.csv"
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", str(path), stdout=StringIO())
    assert exc.value.returncode == 2
    assert "缺少办学类型列" in str(exc.value)


def test_a_section_the_kind_does_not_have_is_refused_with_its_cell(tmp_path):
    rows = [ROWS[0].replace(",primary,", ",junior,"), *ROWS[1:]]
    with pytest.raises(CommandError) as exc:
        call_command("evaluate", str(_write(tmp_path, rows)), stdout=StringIO())
    assert "returns.csv 第2行 ‘primary_students’" in str(exc.value)


def test_an_xlsx_with_class_list_is_evaluated_and_checks_class_size(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "学校填报"
    headers = [str(c.header) for c in xlsx_columns(RETURNS)]
    ws.append([*headers, "办学类型"])
    columns = [c.key for c in xlsx_columns(RETURNS)]
    csv_columns = HEADER.split(",")
    for row in ROWS:
        values = dict(zip(csv_columns, row.split(","), strict=True))
        ws.append([values.get(k) or None for k in columns] + [values["kind"]])
    classes = wb.create_sheet("班级")
    classes.append(["学校标识码", "学校名称", "学段", "年级", "班级名称", "学生数"])
    for i, students in enumerate([50, 38, 38, 37, 37]):  # 200 students in 5 classes, as the return says
        classes.append(["3600000002", "乙小学", "小学", i + 1, f"{i + 1}年级1班", students])
    path = tmp_path / "县域数据.xlsx"
    wb.save(path)

    result = _json(path)

    assert result["sections"]["primary"]["cv"]["R5"] == Decimal("0.233854")
    g5 = result["items"]["G5"]["schools"]["3600000002"]
    assert g5["status"] == "not_met"  # one class of 50 over the primary cap of 45


def test_the_collector_paused_for_the_run_is_resumed_after_it_even_when_the_file_is_refused(tmp_path):
    assert gc.isenabled()
    _json(_write(tmp_path, ROWS))
    assert gc.isenabled()
    bad = [ROWS[0].replace(",400,", ",四百,")]
    with pytest.raises(CommandError):
        call_command("evaluate", str(_write(tmp_path, bad)), stdout=StringIO())
    assert gc.isenabled()


def test_the_json_output_is_json_indented_by_two_of_the_evaluation_dict(tmp_path):
    path = _write(tmp_path, [*ROWS, POINT])
    out = StringIO()
    call_command("evaluate", str(path), "--format", "json", stdout=out)
    ev = evaluate(school_figures(read_tables(path), "merge"))
    assert out.getvalue() == dumps(evaluation_to_json_dict(ev), indent=2) + "\n"
