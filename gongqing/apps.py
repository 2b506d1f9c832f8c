from django.apps import AppConfig


class GongqingConfig(AppConfig):
    name = "gongqing"
    verbose_name = "平台"
