"""Seed the county's starting rules (schools/quality/seeds.py), folding in the former WARN_CHANGES."""

from django.db import migrations

# A frozen copy: later edits of seeds.py must not change what this migration wrote.
from schools.quality.seeds import SEEDED_RULES


def seed(apps, schema_editor):
    Rule = apps.get_model("quality", "Rule")
    for spec in SEEDED_RULES:
        fields = {"importance": "warning", "section": "", "kinds": [], "locations": [], "field": "", "note": ""}
        fields.update({k: v for k, v in spec.items() if k != "code"})
        Rule.objects.update_or_create(code=spec["code"], defaults=fields)


def unseed(apps, schema_editor):
    apps.get_model("quality", "Rule").objects.filter(code__in=[s["code"] for s in SEEDED_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
