from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "schools.annotations"
    label = "annotations"
    verbose_name = "填报说明与附件"

    def ready(self):
        from schools import services as school_services

        from .services import unexplained_warnings

        if unexplained_warnings not in school_services.SUBMIT_CHECKS:
            school_services.SUBMIT_CHECKS.append(unexplained_warnings)
