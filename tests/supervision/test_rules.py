"""The pure rules of the ledger, the workflow, the stages and the assessment."""

import datetime
from decimal import Decimal

import pytest

from indicators.labels import RESOURCE_LABELS, UNIT_LABELS
from supervision import assessment, rules
from supervision.rules import StageDates


@pytest.mark.parametrize(
    ("indicator", "work", "expected"),
    [
        ("failing", "not_started", ("open", "")),
        ("within_tolerance", "in_progress", ("open", "")),
        ("failing", "accepted", ("awaiting_data", "")),
        ("passing", "not_started", ("closed", "passed_without_rectification")),
        ("passing", "accepted", ("closed", "rectified")),
        ("passing", "in_progress", ("open", "")),
        ("passing", "awaiting_acceptance", ("open", "")),
        ("passing", "sent_back", ("open", "")),
        ("no_data", "not_started", ("open", "")),
    ],
)
def test_the_state_follows_the_indicator_and_the_work(indicator, work, expected):
    assert rules.derive_state(indicator=indicator, work=work) == expected


def test_a_manual_item_closes_only_when_its_work_is_accepted():
    assert rules.derive_state(indicator="", work="awaiting_acceptance", manual=True) == ("open", "")
    assert rules.derive_state(indicator="", work="accepted", manual=True) == ("closed", "rectified")


def test_only_a_closed_item_whose_indicator_fails_again_reopens():
    assert rules.should_reopen(state="closed", indicator="failing")
    assert rules.should_reopen(state="closed", indicator="within_tolerance")
    assert not rules.should_reopen(state="awaiting_data", indicator="failing")
    assert not rules.should_reopen(state="closed", indicator="passing")


def test_the_work_moves_through_its_statuses_and_refuses_wrong_steps():
    assert rules.after_update("not_started") == "in_progress"
    assert rules.after_update("sent_back") == "in_progress"
    assert rules.after_done("in_progress") == "awaiting_acceptance"
    assert rules.after_review("awaiting_acceptance", accept=True) == "accepted"
    assert rules.after_review("awaiting_acceptance", accept=False) == "sent_back"
    with pytest.raises(rules.WorkflowError):
        rules.after_update("accepted")
    with pytest.raises(rules.WorkflowError):
        rules.after_done("awaiting_acceptance")
    with pytest.raises(rules.WorkflowError):
        rules.after_review("in_progress", accept=True)


def test_overdue_is_derived_and_never_in_a_finished_cycle():
    due = datetime.date(2024, 6, 30)
    after = datetime.date(2024, 7, 1)
    assert rules.is_overdue(due_date=due, state="open", work="in_progress", today=after, finished=False)
    assert not rules.is_overdue(due_date=due, state="open", work="in_progress", today=due, finished=False)
    assert not rules.is_overdue(due_date=due, state="open", work="in_progress", today=after, finished=True)
    assert not rules.is_overdue(due_date=due, state="awaiting_data", work="accepted", today=after, finished=False)


PUBLISHED = [
    StageDates(1, None, datetime.date(2020, 11, 30)),
    StageDates(2, datetime.date(2020, 12, 1), datetime.date(2021, 6, 30)),
    StageDates(3, datetime.date(2021, 7, 1), datetime.date(2021, 12, 31)),
    StageDates(4, datetime.date(2022, 1, 1), datetime.date(2022, 3, 31)),
    StageDates(5, datetime.date(2022, 4, 1), datetime.date(2022, 11, 30)),
]


def test_the_current_stage_follows_the_date():
    assert rules.current_stage(PUBLISHED, datetime.date(2019, 1, 1)) == 1
    assert rules.current_stage(PUBLISHED, datetime.date(2021, 7, 1)) == 3
    assert rules.current_stage(PUBLISHED, datetime.date(2022, 11, 30)) == 5
    assert rules.current_stage(PUBLISHED, datetime.date(2022, 12, 1)) is None
    assert rules.is_finished(PUBLISHED, datetime.date(2022, 12, 1))
    assert not rules.is_finished(PUBLISHED, datetime.date(2022, 11, 30))


def test_shifting_the_plan_puts_today_in_stage_three_and_keeps_the_lengths():
    today = datetime.date(2026, 2, 10)
    moved = rules.shifted(PUBLISHED, today=today, stage_number=3)
    assert rules.current_stage(moved, today) == 3
    assert [s.ends - PUBLISHED[i].ends for i, s in enumerate(moved)] == [moved[0].ends - PUBLISHED[0].ends] * 5
    assert moved[0].starts is None


def test_the_gap_becomes_a_target_in_words():
    text = rules.gap_text(
        resource="sports_area_m2", quantity=Decimal("419.2"), unit="m2", labels=RESOURCE_LABELS, units=UNIT_LABELS
    )
    assert text == "建设体育运动场馆 420 平方米"
    money = rules.gap_text(
        resource="equipment_value_yuan",
        quantity=Decimal("542500"),
        unit="yuan",
        labels=RESOURCE_LABELS,
        units=UNIT_LABELS,
    )
    assert money == "购置教学仪器设备 542,500 元"


def test_the_assessment_scores_each_state_by_the_plans_default_method():
    """Due 2024-06-30, assessed on 2024-12-31. Led: accepted 06-01 (100), accepted 08-01 (60), done 06-30 and
    awaiting (80), done 07-01 and awaiting (40), in progress (overdue: 0); cooperating on one accepted on its due date
    (0.5 × 100). (100 + 60 + 80 + 40 + 0 + 50) ÷ 5.5 = 330 ÷ 5.5 = 60.0. Closed without the work and undated work
    are not scored."""
    due, on = datetime.date(2024, 6, 30), datetime.date(2024, 12, 31)
    method = assessment.Method()

    def work(status, done=None, accepted=None, due=due, without=False):
        return assessment.Work("item", 1, "x", due, status, done, accepted, without)

    lines = [
        assessment.line(work("accepted", due, datetime.date(2024, 6, 1)), "lead", method, on),
        assessment.line(work("accepted", due, datetime.date(2024, 8, 1)), "lead", method, on),
        assessment.line(work("awaiting_acceptance", due), "lead", method, on),
        assessment.line(work("awaiting_acceptance", datetime.date(2024, 7, 1)), "lead", method, on),
        assessment.line(work("in_progress"), "lead", method, on),
        assessment.line(work("accepted", due, due), "cooperating", method, on),
        assessment.line(work("not_started", without=True), "lead", method, on),
        assessment.line(work("in_progress", due=None), "lead", method, on),
    ]
    assert [ln.state for ln in lines] == [
        assessment.ACCEPTED_ON_TIME,
        assessment.ACCEPTED_LATE,
        assessment.AWAITING_ON_TIME,
        assessment.AWAITING_LATE,
        assessment.OPEN_OVERDUE,
        assessment.ACCEPTED_ON_TIME,
        assessment.NOT_COUNTED,
        assessment.NO_DUE_DATE,
    ]
    assert assessment.score(lines) == Decimal("60.0")
    assert assessment.score(lines[-2:]) is None
    # Not yet due on the assessment date: in progress earns half.
    early = assessment.line(work("in_progress"), "lead", method, datetime.date(2024, 6, 30))
    assert early.state == assessment.OPEN_NOT_DUE and early.share == Decimal(50)
