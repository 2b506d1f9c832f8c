"""Demo data of the satisfaction survey: the 2024 survey with answers from every group (deterministic).

Six groups have 30 or more valid responses; principals have 19, so S1 shows as `no_data` (a group short of the
minimum sample) until the bureau enters a batch of principals' paper questionnaires. Residents also have a batch
of paper questionnaires. Idempotent: responses are keyed by UUIDs derived from the year, group and number.
"""

from __future__ import annotations

import datetime
import random
import uuid

from django.db import transaction
from django.utils import timezone

from indicators import services as indicator_services
from schools.models import CollectionRound, SchoolYear

from .models import PaperTally, Question, Response, ResponseSource, Survey
from .questionnaire import default_items
from .selectors import scoring_for_year

YEAR = 2024
NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4c1e-9a53-0d2b8e6f4a10")
# Responses per group and the weights of the six levels (很满意, 满意, 基本满意, 不满意, 很不满意, 不了解).
GROUPS = {
    "students": (64, (45, 30, 14, 6, 2, 3)),
    "parents": (58, (30, 33, 20, 10, 4, 3)),
    "teachers": (41, (28, 35, 22, 9, 3, 3)),
    "principals": (19, (40, 35, 15, 6, 2, 2)),
    "npc_deputies": (32, (38, 36, 16, 5, 1, 4)),
    "cppcc_members": (31, (35, 37, 17, 6, 1, 4)),
    "residents": (45, (25, 32, 23, 11, 5, 4)),
}
PAPER = {
    "group": "residents",
    "label": "城区社区纸质问卷（第1批）",
    "forms": 30,
    # per item: 很满意, 满意, 基本满意, 不满意, 很不满意, 不了解 (each item sums to 30)
    "rows": [(9, 10, 7, 2, 1, 1), (8, 11, 6, 3, 1, 1), (10, 9, 7, 2, 0, 2), (7, 12, 6, 3, 1, 1), (9, 9, 8, 3, 1, 0)]
    + [(11, 10, 6, 2, 0, 1)],
}


def _answers(rng: random.Random, levels: tuple[str, ...], weights, items: int) -> list[str]:
    return rng.choices(levels, weights=weights, k=items)


@transaction.atomic
def seed_survey(stdout) -> None:
    school_year = SchoolYear.objects.filter(year=YEAR).first()
    if school_year is None:
        return
    scoring = scoring_for_year(YEAR)
    survey = Survey.objects.filter(school_year=school_year).first()
    if survey is None:
        opens = datetime.date(YEAR, 10, 8)
        survey = Survey.objects.create(
            school_year=school_year,
            title=f"共青城市义务教育优质均衡发展社会认可度调查（{school_year}）",
            opens_on=opens,
            closes_on=max(datetime.date(YEAR + 1, 6, 30), timezone.localdate() + datetime.timedelta(days=90)),
        )
        Question.objects.bulk_create(
            Question(survey=survey, group=g, position=i, text=text)
            for g in scoring.groups
            for i, text in enumerate(default_items(g), start=1)
        )
    items = {g: survey.questions.filter(group=g).count() for g in scoring.groups}
    rows = []
    for group, (count, weights) in GROUPS.items():
        if not items.get(group):
            continue
        rng = random.Random(f"survey-{YEAR}-{group}")
        for n in range(count):
            rows.append(
                Response(
                    id=uuid.uuid5(NAMESPACE, f"{YEAR}-{group}-{n}"),
                    survey=survey,
                    group=group,
                    answers=_answers(rng, scoring.levels, weights, items[group]),
                    submitted_on=survey.opens_on + datetime.timedelta(days=n % 21),
                    source=ResponseSource.ONLINE,
                )
            )
    before = Response.objects.filter(survey=survey).count()
    Response.objects.bulk_create(rows, ignore_conflicts=True)
    added = Response.objects.filter(survey=survey).count() - before
    paper_added = 0
    if items.get(PAPER["group"]) == len(PAPER["rows"]):
        counts = {
            str(i): {lv: n for lv, n in zip(scoring.levels, row, strict=True) if n}
            for i, row in enumerate(PAPER["rows"], start=1)
        }
        _tally, paper_added = PaperTally.objects.get_or_create(
            survey=survey,
            label=PAPER["label"],
            defaults={"group": PAPER["group"], "forms": PAPER["forms"], "counts": counts},
        )
    if added or paper_added:
        for rnd in CollectionRound.objects.filter(school_year=school_year):
            indicator_services.mark_stale_now(round=rnd)
            indicator_services.recompute_round(round_id=rnd.pk)
    stdout.write(
        f"满意度调查 survey {YEAR}: 新增答卷 {added} responses added, 纸质汇总 {int(paper_added)} paper tallies"
    )


DEMO_STEP = seed_survey
