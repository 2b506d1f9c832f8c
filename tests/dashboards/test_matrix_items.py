"""The matrix: every school-level item is a column and counts as a miss; a cap and a 100% item read close only
near failing."""

import re
from decimal import Decimal

from django.urls import reverse

from indicators.models import SchoolResult
from tests.dashboards.test_dashboards import county, leader  # noqa: F401  (fixtures)

D = Decimal


def _result(round, name, code, **values):
    row = SchoolResult.objects.get(round=round, school__name=name, code=code, section="")
    for k, v in values.items():
        setattr(row, k, v)
    row.save()


def _cells(text):
    codes = re.findall(r'<th class="code"><abbr[^>]*>(\w+)</abbr>', text)
    rows = {}
    for m in re.finditer(r'<tr data-misses="(\d+)">.*?(看板小学\d\d).*?</tr>', text, re.S):
        heats = re.findall(r'<td class="heat ([\w-]+)"', m.group(0))
        rows[m.group(2)] = (int(m.group(1)), dict(zip(codes, heats, strict=True)))
    return codes, rows


def test_every_school_level_item_is_a_matrix_column_and_counts_as_a_miss(client, leader, county):  # noqa: F811
    assert {"G4", "G12"} <= set(SchoolResult.objects.filter(round=county, section="").values_list("code", flat=True))
    SchoolResult.objects.update_or_create(
        round=county,
        school=SchoolResult.objects.filter(round=county, school__name="看板小学02").first().school,
        section="",
        code="G6",
        defaults={"status": "not_met", "value": D("54000"), "threshold": D("65000")},
    )
    _result(county, "看板小学03", "Q4", status="not_met", value=D("3.8"), threshold=D("5"))
    client.force_login(leader)
    codes, rows = _cells(client.get(reverse("dashboards:matrix")).text)
    assert codes == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "G3", "G4", "G5", "G6", "G7", "G12", "Q4"]
    assert rows["看板小学02"][0] == 1 and rows["看板小学02"][1]["G6"] == "not-met"  # G6 alone
    assert rows["看板小学03"][0] == 1 and rows["看板小学03"][1]["Q4"] == "not-met"  # Q4 alone
    assert rows["看板小学00"][0] == 1  # R5 (5.0 < 7.5)
    assert rows["看板小学04"][0] == 0


def test_a_cap_and_a_100_percent_item_read_close_only_near_failing(client, leader, county):  # noqa: F811
    _result(county, "看板小学02", "G4", status="met", value=D("1850"), threshold=D("2000"))
    _result(county, "看板小学03", "G4", status="met", value=D("1700"), threshold=D("2000"))
    _result(county, "看板小学04", "G12", status="met", value=D("100"), threshold=D("100"))
    client.force_login(leader)
    _codes, rows = _cells(client.get(reverse("dashboards:matrix")).text)
    assert rows["看板小学02"][1]["G4"] == "close"  # 1850 > 1800
    assert rows["看板小学03"][1]["G4"] == "met"  # 1700 ≤ 1800
    assert rows["看板小学05"][1]["G4"] == "met"  # 400 pupils against 2,000
    assert rows["看板小学04"][1]["G12"] == "met"  # 100 % of 100 %: nothing to be close to
    warnings = client.get(reverse("dashboards:warnings")).context
    close = [(r[0], r[2], r[3].split()[0]) for r in warnings["close_table"].rows]
    assert ("看板小学02", "全校", "G4") in close
    assert not any(code in ("G4", "G12") and name != "看板小学02" for name, _s, code in close)
    assert ("看板小学01", "小学", "R5") in close  # 7.75 < 8.25
    chart = warnings["charts"]["close"]
    assert "G4" in chart.categories and "Q4" in chart.categories
    whole = next(s for s in chart.series if s.name == "全校")
    assert whole.data[chart.categories.index("G4")] == 1
