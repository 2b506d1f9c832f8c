"""`manage.py survey_export --year 2024 [-o file]`: the signed survey file (definition + online responses).

On a `SURVEY_ONLY` public host this is how answers leave it; on the portal it writes the definition to load there.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from supervision.survey import exchange
from supervision.survey.models import Survey


class Command(BaseCommand):
    help = "Write the signed export of a school year's satisfaction survey (JSON, no respondent identifiers)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="school year, by its first calendar year")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, year, output=None, **options):
        survey = Survey.objects.select_related("school_year").filter(school_year__year=year).first()
        if survey is None:
            raise CommandError(f"no survey for school year {year}")
        try:
            body = exchange.export_bytes(survey)
        except exchange.ExportRefused as exc:
            raise CommandError(exc.message) from exc
        if output:
            Path(output).write_bytes(body)
            self.stderr.write(f"wrote {output}")
        else:
            self.stdout.write(body.decode())
