"""Identifiers stored as compared: a 身份号码 saved with a lower-case x (or a USCC in lower
case) did not match the cases, agencies and usage records that name the same person or
company in its canonical form. A row whose canonical form another row already holds is left
as it is (an administrator merges the two accounts)."""

from django.db import migrations

from yiwang.core.identifiers import canonical

_COLUMNS = [
    ("User", "id_number", "ric"),
    ("CompanyAgent", "company_uscc", "uscc"),
    ("Organisation", "uscc", "uscc"),
]
_UNIQUE = {("User", "id_number"), ("Organisation", "uscc")}


def forwards(apps, schema_editor):
    for model_name, column, kind in _COLUMNS:
        model = apps.get_model("core", model_name)
        rows = model.objects.exclude(**{f"{column}__isnull": True}).exclude(**{column: ""})
        for pk, value in rows.values_list("pk", column).iterator():
            stored = canonical(kind, value)
            if stored == value:
                continue
            if (model_name, column) in _UNIQUE and model.objects.filter(**{column: stored}).exists():
                continue
            model.objects.filter(pk=pk).update(**{column: stored})


class Migration(migrations.Migration):
    dependencies = [("core", "0007_membership_role_head")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
