"""The standard's own words (V1–V6), G14's rural tilt, and no internal notes in the stored standards.

The built-in national row is refreshed from the code's definition (`NATIONAL_2017_DATA`, the one place the
2017 standard is written down); a derived local variant keeps its numbers but takes the corrected veto wording,
G14's parts and the dropped notes. Every round's results are marked stale so the nightly recompute restates
them in these words.
"""

import copy

from django.db import migrations
from django.db.models import F

NATIONAL_CODE = "national-2017"
REWORDED = ("V1", "V2", "V3", "V4", "V5", "V6")
INTERNAL_NOTES = ("G7", "G10", "S1")


def refresh(apps, schema_editor):
    from indicators.domain.standard import NATIONAL_2017_DATA

    Standard = apps.get_model("indicators", "Standard")
    EvaluationState = apps.get_model("indicators", "EvaluationState")
    current = {i["code"]: i for i in NATIONAL_2017_DATA["indicators"]}
    for row in Standard.objects.all():
        if row.builtin and row.code == NATIONAL_CODE:
            row.data = copy.deepcopy(NATIONAL_2017_DATA)
        else:
            data = copy.deepcopy(row.data)
            for ind in data.get("indicators", []):
                code = ind.get("code")
                if code in REWORDED:
                    ind["name_zh"] = current[code]["name_zh"]
                if code in INTERNAL_NOTES:
                    ind["note"] = ""
                if code == "G14":
                    old = ind.get("thresholds", {}).get("percent", current["G14"]["thresholds"]["percent"])
                    ind["parts"] = dict(current["G14"]["parts"])
                    ind["thresholds"] = {**current["G14"]["thresholds"], "percent": old}
            row.data = data
        row.save(update_fields=["data"])
    EvaluationState.objects.update(data_version=F("data_version") + 1)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0003_intake_estimate")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
