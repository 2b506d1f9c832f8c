"""Driven by test_import_killed_pg.py in a subprocess (never collected by pytest):

    python tests/integration/import_kill_worker.py setup DIR      # schools, a round, a user; DIR/county.xlsx
    python tests/integration/import_kill_worker.py import DIR [--die-after N]

`import` uploads the workbook through the real view; with --die-after it prints HALFWAY after N schools were saved
inside the import's transaction and then waits to be killed.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from gongqing.models import User  # noqa: E402
from gongqing.roles import Role  # noqa: E402
from schools import services  # noqa: E402
from schools.models import CollectionRound  # noqa: E402
from tests.schools.test_import_killed import XLSX, valid_workbook  # noqa: E402

SCHOOLS = 200  # 200 × 25 = 5,000 class rows
PER_SCHOOL = 25


def setup(folder: Path) -> None:
    from tests.factories import RoundFactory, SchoolFactory, TownshipFactory, UserFactory

    township = TownshipFactory(name="甘露镇", code="360482101")
    schools = [SchoolFactory(township=township, code=f"21362{i:05d}") for i in range(SCHOOLS)]
    RoundFactory()
    UserFactory(username="importer", role=Role.BUREAU_STAFF)
    (folder / "county.xlsx").write_bytes(valid_workbook(schools, PER_SCHOOL))


def run_import(folder: Path, die_after: int | None) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    if die_after is not None:
        real_save, saved = services.return_save, []

        def save_then_hang(**kwargs):
            if len(saved) == die_after:
                print("HALFWAY", flush=True)
                time.sleep(600)  # killed here, in the middle of the import's transaction
            result = real_save(**kwargs)
            saved.append(1)
            return result

        services.return_save = save_then_hang
    client = Client()
    client.force_login(User.objects.get(username="importer"))
    rnd = CollectionRound.objects.get()
    content = (folder / "county.xlsx").read_bytes()
    response = client.post(
        reverse("schools:exchange_upload", args=[rnd.pk]),
        {"files": SimpleUploadedFile("county.xlsx", content, XLSX)},
    )
    ok = 'id="import-result"' in response.content.decode()
    print("IMPORTED" if ok else f"NOT IMPORTED {response.status_code}", flush=True)


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2])
    if action == "setup":
        setup(folder)
    else:
        die = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--die-after" else None
        run_import(folder, die)
