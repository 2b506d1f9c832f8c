from django.core.management.base import BaseCommand

from indicators import services
from schools.models import CollectionRound


class Command(BaseCommand):
    help = "Recompute the stored indicator results now (synchronously), for all rounds or one school year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="school year (its first calendar year), e.g. 2024")

    def handle(self, *args, year=None, **options):
        rounds = CollectionRound.objects.select_related("school_year").order_by("school_year__year", "as_of")
        if year is not None:
            rounds = rounds.filter(school_year__year=year)
        for rnd in rounds:
            services.mark_stale_now(round=rnd)
            stats = services.recompute_round(round_id=rnd.pk)
            self.stdout.write(f"{rnd}: {stats}")
