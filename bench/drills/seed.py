"""The drills' data, written into the drill's own database (run by stack.Stack.setup with its environment).

Twelve primary schools of one township with approved returns (results to report on), six more with draft returns that
the drill's users keep saving through the API, a cycle with its stage 4, sessions for bureau staff (cookie) and a
write token for the city's API client. Prints one JSON line.
"""

import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from gongqing.api.auth import token_create  # noqa: E402
from gongqing.roles import Role  # noqa: E402
from indicators import services as indicator_services  # noqa: E402
from supervision import rules  # noqa: E402
from supervision import services as supervision_services  # noqa: E402
from tests.factories import (  # noqa: E402
    RoundFactory,
    SchoolFactory,
    SchoolYearFactory,
    TownshipFactory,
    UserFactory,
    class_rows,
    make_return,
    primary_figures,
)


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(6 * 3600)
    store.create()
    return store.session_key


township = TownshipFactory(name="甘露镇")
staff = UserFactory(username="staff", role=Role.BUREAU_STAFF)
city = UserFactory(username="jiujiang", role=Role.API_CLIENT)
rnd = RoundFactory(school_year=SchoolYearFactory(year=2024))
for i in range(12):
    school = SchoolFactory(code=f"21361000{i:02d}", name=f"演练小学{i}", township=township)
    figures = primary_figures(students=300 + 20 * i, classes=8, sports_area_m2=Decimal(2000 + 150 * i))
    make_return(school=school, round=rnd, status="approved", figures=figures)
indicator_services.mark_stale_now(round=rnd)
indicator_services.recompute_round(round_id=rnd.pk)
drafts = []
for i in range(6):
    school = SchoolFactory(code=f"21362000{i:02d}", name=f"填报小学{i}", township=township)
    drafts.append(make_return(school=school, round=rnd, status="draft", figures=primary_figures()).pk)
stages = rules.shifted(supervision_services.published_stage_dates(), today=datetime.date(2024, 10, 15), stage_number=3)
cycle = supervision_services.cycle_create(name="演练周期", stages=stages)
supervision_services.cycle_set_current(cycle=cycle)
figures = primary_figures()
payload = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.items()}
payload["classes"] = [
    {"section": r.section, "grade": r.grade, "name": r.name, "students": r.students}
    for r in class_rows("primary", figures["primary_students"], figures["primary_classes"])
]
_token, raw = token_create(user=city, name="演练", scopes=["read", "returns:write"], days=1)
print(
    json.dumps(
        {
            "round_id": rnd.pk,
            "stage_id": cycle.stages.get(number=4).pk,
            "returns": drafts,
            "staff_session": session_for(staff),
            "token": raw,
            "payload": payload,
        }
    )
)
