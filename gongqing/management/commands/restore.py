"""`manage.py restore FILE [--force]`: check every checksum, then restore the database and MEDIA_ROOT."""

from django.core.management.base import BaseCommand, CommandError

from gongqing import audit
from gongqing.backup import BackupError, restore_archive


class Command(BaseCommand):
    help = (
        "从备份归档恢复数据库与上传文件；数据库非空时需 --force。 Restore an archive made by `backup` into an empty "
        "database and media folder (--force replaces existing data). Checks every checksum before changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="replace a database / media folder that holds data")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            result = restore_archive(
                archive=options["archive"], force=options["force"], using=options["database"], stdout=self.stdout
            )
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("恢复完成 Restored. 各表行数 Row counts:")
        for table, count in result.counts.items():
            if count:
                self.stdout.write(f"  {table}: {count}")
        self.stdout.write(f"  媒体文件 media files: {result.media_files}")
        audit.record(
            action="backup.restore",
            username="manage.py",
            path=str(options["archive"]),
            rows=sum(result.counts.values()),
            files=result.media_files,
            forced=options["force"],
        )
