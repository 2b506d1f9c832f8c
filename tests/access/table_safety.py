"""Who may use the recycle bin (gongqing/views/recycle.py): bureau admins only."""

import itertools

from django.utils import timezone

from tests.access.table_core import ADMIN, NOBODY
from tests.factories import SchoolFactory

_codes = itertools.count(1)


def _deleted_school(objs):
    """A fresh deleted school of 甘露镇 for each request: a restore takes it out of the bin."""
    return SchoolFactory(
        name="已删除的小学", code=f"21369{next(_codes):05d}", township=objs["township"], deleted_at=timezone.now()
    )


ROUTES = {
    "recycle_bin": {"GET": ADMIN, "POST": NOBODY},
    "recycle_restore": {
        "kwargs": lambda objs: {"kind": "school", "pk": _deleted_school(objs).pk},
        "GET": NOBODY,
        "POST": ADMIN,
    },
}
