"""The finished cycles as a subquery (the ledger's overdue flag) are the ones `finished_cycle_ids` decides in Python."""

import datetime

import pytest

from supervision.models import Cycle, Stage
from supervision.selectors import finished_cycle_ids, finished_cycles

ON = datetime.date(2025, 6, 30)


def cycle(name, *ends, read_only=False):
    c = Cycle.objects.create(name=name, read_only=read_only)
    for number, end in enumerate(ends, 1):
        Stage.objects.create(cycle=c, number=number, name=f"阶段{number}", ends=end)
    return c


@pytest.mark.django_db
def test_the_subquery_finds_the_cycles_finished_on_a_day_as_the_rule_does():
    ended = cycle("已结束", datetime.date(2024, 12, 31), ON - datetime.timedelta(days=1))
    archived = cycle("已归档", ON + datetime.timedelta(days=300), read_only=True)
    cycle("最后一天", datetime.date(2024, 12, 31), ON)
    cycle("进行中", ON - datetime.timedelta(days=90), ON + datetime.timedelta(days=90))
    cycle("无阶段")

    found = set(finished_cycles(on=ON).values_list("pk", flat=True))

    assert found == finished_cycle_ids(on=ON)
    assert {ended.pk, archived.pk} <= found
    assert not {c.pk for c in Cycle.objects.filter(name__in=["最后一天", "进行中", "无阶段"])} & found
