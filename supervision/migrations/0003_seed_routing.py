"""Seed the routing of failing indicators to bodies from the city plan (editable afterwards by the bureau)."""

from django.db import migrations

TOWNSHIP = "@township"
TEACHERS = ["staffing", "hr", "education", "finance"]
BUILDING = ["natural_resources", "housing", "finance", "education", TOWNSHIP]
EQUIPMENT = ["finance", "education"]
FUNDING = ["finance", "education", "hr"]
QUALITY = ["education", TOWNSHIP]
ROUTING = {
    **{code: TEACHERS for code in ("R1", "R2", "R3", "G9", "G10", "G11", "G12")},
    **{code: BUILDING for code in ("R4", "R5", "G3", "G4", "G5")},
    **{code: EQUIPMENT for code in ("R6", "R7")},
    **{code: FUNDING for code in ("G6", "G7", "G8")},
    **{f"Q{i}": QUALITY for i in range(1, 10)},
}


def seed(apps, schema_editor):
    RoutingRule = apps.get_model("supervision", "RoutingRule")
    for code, bodies in ROUTING.items():
        RoutingRule.objects.get_or_create(code=code, defaults={"bodies": bodies})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_plan_and_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
