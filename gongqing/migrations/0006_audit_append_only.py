"""Audit rows protected by the database: the user link without constraint or SET NULL, and the triggers."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from gongqing import auditguard

    auditguard.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from gongqing import auditguard

    auditguard.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("gongqing", "0005_refusal_windows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
