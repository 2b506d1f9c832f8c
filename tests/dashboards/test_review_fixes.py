"""Issue 6 review: "close" read from the indicator dictionary (a minimum, a cap, all-or-nothing), every school-level
item in the matrix and its misses, the warnings on the same rule, and the bodies' board on the current cycle only with
every scored body."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from gongqing.models import AuditEvent
from indicators.domain import forecast
from indicators.domain.forecast import MAX, MIN, RULE
from indicators.domain.standard import IndicatorDef, national_2017
from indicators.models import IntakeEstimate, SchoolResult
from schools.models import ReturnClass
from supervision.models import (
    Body,
    BodyRole,
    Cycle,
    ItemBody,
    Measure,
    MeasureBody,
    RectificationItem,
    Stage,
    WorkStatus,
)
from tests.dashboards.test_dashboards import county, leader  # noqa: F401  (fixtures)

D = Decimal


# --- The rule, from the dictionary -----------------------------------------------------------------------------------


def test_the_direction_is_read_from_the_dictionarys_comparison():
    std = national_2017()
    side = {code: forecast.direction_of(d) for code, d in std.indicators.items()}
    assert [side[c] for c in ("R1", "R5", "R7")] == [MIN, MIN, MIN]  # ">=" one threshold per section
    assert side["Q4"] == MIN  # ">=" 5 %
    assert side["G12"] is None  # ">=" 100 %: all or nothing
    assert side["G9"] is None  # parts ">=" 100 %
    assert [side[c] for c in ("G3", "G4", "G5", "G6", "G7")] == [RULE] * 5
    assert side["G1"] is None and side["V1"] is None  # yes/no, veto
    assert side["Q9"] is None  # mixed parts (level ">=", difference rate "<")
    cap = IndicatorDef("X1", "guarantee", "上限", "人", "school", "computed", "<=", {"n": D("2000")})
    assert forecast.direction_of(cap) == MAX


@pytest.mark.parametrize("direction", [MAX, RULE])
def test_a_cap_is_close_within_ten_percent_below_it(direction):
    close = lambda v: forecast.is_close(status="met", value=D(v), threshold=D("2000"), direction=direction)  # noqa: E731
    assert close("1850")  # 1850 > 0.9 × 2000 = 1800
    assert not close("1700")
    assert not close("1800")  # exactly 10% below: not close
    assert close("2000")  # at the cap
    assert not close("81")  # the demo's small school against 2,000
    assert forecast.heat_class(status="met", value=D("1850"), threshold=D("2000"), direction=direction) == "close"
    assert forecast.heat_class(status="not_met", value=D("2310"), threshold=D("2000"), direction=direction) == "not-met"


@pytest.mark.parametrize("direction", [MIN, RULE])
def test_a_minimum_is_close_within_ten_percent_above_it(direction):
    close = lambda v: forecast.is_close(status="met", value=D(v), threshold=D("4.5"), direction=direction)  # noqa: E731
    assert close("4.9")  # 4.9 < 4.95
    assert not close("5.0")
    assert not close("4.95")
    assert close("4.5")


def test_an_all_or_nothing_item_is_never_close():
    assert not forecast.is_close(status="met", value=D("100"), threshold=D("100"), direction=None)
    assert forecast.heat_class(status="met", value=D("100"), threshold=D("100"), direction=None) == "met"
    assert forecast.heat_class(status="not_met", value=D("91.7"), threshold=D("100"), direction=None) == "not-met"


# --- The matrix and the warnings on the county of test_dashboards (6 primary schools, 400 pupils each) ----------------


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


# --- The bodies' board -----------------------------------------------------------------------------------------------


def _stage(cycle, ends):
    return Stage.objects.create(cycle=cycle, number=1, name="整改", starts=ends.replace(month=1, day=1), ends=ends)


def _measure(cycle, ref, body, **work):
    m = Measure.objects.create(cycle=cycle, ref=ref, title=f"措施{ref}", **work)
    MeasureBody.objects.create(measure=m, body=body, role=BodyRole.LEAD)
    return m


def _item(key, stage, body):
    item = RectificationItem.objects.create(key=key, kind="manual", title=key, stage=stage)
    ItemBody.objects.create(item=item, body=body, role=BodyRole.LEAD)
    return item


@pytest.fixture
def cycles(finance):
    today = timezone.localdate()
    old = Cycle.objects.create(name="2020—2022年推进周期", read_only=True)
    new = Cycle.objects.create(name="本轮周期", is_current=True)
    old_stage, new_stage = _stage(old, datetime.date(2022, 12, 31)), _stage(new, today.replace(month=12, day=31))
    group = Body.objects.create(code="leading_group", name="领导小组", kind="group")
    for i in range(3):
        _measure(old, f"O{i}", finance)
    _item("manual:old", old_stage, finance)
    _measure(new, "N1", finance)
    _item("manual:new", new_stage, finance)
    _item("manual:unstaged", None, finance)  # no stage: current work
    _measure(
        new,
        "N2",
        group,
        due_date=today,
        work_status=WorkStatus.ACCEPTED,
        accepted_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    return old, new


def test_the_board_counts_the_current_cycle_only_and_names_it(client, leader, cycles):  # noqa: F811
    client.force_login(leader)
    response = client.get(reverse("dashboards:board"))
    rows = {r.name: r for r in response.context["rows"]}
    assert rows["市财政局"].led == 3  # N1, the current item, the unstaged item; not O0–O2 nor the old item
    assert response.context["cycle"] == "本轮周期"
    assert "统计周期：本轮周期" in response.text
    export = client.get(reverse("dashboards:board_export"), {"key": "board"})
    assert export.status_code == 200


def test_the_assessment_chart_scores_departments_but_never_the_leading_group(client, leader, cycles):  # noqa: F811
    """PLAN.md 5.3: the leadership group assesses and is not scored, though it leads N2 (accepted today). 市财政局
    leads N3, due today and accepted on time: 1 × 100% ÷ 1 = 100.0 (its other work has no due date: not scored)."""
    today = timezone.localdate()
    finance = Body.objects.get(code="finance")
    _measure(
        cycles[1],
        "N3",
        finance,
        due_date=today,
        work_status=WorkStatus.ACCEPTED,
        accepted_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    client.force_login(leader)
    response = client.get(reverse("dashboards:board"))
    chart = response.context["charts"]["assessment"]
    assert "领导小组" not in chart.categories
    assert chart.series[0].data[chart.categories.index("市财政局")].value == D("100.0")
    assert {r.name: r.kind for r in response.context["rows"]}["领导小组"] == "group"


# --- The bureau's grade-1 intake estimates ---------------------------------------------------------------------------


@pytest.fixture
def bureau(personas):
    return personas["bureau_staff"]


def test_the_bureau_enters_an_intake_estimate_and_the_forecast_uses_it(client, bureau, county):  # noqa: F811
    school = SchoolResult.objects.filter(round=county, school__name="看板小学03").first().school
    ret = school.returns.get()
    classes = ReturnClass.objects.filter(school_return=ret, grade=1).count()
    client.force_login(bureau)
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []  # cached without estimates
    url = reverse("dashboards:intake")
    page = client.get(url)
    assert page.status_code == 200 and page.context["year"] == county.school_year.year + 1
    assert "看板小学03" in page.text
    response = client.post(f"{url}?year={county.school_year.year + 1}", {f"n_{school.pk}": str(classes * 45 + 7)})
    assert response.status_code == 302
    estimate = IntakeEstimate.objects.get()
    assert (estimate.school, estimate.year, estimate.students) == (
        school,
        county.school_year.year + 1,
        classes * 45 + 7,
    )
    assert AuditEvent.objects.filter(action="dashboard.intake_estimates").count() == 1
    warnings = client.get(reverse("dashboards:warnings")).context  # the estimate changes the cache key
    rows = warnings["class_table"].rows
    # grade 1 next year: classes × 45 + 7 pupils in this year's grade-1 classes of at most 45 → 7 over
    assert [(r[0], r[2], r[3], r[7], r[-1]) for r in rows] == [
        ("看板小学03", "1年级", classes * 45 + 7, 7, "教体局招生预估")
    ]
    assert warnings["intakes_used"] == 1
    client.post(f"{url}?year={county.school_year.year + 1}", {f"n_{school.pk}": ""})  # blank: no estimate
    assert not IntakeEstimate.objects.exists()
    assert client.get(reverse("dashboards:warnings")).context["class_table"].rows == []


def test_a_bad_intake_is_refused_naming_the_school_and_nothing_changes(client, bureau, county):  # noqa: F811
    schools = {s.name: s for s in (r.school for r in SchoolResult.objects.filter(round=county, code="R1"))}
    client.force_login(bureau)
    url = f"{reverse('dashboards:intake')}?year={county.school_year.year + 1}"
    response = client.post(url, {f"n_{schools['看板小学01'].pk}": "60", f"n_{schools['看板小学02'].pk}": "六十"})
    assert response.status_code == 400
    assert "看板小学02：一年级招生预估须为0至5000之间的整数" in response.text
    assert 'value="六十"' in response.text
    assert not IntakeEstimate.objects.exists()
    assert not AuditEvent.objects.filter(action="dashboard.intake_estimates").exists()


def test_leadership_reads_the_forecast_but_cannot_enter_estimates(client, leader, county):  # noqa: F811
    client.force_login(leader)
    assert client.get(reverse("dashboards:intake")).status_code == 403
    assert "录入一年级招生预估" not in client.get(reverse("dashboards:warnings")).text
