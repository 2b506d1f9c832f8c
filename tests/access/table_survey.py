"""Who may use the satisfaction survey's routes (format: see table_core.py).

The public questionnaire is open to everybody, anonymous included (and only it, with the health check and the login
page); tallies, the link and the QR code are for the bureau and the leadership group; every write is the bureau's.
The survey is county-wide: no township's object is involved, so 江益镇's official is simply not a reader.
"""

import datetime

from django.utils import timezone

from supervision.survey import services
from supervision.survey.models import PaperTally, Survey
from tests.access.table_core import ANONYMOUS, BUREAU, EVERYONE, NOBODY

READERS = BUREAU | {"leadership"}
assert ANONYMOUS in EVERYONE


def _survey(objs) -> Survey:
    school_year = objs["school_year"]
    survey = Survey.objects.filter(school_year=school_year).first()
    if survey is None:
        today = timezone.localdate()
        survey = services.survey_create(
            school_year=school_year,
            title="满意度调查",
            opens_on=today - datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=30),
        )
    return survey


def _tally(objs) -> PaperTally:
    survey = _survey(objs)
    tally, _created = PaperTally.objects.get_or_create(
        survey=survey,
        label="纸质问卷第1批",
        defaults={"group": "parents", "forms": 1, "counts": {"1": {"satisfied": 1}}},
    )
    return tally


def _answers(objs):
    return {f"q{i}": "satisfied" for i in range(1, 7)}


ROUTES = {
    "survey:public": {"kwargs": lambda objs: {"token": _survey(objs).token}, "GET": EVERYONE, "POST": NOBODY},
    # POST: the device cookie set by the GET comes along, so those allowed get the thank-you redirect (or 409 / 200).
    "survey:public_form": {
        "kwargs": lambda objs: {"token": _survey(objs).token, "group": "students"},
        "data": _answers,
        "GET": EVERYONE,
        "POST": EVERYONE,
    },
    "survey:public_done": {"kwargs": lambda objs: {"token": _survey(objs).token}, "GET": EVERYONE, "POST": NOBODY},
    "survey:list": {"GET": READERS, "POST": NOBODY},
    "survey:create": {"GET": BUREAU, "POST": BUREAU},
    "survey:import": {"GET": BUREAU, "POST": BUREAU},
    "survey:detail": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": READERS, "POST": NOBODY},
    "survey:edit": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": BUREAU, "POST": BUREAU},
    "survey:close": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": NOBODY, "POST": BUREAU},
    "survey:refresh": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": NOBODY, "POST": BUREAU},
    "survey:qr": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": READERS, "POST": NOBODY},
    # Without SURVEY_EXPORT_KEY (tests run with DEBUG off) the bureau is sent back to the survey with the reason.
    "survey:export": {"kwargs": lambda objs: {"pk": _survey(objs).pk}, "GET": BUREAU, "POST": NOBODY},
    "survey:paper_add": {
        "kwargs": lambda objs: {"pk": _survey(objs).pk, "group": "parents"},
        "GET": BUREAU,
        "POST": BUREAU,
    },
    "survey:paper_delete": {
        "kwargs": lambda objs: {"pk": _survey(objs).pk, "tally_pk": _tally(objs).pk},
        "GET": NOBODY,
        "POST": BUREAU,
    },
}
