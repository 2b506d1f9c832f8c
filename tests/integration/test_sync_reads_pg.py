"""On PostgreSQL the ledger sync reads the stored result's gaps and items with SQL (the runs naming its schools, the
items picked out of the document in the database); what it reads must be what the whole document joined in Python
says — which gaps, and per item its status and whether it has schools and parts. A school-level item read as having
no schools on one database and schools on the other would give the county a "县级" ledger item on one only."""

from __future__ import annotations

import pytest
from django.db import connection

from indicators import services
from supervision.services import sync
from tests.factories import BodyFactory
from tests.integration.test_recompute_statements_pg import county

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_the_sql_reads_give_what_the_joined_document_gives():
    assert connection.vendor == "postgresql"
    BodyFactory(code="education", name="市教体局")
    rnd = county(60)
    services.mark_stale_now(round=rnd)
    services.recompute_round(round_id=rnd.pk)
    gaps, items = sync._stored_gaps_and_items(rnd, None)
    want_gaps, want_items = sync.gaps_and_items_of(rnd, None)
    assert items == want_items
    assert any(i["schools"] and not i["parts"] for i in items.values())  # school-level items read as such
    assert gaps == want_gaps and len(gaps) >= 15  # every fourth school short of sports ground
    some = {gaps[0]["school"], gaps[-1]["school"]}
    assert sync._stored_gaps_and_items(rnd, some) == sync.gaps_and_items_of(rnd, some)
