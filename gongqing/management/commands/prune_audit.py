"""`manage.py prune_audit --older-than DAYS`: remove audit rows past the retention; refuses anything under 180 days."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gongqing import audit, auditguard
from gongqing.models import AuditEvent

# The Cybersecurity Law (art. 21) asks for network logs kept at least six months: 180 days is the floor.
MIN_RETENTION_DAYS = auditguard.RETENTION_DAYS


class Command(BaseCommand):
    help = f"删除早于保留期（不少于 {MIN_RETENTION_DAYS} 天）的审计日志。 Delete audit rows older than the retention."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, dest="days", help="days, at least 180")
        parser.add_argument("--dry-run", action="store_true", help="count only")

    def handle(self, *args, **options):
        days = options["days"]
        if days < MIN_RETENTION_DAYS:
            raise CommandError(
                f"审计日志至少保留 {MIN_RETENTION_DAYS} 天，拒绝删除 {days} 天内的记录。 "
                f"Audit rows are kept at least {MIN_RETENTION_DAYS} days."
            )
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditEvent._base_manager.filter(at__lt=cutoff)  # the default manager refuses deletes on purpose
        if options["dry_run"]:
            self.stdout.write(f"将删除 would delete: {old.count()}")
            return
        with transaction.atomic():
            deleted = auditguard.prune(cutoff)  # the database's triggers let only this remove audit rows
            audit.record(action="audit.prune", username="manage.py", days=days, deleted=deleted)
        self.stdout.write(f"已删除 deleted: {deleted} (早于 older than {cutoff:%Y-%m-%d})")
