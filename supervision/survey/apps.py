from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "supervision.survey"
    label = "survey"
    verbose_name = "社会认可度调查"

    def ready(self):
        from indicators.signals import SURVEY_PROVIDERS

        from . import tasks  # noqa: F401  (registers the task that services queue by name, gongqing.queue)
        from .selectors import survey_answers_for_year

        if survey_answers_for_year not in SURVEY_PROVIDERS:
            SURVEY_PROVIDERS.append(survey_answers_for_year)

        from django.utils.translation import gettext_lazy as _

        from gongqing import softdelete

        from .models import PaperTally

        def on_tally_restored(sender, instance, deleted, **kwargs):
            if not deleted:  # a restored paper tally counts in S1 again (deleting marks the year stale itself)
                from .services import results_stale

                results_stale(year=instance.survey.school_year.year)

        softdelete.register("paper_tally", PaperTally, _("纸质问卷汇总"), ("survey__school_year",))
        # weak=False: a closure connected weakly is collected by the garbage collector and never fires.
        softdelete.row_deleted_or_restored.connect(
            on_tally_restored, sender=PaperTally, weak=False, dispatch_uid="survey.restore"
        )
