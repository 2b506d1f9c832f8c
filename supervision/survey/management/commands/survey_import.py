"""`manage.py survey_import FILE`: import a signed survey file (verified; importing it again adds nothing)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from supervision.survey import exchange


class Command(BaseCommand):
    help = "Import a signed survey export: creates the survey when missing, adds responses not yet present."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        if path.stat().st_size > exchange.MAX_FILE_BYTES:
            raise CommandError("file too large")
        try:
            result = exchange.import_export(path.read_bytes())
        except exchange.ExportRefused as exc:
            raise CommandError(exc.message) from exc
        created = "created" if result.created_survey else "existing"
        self.stdout.write(
            f"survey {result.survey.school_year.year} ({created}): {result.added} added, {result.present} present"
        )
