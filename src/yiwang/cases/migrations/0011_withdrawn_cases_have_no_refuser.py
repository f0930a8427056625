"""Withdrawn cases recorded their applicant as 不予受理经办人 (refused_by); a withdrawal has none."""

from django.db import migrations


def clear_refused_by(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(status="withdrawn", refused_by__isnull=False).update(refused_by=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_casematerial_material_set_null")]

    operations = [migrations.RunPython(clear_refused_by, migrations.RunPython.noop)]
