"""`manage.py seed_demo`: load the made-up demo schools of 共青城 (see schools/demo.py). Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from schools import demo


class Command(BaseCommand):
    help = "Load realistic, made-up demo data of 共青城市 (idempotent; every school is fictional)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Seed even though the database holds schools not marked fictional (normally refused).",
        )

    def handle(self, *args, allow_real_data=False, **options):
        if not allow_real_data and demo.real_schools_present():
            raise CommandError(
                "数据库中已有真实（非演示）学校，已拒绝写入演示数据。Real schools exist; use --allow-real-data."
            )
        demo.run(stdout=self.stdout)
