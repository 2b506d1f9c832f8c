"""`manage.py backup [--out FILE]`: the database and MEDIA_ROOT in one tar.gz with a manifest (gongqing/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongqing import audit
from gongqing.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个归档。 Back up the database and MEDIA_ROOT into one tar.gz with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="archive path (default: VAR_DIR/backups/gongqing-<time>.tar.gz)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        out = options["out"]
        if not out:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            out = Path(settings.VAR_DIR) / "backups" / f"gongqing-{stamp}.tar.gz"
        out = Path(out)
        try:
            manifest = backup_create(out=out, using=options["database"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["row_counts"].values())
        files = len(manifest["sha256"]) - 1
        audit.record(action="backup.create", username="manage.py", path=str(out), rows=rows, files=files)
        self.stdout.write(f"备份完成 Backup written: {out}")
        self.stdout.write(f"  数据行 rows: {rows}  文件 media files: {files}  大小 size: {out.stat().st_size} B")
