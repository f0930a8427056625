"""身份号码 and phone fields saved without 个人信息 become personal: masked by default."""

from django.db import migrations


def mark_personal(apps, schema_editor):
    Field = apps.get_model("catalog", "Field")
    Field.objects.filter(data_type__in=["ric", "phone"], is_personal=False).update(is_personal=True)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(mark_personal, migrations.RunPython.noop)]
