"""Who may use the evidence binder (档案).

The bureau and the leadership group build and download the county's binder (and see every binder); a township
official builds and downloads their own township's binder only: 江益镇's official is refused 甘露镇's binder (404).
Department officers, the auditor and the API client get nothing (403).
"""

from django.core.files.base import ContentFile

from supervision.binder.models import Binder, BinderStatus, scope_key
from supervision.models import Cycle
from tests.access.table_core import BUREAU, NOBODY

COUNTY = BUREAU | {"leadership"}
READERS = COUNTY | {"ganlu_official", "jiangyi_official"}
GANLU = COUNTY | {"ganlu_official"}


def _cycle() -> Cycle:
    cycle, _ = Cycle.objects.get_or_create(name="档案权限测试周期")
    return cycle


def _binder(objs, status=BinderStatus.DONE) -> Binder:
    """甘露镇's binder (reading objs["township"] marks it as 甘露镇's for the test)."""
    township = objs["township"]
    found = Binder.objects.filter(township=township, status=status).first()
    if found:
        return found
    binder = Binder.objects.create(
        cycle=_cycle(),
        round=objs["round"],
        township=township,
        scope=scope_key(township.pk),
        version=Binder.objects.count() + 1,
        status=status,
    )
    if status == BinderStatus.DONE:
        binder.file.save(f"b{binder.pk}.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
        binder.index_file.save(f"b{binder.pk}.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
        binder.save(update_fields=["file", "index_file"])
    return binder


ROUTES = {
    "binder:list": {"GET": READERS, "POST": NOBODY},
    "binder:build": {
        "data": lambda objs: {"cycle": _cycle().pk, "round": objs["round"].pk},
        "GET": NOBODY,
        "POST": READERS,
    },
    "binder:status": {"kwargs": lambda objs: {"pk": _binder(objs).pk}, "GET": GANLU, "POST": NOBODY},
    "binder:download": {"kwargs": lambda objs: {"pk": _binder(objs).pk}, "GET": GANLU, "POST": NOBODY},
    "binder:index": {"kwargs": lambda objs: {"pk": _binder(objs).pk}, "GET": GANLU, "POST": NOBODY},
    "binder:retry": {
        "kwargs": lambda objs: {"pk": _binder(objs, BinderStatus.FAILED).pk},
        "GET": NOBODY,
        "POST": GANLU,
    },
}
