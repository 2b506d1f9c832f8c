"""Routes of the data-quality rules, inside the `schools:` namespace under /schools/quality/."""

from django.urls import path

from . import views

urlpatterns = [
    path("rules/", views.rule_list, name="quality_rules"),
    path("rules/new/", views.rule_edit, name="quality_rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="quality_rule_edit"),
    path("rules/<int:pk>/switch/", views.rule_switch, name="quality_rule_switch"),
]
