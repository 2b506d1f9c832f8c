"""Build time of the evidence binder (档案): the demo county's, and one with 1,000 evidence files.

The second adds 1,000 progress files (small PDFs of a few kB, spread over the demo's ledger items, so over many
indicator folders) in a copy of the demo database, then builds the county's binder. Uses its own SQLite file and
MEDIA_ROOT under /tmp; `--keep DIR` copies both index PDFs there for a look.

    .venv/bin/python bench/bench_binder.py [--keep /tmp/binder]
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
APPS = ("gongqing", "schools", "indicators", "supervision")
_MIGRATIONS = sorted(p.name for app in APPS for p in (ROOT / app).glob("**/migrations/0*.py"))
DB = Path(f"/tmp/gq_bench_binder_{hashlib.sha1(' '.join(_MIGRATIONS).encode()).hexdigest()[:10]}.sqlite3")
MEDIA = Path("/tmp/gq_bench_binder_media")
SEED_MEDIA = DB.with_suffix(".media")  # the demo's evidence files, kept beside the seeded database
FILES = 1000


def setup() -> None:
    """Seed the demo once (a separate process, its own database and media folder), then work on copies of both."""
    if not DB.exists() or not SEED_MEDIA.exists():
        DB.unlink(missing_ok=True)
        shutil.rmtree(SEED_MEDIA, ignore_errors=True)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{DB}", "MEDIA_ROOT": str(SEED_MEDIA)}
        env.pop("REDIS_URL", None)
        for command in (["migrate", "--noinput"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    work = DB.with_suffix(".work.sqlite3")
    shutil.copy(DB, work)  # every run starts from the seeded demo and its files
    shutil.rmtree(MEDIA, ignore_errors=True)
    shutil.copytree(SEED_MEDIA, MEDIA)
    os.environ["DATABASE_URL"] = f"sqlite:///{work}"
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")
    import django

    django.setup()


def build(label: str, keep: Path | None):
    from schools.models import CollectionRound
    from supervision.binder import services
    from supervision.models import Cycle

    cycle = Cycle.objects.get(is_current=True)
    rnd = CollectionRound.objects.filter(evaluation__computed_version__gt=0, is_open=False).order_by("-as_of").first()
    started, cpu = time.perf_counter(), time.process_time()
    binder = services.build_now(cycle=cycle, round=rnd)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert binder.status == "done", binder.error
    print(
        f"{label}: {seconds:.1f} s wall ({cpu:.1f} s CPU), {binder.files_count} files stored, "
        f"{binder.missing_count} missing, "
        f"{binder.bare_count} indicators without evidence, zip {binder.size / 1e6:.1f} MB, "
        f"index {binder.index_file.size / 1e3:.0f} kB, peak RSS {rss:.0f} MB"
    )
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(binder.index_file.path, keep / f"{label.split()[0]}-index.pdf")
        shutil.copy(binder.file.path, keep / f"{label.split()[0]}.zip")
    return binder


def add_files(n: int) -> None:
    from django.core.files.base import ContentFile
    from django.db import transaction

    from supervision.demo import EVIDENCE_PDF
    from supervision.models import EvidenceFile, ProgressUpdate, RectificationItem

    items = list(RectificationItem.objects.exclude(code="").order_by("pk"))
    padding = b"%" + b"x" * 4000 + b"\n"  # a few kB each, like a scanned page's text layer
    with transaction.atomic():
        for i in range(n):
            item = items[i % len(items)]
            update = ProgressUpdate.objects.create(item=item, text=f"第{i + 1}次进展", percent=50)
            name = f"整改验收材料{i + 1:04d}.pdf"
            f = EvidenceFile(update=update, name=name, content_type="application/pdf", size=1)
            f.file.save(f"bench{i}.pdf", ContentFile(EVIDENCE_PDF + padding), save=False)
            f.save()


def main() -> None:
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
    setup()
    build("demo county", keep)
    add_files(FILES)
    build(f"with-{FILES}-files county", keep)


if __name__ == "__main__":
    main()
